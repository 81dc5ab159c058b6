#include "libs/runtime/thread_name.h"

#include <pthread.h>

#include <thread>

#include <gtest/gtest.h>

namespace rentstream::runtime {
namespace {

TEST(ThreadNameTest, TheRoleIsKeptAndTheServiceCutToFitFifteenBytes) {
  EXPECT_EQ(ThreadName("ledger", "loop-1"), "ledger-loop-1");
  EXPECT_EQ(ThreadName("escalation", "loop-1"), "escalati-loop-1");
  EXPECT_EQ(ThreadName("escalation", "outcomes"), "escala-outcomes");
  EXPECT_EQ(ThreadName("escalation", "loop-1").size(), 15u);
  EXPECT_EQ(ThreadName("ledger", "a-role-of-14-b"), "a-role-of-14-b");
}

TEST(ThreadNameTest, NamesTheCallingThreadAsTheSystemShowsIt) {
  std::string seen;
  std::thread t([&] {
    NameThisThread("a-name-longer-than-fifteen-bytes");
    char name[32] = {};
    pthread_getname_np(pthread_self(), name, sizeof(name));
    seen = name;
  });
  t.join();
  EXPECT_EQ(seen, "a-name-longer-t");
}

}  // namespace
}  // namespace rentstream::runtime
