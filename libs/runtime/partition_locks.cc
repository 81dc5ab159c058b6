#include "libs/runtime/partition_locks.h"

namespace rentstream::runtime {

bool PartitionLocks::Acquire(int32_t partition, const void* holder, const std::atomic<bool>& stop,
                             std::chrono::milliseconds timeout,
                             const std::function<bool()>& give_up) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    auto it = held_.find(partition);
    if (it == held_.end() || it->second == holder) {
      held_[partition] = holder;
      return true;
    }
    if (stop.load() || std::chrono::steady_clock::now() >= deadline) return false;
    if (give_up) {
      lock.unlock();  // give_up may take other locks (the bus's)
      const bool giving_up = give_up();
      lock.lock();
      if (giving_up) return false;
      if (held_.find(partition) == held_.end()) continue;  // released meanwhile
    }
    // Woken by a release; stop and give_up are checked at least every 100 ms.
    released_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void PartitionLocks::Release(int32_t partition, const void* holder) {
  {
    std::lock_guard lock(mu_);
    auto it = held_.find(partition);
    if (it == held_.end() || it->second != holder) return;
    held_.erase(it);
  }
  released_.notify_all();
}

const void* PartitionLocks::Holder(int32_t partition) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(partition);
  return it == held_.end() ? nullptr : it->second;
}

}  // namespace rentstream::runtime
