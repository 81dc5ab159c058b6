#pragma once
// Adapts the counter domain to the runtime's StreamLogic: protobuf in, plain structs to the
// domain, protobuf out.

#include "libs/runtime/stream_logic.h"

namespace rentstream::sample {

class CounterLogic : public runtime::StreamLogic {
 public:
  static constexpr const char* kService = "counter";

  std::unique_ptr<google::protobuf::Message> NewState() const override;
  std::optional<common::v1::Rejection> Validate(const common::v1::CommandEnvelope& envelope,
                                                std::string_view payload) const override;
  runtime::Decision DecideCommand(const runtime::StreamView& stream,
                                  const common::v1::CommandEnvelope& envelope,
                                  std::string_view payload) override;
  runtime::Decision DecideTick(const runtime::StreamView& stream, int64_t day) override;
  absl::Status Evolve(google::protobuf::Message& state, const common::v1::Event& event) override;
  // The command's business day's total (the daily limit).
  std::vector<std::string> KeysToDecide(const common::v1::CommandEnvelope& envelope,
                                        std::string_view payload) const override;
  // An increment's business day's total, which the fold adds to.
  std::vector<std::string> KeysToFold(const common::v1::Event& event,
                                      const runtime::DecodedEvent* decoded) const override;
  // Each increment's payload (`v1::Incremented`) is also a history record of the stream: what a
  // query lists (GetCounterResponse.amounts) and no decision reads; and each business day's
  // total is a keyed record (`v1::DayTotal` under DayKey), read by a decision for its own day.
  absl::Status EvolveStream(google::protobuf::Message& state, const common::v1::Event& event,
                            runtime::FoldSide& side) override;
  int64_t NextReviewDay(const google::protobuf::Message& state,
                        const runtime::StreamMemo* memo) const override;

  // The keyed record of a business day's total: "day/YYYY-MM-DD".
  static std::string DayKey(const google::protobuf::Timestamp& occurred_at);

  // Days after an increment's business date that the counter comes up for review.
  static constexpr int kReviewAfterDays = 7;
};

}  // namespace rentstream::sample
