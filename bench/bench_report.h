#pragma once
// What every benchmark prints and how it stops: `bench: <name> <value> <unit>` lines
// (docs/performance.md; a unit starting "x_" is a ratio, printed with three decimals), and an
// exit with the reason when a step fails.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

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

inline void Check(const absl::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace rentstream::bench
