#pragma once
// Names the calling thread as `top -H`, `ps -L` and profilers show it (Linux allows 15 bytes;
// longer names are cut here). Operators see which loop, watcher or edge thread takes the CPU.

#include <pthread.h>

#include <string>
#include <string_view>

namespace rentstream::runtime {

inline void NameThisThread(std::string_view name) {
  const std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());  // best effort: a name is not worth failing
}

// "<service>-<role>", the service's name shortened so the role fits: "ledger-loop-1".
// A role of 14 bytes or more is the name alone.
inline std::string ThreadName(std::string_view service, std::string_view role) {
  if (role.size() + 1 >= 15) return std::string(role.substr(0, 15));
  return std::string(service.substr(0, 15 - role.size() - 1)) + "-" + std::string(role);
}

}  // namespace rentstream::runtime
