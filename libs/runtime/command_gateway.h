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
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/command_batch.h"
#include "libs/runtime/projection_watermark.h"
#include "libs/runtime/served_partitions.h"
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

  // Submits many commands as CommandBatch records — grouped by partition, at most
  // kMaxBatchCommands each — and waits until `deadline` for every batch's outcome. Returns one
  // item outcome per command, in the order given. A command that fails validation is answered
  // at once (rejected) and not sent. Command ids derive from `request_id`, `step`, the command's
  // position and its content, batch ids from their commands' ids: the same request retried with
  // the same commands gets the same answers and no new events (its command and outcome records
  // are appended again). `shared` gives the batch envelope's actor, business time and
  // correlation id, which apply to every command. Errors: DEADLINE_EXCEEDED, UNAVAILABLE (retry
  // the whole request), INTERNAL if an answer does not match what was sent. `positions`
  // (optional, one per command): what stands for each command's position in its id — a
  // request's line indexes, say, so that a line keeps its id whichever others go with it.
  absl::StatusOr<std::vector<common::v1::BatchItemOutcome>> SubmitBatched(
      const std::string& request_id, std::string_view step,
      const common::v1::CommandEnvelope& shared, std::vector<common::v1::Command> commands,
      std::chrono::steady_clock::time_point deadline, const std::vector<int>* positions = nullptr);

  // Validation alone (envelope ids, then the logic's payload checks).
  std::optional<common::v1::Rejection> Validate(const common::v1::Command& command) const;

  // Answers a command of a partition this process serves only once its projection reflects the
  // command (ProjectionWatermark), so that a query to this instance right after the answer reads
  // what the command did. A command of a partition served elsewhere is answered at once (a query
  // here is refused anyway); one still not reflected at its deadline is answered then. Call
  // before any Submit; both must outlive the gateway. Without it: answered at once.
  void AnswerOnceReflected(const ServedPartitions* served, ProjectionWatermark* watermark);
  // The end of the outcome records of `partition` this gateway has answered commands with (0:
  // none): a query it asks another replica carries it, and that replica answers once its
  // projection reflects them (runtime::ForwardQuery) — a caller reads its own writes whichever
  // replica serves the tenancy.
  int64_t AnsweredEnd(int32_t partition) const;

 private:
  struct Waiter {
    std::optional<common::v1::CommandOutcome> outcome;
    int32_t partition = 0;  // where the outcome record is
    int64_t offset = 0;
    int waiting = 0;
  };
  // Whether a waiter's outcome may be answered now (see AnswerOnceReflected). Under mu_.
  bool Answerable(const Waiter& waiter) const;
  CommandGateway(const std::string& service, const StreamLogic& logic, int32_t partitions,
                 int32_t outcome_partitions, std::unique_ptr<eventlog::Appender> appender,
                 std::unique_ptr<eventlog::Tail> outcomes);
  void WatchOutcomes();
  // Appends the commands in one go and waits for each one's outcome (by command id).
  // `batch_sizes`, when given, says how many commands each batch carries (a record header the
  // processor sizes its transactions by).
  std::vector<absl::StatusOr<common::v1::CommandOutcome>> AppendAndWait(
      const std::vector<const common::v1::Command*>& commands,
      std::chrono::steady_clock::time_point deadline,
      const std::vector<size_t>* batch_sizes = nullptr);

  ServiceTopics topics_;
  int32_t partitions_;
  int32_t outcome_partitions_;
  const StreamLogic& logic_;
  std::unique_ptr<eventlog::Appender> appender_;
  std::mutex append_mu_;
  std::unique_ptr<eventlog::Tail> outcomes_;

  const ServedPartitions* served_ = nullptr;
  ProjectionWatermark* watermark_ = nullptr;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Waiter> waiters_;    // by command id
  std::map<int32_t, int64_t> answered_end_;  // by outcome partition (AnsweredEnd)
  bool stopping_ = false;
  std::thread watcher_;
};

// The gRPC-facing status of a rejection: code mapped 1:1, message "field: reason".
absl::Status RejectionToStatus(const common::v1::Rejection& rejection);

}  // namespace rentstream::runtime
