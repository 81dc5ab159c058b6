#pragma once
// Starting and ending child processes for test fixtures: the child gets its own process group,
// dies with its parent (PR_SET_PDEATHSIG), and its output goes to a file.

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rentstream::testing {

// Starts argv[0] (searched in PATH) with stdout and stderr appended to `log_path`.
absl::StatusOr<pid_t> SpawnChild(const std::vector<std::string>& argv, const std::string& log_path);

// Waits for a child to exit and returns its exit status (128 + signal when killed).
int WaitChild(pid_t pid);

// True while the child has not exited (reaps it if it has; `exit_code` then holds its status).
bool ChildRunning(pid_t pid, int* exit_code = nullptr);

// Sends `signal` to the child's process group and reaps it.
void KillChild(pid_t pid, int signal);

}  // namespace rentstream::testing
