#pragma once
// Which processing loop of a process holds a partition of the state store they share
// (`--processors N`). A loop takes a partition when the group assigns it, before folding it,
// and gives it back when the partition is revoked or the loop leaves the group. A bus hands a
// partition from one member to another without waiting for the old owner (LocalBus's eager
// rebalance; Kafka past max.poll.interval), so without this two loops could write one
// partition's keys at once and the older write could win.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace rentstream::runtime {

class PartitionLocks {
 public:
  // Holds `partition` for `holder` once no other holder has it. False when `stop` became true,
  // `give_up` answered true (checked at least every 100 ms; the caller's assignment was
  // superseded, say) or `timeout` passed first (the caller leaves and rejoins: two loops each
  // waiting for the other's partition, from different group generations, would otherwise wait
  // for ever).
  bool Acquire(int32_t partition, const void* holder, const std::atomic<bool>& stop,
               std::chrono::milliseconds timeout, const std::function<bool()>& give_up = {});
  // Gives `partition` back, if `holder` has it.
  void Release(int32_t partition, const void* holder);
  // Who holds `partition` (nullptr: no one).
  const void* Holder(int32_t partition) const;

 private:
  mutable std::mutex mu_;
  std::condition_variable released_;
  std::map<int32_t, const void*> held_;
};

}  // namespace rentstream::runtime
