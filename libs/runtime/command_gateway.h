#pragma once
// The command path of architecture §2, used by every service's gRPC handlers: validate the
// command, append it to the service's command topic keyed by tenancy, and wait (with a deadline)
// for its outcome on the outcomes topic. gRPC handlers never write events themselves.
//
// - An invalid command is answered at once with the offending field and nothing is appended.
// - A repeated command id is appended again, but the processor answers with the first outcome
//   and writes no new event.
// - On a deadline the caller gets DEADLINE_EXCEEDED; the command stays on the topic and is still
//   decided exactly once. Retrying with the same id returns that decision.

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/stream_logic.h"
#include "libs/runtime/topics.h"
#include "rentstream/common/v1/command.pb.h"

namespace rentstream::runtime {

class CommandGateway {
 public:
  // Starts following the outcomes topic from its current end.
  static absl::StatusOr<std::unique_ptr<CommandGateway>> Start(eventlog::EventBus& bus,
                                                               const std::string& service,
                                                               const StreamLogic& logic);
  ~CommandGateway();

  // Validates and submits `command`, then waits until `deadline` for its outcome. Errors:
  // INVALID_ARGUMENT (field named; nothing appended), DEADLINE_EXCEEDED, UNAVAILABLE.
  absl::StatusOr<common::v1::CommandOutcome> Submit(const common::v1::Command& command,
                                                    std::chrono::steady_clock::time_point deadline);

  // Validation alone (envelope ids, then the logic's payload checks).
  std::optional<common::v1::Rejection> Validate(const common::v1::Command& command) const;

 private:
  struct Waiter {
    std::optional<common::v1::CommandOutcome> outcome;
    int waiting = 0;
  };
  CommandGateway(const std::string& service, const StreamLogic& logic,
                 std::unique_ptr<eventlog::Appender> appender,
                 std::unique_ptr<eventlog::Tail> outcomes);
  void WatchOutcomes();

  ServiceTopics topics_;
  const StreamLogic& logic_;
  std::unique_ptr<eventlog::Appender> appender_;
  std::mutex append_mu_;
  std::unique_ptr<eventlog::Tail> outcomes_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Waiter> waiters_;  // by command id
  bool stopping_ = false;
  std::thread watcher_;
};

// The gRPC-facing status of a rejection: code mapped 1:1, message "field: reason".
absl::Status RejectionToStatus(const common::v1::Rejection& rejection);

}  // namespace rentstream::runtime
