#pragma once
// Adapts the arrears case to the runtime's StreamLogic: officer commands, the ledger's events and
// business-day ticks in; the case's own events out. Every input ends with a review of the case
// against the policy in force (case_review.h), so a payment, a contact or a new day changes the
// recommendation at once.

#include <functional>
#include <memory>

#include "libs/runtime/stream_logic.h"
#include "services/escalation/domain/case_review.h"

namespace rentstream::escalation::app {

// The reviewer over the policy set in force (policy_registry.h swaps it on reload).
using ReviewerSource = std::function<std::shared_ptr<const CaseReviewer>()>;

class EscalationLogic : public runtime::StreamLogic {
 public:
  static constexpr const char* kService = "escalation";
  static constexpr const char* kLedgerEvents = "rentstream.ledger.events.v1";

  // A fixed reviewer (tests, benchmarks, simulations); it must outlive the logic.
  explicit EscalationLogic(const CaseReviewer& reviewer)
      : reviewer_(
            [&reviewer] { return std::shared_ptr<const CaseReviewer>(&reviewer, [](auto*) {}); }) {}
  explicit EscalationLogic(ReviewerSource reviewer) : reviewer_(std::move(reviewer)) {}

  std::unique_ptr<google::protobuf::Message> NewState() const override;
  std::optional<common::v1::Rejection> Validate(const common::v1::CommandEnvelope& envelope,
                                                std::string_view payload) const override;
  runtime::Decision DecideCommand(const runtime::StreamView& stream,
                                  const common::v1::CommandEnvelope& envelope,
                                  std::string_view payload) override;
  runtime::Decision DecideEvent(const runtime::StreamView& stream,
                                const common::v1::Event& event) override;
  runtime::Decision DecideTick(const runtime::StreamView& stream, int64_t day) override;
  absl::Status Evolve(google::protobuf::Message& state, const common::v1::Event& event) override;
  int64_t NextReviewDay(const google::protobuf::Message& state,
                        const runtime::StreamMemo* memo) const override;
  // Every gRPC answer of the service is a CommandResult: commands are remembered by event ids.
  Remembered RemembersOfOutcomes() const override { return Remembered::kEventIds; }

 private:
  // The decided events, then the review of the state they lead to.
  runtime::Decision WithReview(const CaseState& state, std::vector<CaseEvent> events,
                               core::Date today, const std::string& actor_id,
                               bool scheduled = false) const;

  ReviewerSource reviewer_;
};

// The business date of a command: its occurred_at in Europe/London.
core::Date BusinessDateOf(const common::v1::CommandEnvelope& envelope);

}  // namespace rentstream::escalation::app
