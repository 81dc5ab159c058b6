#pragma once
// How far this process's projection reflects each partition's outcome records, so that an
// answer and a query on one instance agree. A command's outcome record becomes visible when its
// transaction commits, and the projection is written just after (architecture §3, step 4): a
// client answered from the outcome and then asking the same instance could read the projection
// from before the command. A processing loop advances the mark once a transaction's projection
// write is done (to the end of the outcome records it appended) and once a partition it takes
// is caught up (to the end of the partition's outcome records then: whoever wrote them, their
// events are folded); the command gateway holds an outcome of a partition the process serves
// until the mark has passed it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

namespace rentstream::runtime {

class ProjectionWatermark {
 public:
  explicit ProjectionWatermark(int32_t partitions)
      : ends_(std::make_unique<std::atomic<int64_t>[]>(static_cast<size_t>(partitions))),
        partitions_(partitions) {}

  int32_t partitions() const { return partitions_; }

  // The partition's outcome records before `end` are reflected in the projection. Never moves
  // back; tells the listener when it moves on.
  void Advance(int32_t partition, int64_t end) {
    if (partition < 0 || partition >= partitions_) return;
    std::atomic<int64_t>& mark = ends_[static_cast<size_t>(partition)];
    int64_t current = mark.load();
    bool moved = false;
    while (current < end && !(moved = mark.compare_exchange_weak(current, end))) {
    }
    if (!moved) return;
    // Called under the lock, so that once SetListener(nullptr) returns no call is under way.
    std::lock_guard lock(mu_);
    if (listener_) listener_();
    advanced_.notify_all();
  }

  // Waits until the partition's outcome records before `end` are reflected, or `deadline`;
  // whether they are.
  bool WaitReflects(int32_t partition, int64_t end,
                    std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    return advanced_.wait_until(lock, deadline, [&] { return Reflects(partition, end - 1); });
  }

  // Whether the partition's outcome record at `offset` is reflected in the projection.
  bool Reflects(int32_t partition, int64_t offset) const {
    if (partition < 0 || partition >= partitions_) return true;
    return ends_[static_cast<size_t>(partition)].load() > offset;
  }

  // Called after each advance, from the advancing thread, under this class's lock: the listener
  // must not call back into it.
  void SetListener(std::function<void()> listener) {
    std::lock_guard lock(mu_);
    listener_ = std::move(listener);
  }

 private:
  std::unique_ptr<std::atomic<int64_t>[]> ends_;
  int32_t partitions_;
  std::mutex mu_;
  std::condition_variable advanced_;
  std::function<void()> listener_;
};

}  // namespace rentstream::runtime
