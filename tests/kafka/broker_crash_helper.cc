// Starts a Kafka broker through the fixture, prints its JVM pid, then dies by SIGKILL — no
// destructors, no atexit — as a crashing test would. broker_fixture_test checks the JVM follows.
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "libs/testing/kafka_broker.h"

int main() {
  auto broker = rentstream::testing::KafkaBroker::Start();
  if (!broker.ok()) {
    std::fprintf(stderr, "%s\n", std::string(broker.status().message()).c_str());
    return 2;
  }
  std::printf("jvm-pid %d\ndata-dir %s\n", (*broker)->pid(), (*broker)->data_dir().c_str());
  std::fflush(stdout);
  kill(getpid(), SIGKILL);
  return 1;
}
