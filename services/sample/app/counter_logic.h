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
  // Each increment's payload (`v1::Incremented`) is also a history record of the stream: what a
  // query lists (GetCounterResponse.amounts) and no decision reads.
  absl::Status EvolveWithHistory(google::protobuf::Message& state, const common::v1::Event& event,
                                 std::vector<std::string>& history) override;
  int64_t NextReviewDay(const google::protobuf::Message& state) const override;

  // Days after an increment's business date that the counter comes up for review.
  static constexpr int kReviewAfterDays = 7;
};

}  // namespace rentstream::sample
