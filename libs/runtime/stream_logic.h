#pragma once
// The seam between the runtime and a service (architecture §4): the app layer of each service
// adapts its pure decider to this interface. The host owns everything with side effects —
// the bus, the store, envelopes, hashes, ids, clocks — and calls these functions with plain data.
// With `--processors N` several loops call one StreamLogic at once, from their own threads, each
// on its own streams: an implementation keeps no mutable state of its own (or guards it).

#include <google/protobuf/message.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/runtime/stream_side.h"
#include "rentstream/common/v1/command.pb.h"
#include "rentstream/common/v1/envelope.pb.h"

namespace rentstream::runtime {

// A logic's own decoded form of an event it decided, which the host hands back to the logic's
// fold of that event (FoldSide::decoded, KeysToFold) in the same transaction, so that a fold
// right after a decision does not decode the payload the decision has just encoded.
class DecodedEvent {
 public:
  virtual ~DecodedEvent() = default;
};

// An event a decision wants recorded; the host wraps it in a sealed envelope.
struct NewEvent {
  std::string event_type;  // fully-qualified payload message name
  uint32_t schema_version = 1;
  std::string payload;  // serialized payload message
  // Optional: exactly what `payload` decodes to, in the logic's form. The same event folded
  // from the topic (catch-up, rebuild) is decoded from its payload, and both folds must give
  // the same state: a logic that sets this tests that they do.
  std::shared_ptr<const DecodedEvent> decoded;

  static NewEvent Of(const google::protobuf::Message& payload, uint32_t schema_version = 1) {
    return {payload.GetDescriptor()->full_name(), schema_version, payload.SerializeAsString(),
            nullptr};
  }
};

// What a decision produced: events (possibly none) or a rejection with the offending field.
struct Decision {
  std::vector<NewEvent> events;
  std::optional<common::v1::Rejection> rejection;
  // A DataLoss status when no decision could be made because what the store holds for the
  // stream does not decode (a corrupt state or keyed record): the host stops with it rather than
  // answer the command with something the damage made up.
  absl::Status fault;
  // A repeat of a command the logic answers itself (StreamLogic::RecallsOutcomeOf): the answer
  // its first decision got — no events, nothing remembered.
  std::optional<common::v1::CommandResult> recalled;

  static Decision Accept(std::vector<NewEvent> events) { return {std::move(events), {}, {}, {}}; }
  static Decision Fault(absl::Status fault) { return {{}, {}, std::move(fault), {}}; }
  static Decision Reject(common::v1::RejectionCode code, std::string field, std::string reason) {
    common::v1::Rejection r;
    r.set_code(code);
    r.set_field(std::move(field));
    r.set_reason(std::move(reason));
    return {{}, std::move(r), {}, {}};
  }
  static Decision Recall(common::v1::CommandResult first) { return {{}, {}, {}, std::move(first)}; }
};

inline const KeyedRecords kNoKeyedRecords{};

// A logic's own decoded form of a stream's state, which the host keeps with the state between
// calls within a transaction (StreamView::memo, FoldSide::memo) so that a decision and the folds
// after it — a tick's dozens of charges, say — do not decode the same state again. The host
// starts it empty whenever the state comes from anywhere but the logic's folds (loaded from the
// store) and drops it when the transaction's writes are flushed (memory stays bounded by what a
// transaction touches); the logic, which alone changes the state, keeps it equal to the state or
// empties it.
class StreamMemo {
 public:
  virtual ~StreamMemo() = default;
};

// The head of a tenancy's stream in this service, as far as the logic may care.
struct StreamView {
  std::string_view tenancy_ref;
  uint64_t sequence = 0;  // 0: the stream has no events yet
  const google::protobuf::Message& state;
  // The stream's keyed records under the keys the logic named for this decision (KeysToDecide)
  // that exist; nothing else of them is loaded.
  const KeyedRecords& keyed = kNoKeyedRecords;
  // The stream's memo (null: none kept, decode the state).
  std::unique_ptr<StreamMemo>* memo = nullptr;
};

class StreamLogic {
 public:
  virtual ~StreamLogic() = default;

  // The service's per-tenancy state message, empty.
  virtual std::unique_ptr<google::protobuf::Message> NewState() const = 0;

  // Checks a command's payload without state (the gRPC edge calls it before appending, the
  // processor again on receipt). A rejection names the offending field.
  virtual std::optional<common::v1::Rejection> Validate(const common::v1::CommandEnvelope& envelope,
                                                        std::string_view payload) const = 0;

  // Whether DecideCommand refuses every command Validate refuses, with the same rejection (a
  // logic that decodes the payload to decide anyway): the processor then decides a command it
  // receives without validating it first. The gateway validates before appending either way.
  virtual bool DecisionValidates() const { return false; }

  // Decides a valid command against the stream's state — or, when DecisionValidates(), any
  // command. Pure: no I/O, no clock.
  virtual Decision DecideCommand(const StreamView& stream,
                                 const common::v1::CommandEnvelope& envelope,
                                 std::string_view payload) = 0;

  // Decides on another service's event about this tenancy (subscribed topics only). Its view
  // has no keyed records (nor has DecideTick's): a service whose ticks or subscriptions need
  // them keeps what they read in the state.
  virtual Decision DecideEvent(const StreamView& /*stream*/, const common::v1::Event& /*event*/) {
    return {};
  }

  // Decides what a business day brings for a stream whose review day has come.
  virtual Decision DecideTick(const StreamView& /*stream*/, int64_t /*day*/) { return {}; }

  // Folds one of the service's own events into the state. Fails only on an event the logic
  // cannot understand (a newer schema): the host then stops rather than fold it wrongly.
  virtual absl::Status Evolve(google::protobuf::Message& state, const common::v1::Event& event) = 0;

  // Keys of the stream's keyed records (stream_side.h) a valid command's decision reads: the
  // host loads those that exist into StreamView::keyed. Default: none.
  virtual std::vector<std::string> KeysToDecide(const common::v1::CommandEnvelope& /*envelope*/,
                                                std::string_view /*payload*/) const {
    return {};
  }
  // Keys of the keyed records folding one of the service's own events reads or writes: the host
  // loads those that exist into FoldSide::keyed. `decoded`: the event's NewEvent::decoded when
  // the logic has just decided it, else null. Default: none.
  virtual std::vector<std::string> KeysToFold(const common::v1::Event& /*event*/,
                                              const DecodedEvent* /*decoded*/) const {
    return {};
  }

  // Evolve, keeping beside the state what a decision does not need whole (stream_side.h).
  // The host folds each event into a stream once (by its sequence), so a fold may read, change
  // and write back a keyed record (a running total); writes of an aborted transaction are
  // dropped with its state.
  // history records that only queries read (a ledger's movements, for statements), and keyed
  // records a decision reads one by one (a ledger's payments by posting id). The host stores
  // both beside the stream record in the same atomic write as the state, so a stream's cost
  // per command does not grow with its age; queries read them back with the state
  // (StreamStore::LoadStream with SideRecords). The default keeps everything in the state.
  virtual absl::Status EvolveStream(google::protobuf::Message& state,
                                    const common::v1::Event& event, FoldSide& /*side*/) {
    return Evolve(state, event);
  }

  // What the host remembers of an accepted command under its id, and answers with — the first
  // time and on every repeat, whichever instance decided or folded it: the events themselves
  // (kEvents, the default: an answer that needs a payload, such as the sample counter's total),
  // or only what identifies them (kEventIds: ids, types and the stream's sequence after them, in
  // Accepted.result), for a service whose answers need no more. kEventIds keeps a second copy of
  // every event out of the projection and the outcomes topic.
  enum class Remembered { kEvents, kEventIds };
  virtual Remembered RemembersOfOutcomes() const { return Remembered::kEvents; }

  // Event types whose command's answer the logic keeps itself, so the host need not: an
  // accepted command of a CommandBatch decided into one event of such a type is not remembered
  // by the host (a logic remembering kEventIds only), and the logic's fold of the event keeps
  // what identifies it (the envelope's command id, event id and sequence) in a keyed record that
  // a decision of the same command reads (KeysToDecide); that decision, for the same command id,
  // returns Decision::Recall with the ids-form answer the first one got. Only batch items: their
  // ids derive from their content (CommandGateway::SubmitBatched), so a repeat of the id is a
  // repeat of the same command and finds the same keyed record — a client-chosen id reused for
  // other content would find none and be decided again, so a single command is remembered as
  // ever. The host looks for a remembered outcome first (refusals, and commands from before a
  // logic recalled them, are remembered as ever), and a projection folded from the topic
  // remembers every command (the same answer either way). Worth it for a command that comes by
  // the million and whose fold writes a keyed record anyway — an imported payment: its
  // remembered outcome was a fifth of what an import wrote to the projection.
  virtual bool RecallsOutcomeOf(std::string_view /*event_type*/) const { return false; }

  // The business day (days since 1970-01-01) this stream next wants a tick; 0 = none. `memo`:
  // the stream's memo when the host keeps one (equal to the state, and cheaper to read), else
  // null. Called after the events a stream folds that MovesReviewDay says can change it.
  virtual int64_t NextReviewDay(const google::protobuf::Message& /*state*/,
                                const StreamMemo* /*memo*/) const {
    return 0;
  }
  // Whether folding an event of `event_type` can change NextReviewDay: the host asks again only
  // after events that can (every event, unless the logic knows better — a ledger's payment does
  // not change when rent is next due). A stored review day is so only re-derived by the events
  // that move it: a release that changes what NextReviewDay means rebuilds the projection.
  virtual bool MovesReviewDay(std::string_view /*event_type*/) const { return true; }
};

}  // namespace rentstream::runtime
