#pragma once
// What every benchmark prints and how it stops: `bench: <name> <value> <unit>` lines
// (docs/performance.md; a unit starting "x_" is a ratio, printed with three decimals), and an
// exit with the reason when a step fails.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace rentstream::bench {

using Clock = std::chrono::steady_clock;

inline void Report(const std::string& name, double value, const std::string& unit) {
  const bool ratio = unit.rfind("x_", 0) == 0;
  std::printf(ratio ? "bench: %s %.3f %s\n" : "bench: %s %.1f %s\n", name.c_str(), value,
              unit.c_str());
  std::fflush(stdout);
}

inline double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU time the whole machine has spent busy (every process: the service, a broker on the same
// machine, background compaction), from /proc/stat; -1 where it cannot be read. On a shared
// machine a step's busy CPU time per unit of work moves less between runs than its wall-clock
// rate, so benchmarks report both.
inline double MachineBusySeconds() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (f == nullptr) return -1;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  const int got = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
                              &system, &idle, &iowait, &irq, &softirq, &steal);
  std::fclose(f);
  if (got != 8) return -1;
  return static_cast<double>(user + nice + system + irq + softirq + steal) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Machine-busy microseconds per unit of work between two MachineBusySeconds readings; -1 when
// either could not be read.
inline double CpuPer(double busy_before, double busy_after, double units) {
  if (busy_before < 0 || busy_after < 0 || units <= 0) return -1;
  return (busy_after - busy_before) * 1e6 / units;
}

// Reports `<name>_cpu` as machine-busy microseconds per unit of work since `busy_before`
// (MachineBusySeconds), when it could be read; `unit` names the work ("posting").
inline void ReportCpuPer(const std::string& name, double busy_before, double units,
                         const std::string& unit) {
  const double cpu = CpuPer(busy_before, MachineBusySeconds(), units);
  if (cpu < 0) return;
  std::printf("bench: %s_cpu %.1f us/%s\n", name.c_str(), cpu, unit.c_str());
  std::fflush(stdout);
}

// The CPU seconds (user + system) a resource usage report counts.
inline double CpuSeconds(const rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU seconds this process has used so far, every thread included.
inline double ProcessCpuSeconds() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return CpuSeconds(ru);
}

// CPU seconds (user + system) of this process's threads whose name (/proc/self/task/*/comm)
// starts with `prefix` — the processing loops ("ledger-loop"), RocksDB's background threads
// ("rocksdb:") — so a step's cost can be split by who spent it; -1 where /proc cannot be read.
// Threads that ended before the reading are not counted (take it for long-lived threads).
inline double ThreadsCpuSeconds(std::string_view prefix) {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/self/task", ec);
  if (ec) return -1;
  unsigned long long ticks = 0;
  for (const auto& task : tasks) {
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    if (name.rfind(prefix, 0) != 0) continue;
    std::string stat;
    std::getline(std::ifstream(task.path() / "stat"), stat);
    const size_t end_of_name = stat.rfind(')');  // the name may hold spaces and parentheses
    if (end_of_name == std::string::npos) continue;
    // After the name: state (field 3) … utime (14), stime (15).
    std::istringstream fields(stat.substr(end_of_name + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    unsigned long long utime = 0, stime = 0;
    if (fields >> utime >> stime) ticks += utime + stime;
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

inline void Check(const absl::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace rentstream::bench
