#pragma once
// Names the calling thread as `top -H`, `ps -L` and profilers show it (Linux keeps 15 bytes:
// longer names are cut). Operators see which loop, watcher or edge thread takes the CPU.

#include <pthread.h>

#include <string>
#include <string_view>

namespace rentstream::runtime {

inline void NameThisThread(std::string_view name) {
  const std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());  // best effort: a name is not worth failing
}

// "<service>-<role>", the service's name shortened so the role fits: "ledger-loop-1".
inline std::string ThreadName(std::string_view service, std::string_view role) {
  const size_t room = role.size() + 1 >= 15 ? 0 : 15 - role.size() - 1;
  return std::string(service.substr(0, room)) + "-" + std::string(role);
}

}  // namespace rentstream::runtime
