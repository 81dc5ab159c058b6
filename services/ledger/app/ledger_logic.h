#pragma once
// Adapts the ledger domain to the runtime's StreamLogic: protobuf commands and events in, the
// pure TenancyLedger decider in between, protobuf events out.

#include "libs/runtime/stream_logic.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::app {

class LedgerLogic : public runtime::StreamLogic {
 public:
  static constexpr const char* kService = "ledger";

  explicit LedgerLogic(LedgerLimits limits = {}) : limits_(limits) {}

  std::unique_ptr<google::protobuf::Message> NewState() const override;
  std::optional<common::v1::Rejection> Validate(const common::v1::CommandEnvelope& envelope,
                                                std::string_view payload) const override;
  runtime::Decision DecideCommand(const runtime::StreamView& stream,
                                  const common::v1::CommandEnvelope& envelope,
                                  std::string_view payload) override;
  // DecideCommand refuses what Validate refuses, alike.
  bool DecisionValidates() const override { return true; }
  // The business-day tick is the charge run: every period due by the day and not yet charged.
  runtime::Decision DecideTick(const runtime::StreamView& stream, int64_t day) override;
  // Folds keeping the account movements and payment records in the state (no history or keyed
  // store: tests, tools).
  absl::Status Evolve(google::protobuf::Message& state, const common::v1::Event& event) override;
  // The payment (by posting id) a payment, reversal or transfer decision reads, or the held
  // payment a suspense decision reads.
  std::vector<std::string> KeysToDecide(const common::v1::CommandEnvelope& envelope,
                                        std::string_view payload) const override;
  // The payment or held payment the event records or changes.
  std::vector<std::string> KeysToFold(const common::v1::Event& event,
                                      const runtime::DecodedEvent* decoded) const override;
  // Folds moving the event's account movements (state::v1::Movement records) to the stream's
  // history — statements and balances as of a date read them, no decision does — and keeping
  // its payments and held payments as keyed records (PaymentKey, SuspendedKey) that a decision
  // loads one by one. Payment records an older state kept stay there.
  absl::Status EvolveStream(google::protobuf::Message& state, const common::v1::Event& event,
                            runtime::FoldSide& side) override;
  int64_t NextReviewDay(const google::protobuf::Message& state,
                        const runtime::StreamMemo* memo) const override;
  // When rent is next due depends on the schedule, the periods charged and the tenancy's dates:
  // a payment changes none of them.
  bool MovesReviewDay(std::string_view event_type) const override;
  // Every gRPC answer of the ledger is a CommandResult (ids, types, sequence): a command is
  // remembered by its events' ids only, not a second copy of each posting.
  Remembered RemembersOfOutcomes() const override { return Remembered::kEventIds; }
  // A payment's answer is kept in its keyed record (state::v1::PaymentReceipt): a RecordPayment
  // — a million lines of a payment file — leaves no outcome of its own in the projection.
  bool RecallsOutcomeOf(std::string_view event_type) const override;

  // Off: every fold encodes the whole state again, as it did before a payment re-encoded only
  // its balances — for tests, which compare the two encodings after every event.
  void set_encode_changes_only(bool on) { encode_changes_only_ = on; }

 private:
  absl::Status Fold(google::protobuf::Message& state, const common::v1::Event& event,
                    runtime::FoldSide* side);
  LedgerLimits limits_;
  bool encode_changes_only_ = true;
};

}  // namespace rentstream::ledger::app
