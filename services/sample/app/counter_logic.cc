#include "services/sample/app/counter_logic.h"

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "rentstream/sample/v1/counter.pb.h"
#include "services/sample/domain/counter.h"

namespace rentstream::sample {
namespace {

using common::v1::Rejection;
using common::v1::RejectionCode;

const std::string& IncrementType() {
  static const std::string name = v1::Increment::descriptor()->full_name();
  return name;
}

Rejection ToRejection(const Refusal& refusal) {
  Rejection r;
  r.set_code(refusal.kind == Refusal::Kind::kInvalidArgument
                 ? common::v1::REJECTION_CODE_INVALID_ARGUMENT
                 : common::v1::REJECTION_CODE_FAILED_PRECONDITION);
  r.set_field(refusal.field);
  r.set_reason(refusal.reason);
  return r;
}

Rejection Invalid(const std::string& field, const std::string& reason) {
  return ToRejection({Refusal::Kind::kInvalidArgument, field, reason});
}

}  // namespace

std::unique_ptr<google::protobuf::Message> CounterLogic::NewState() const {
  return std::make_unique<v1::CounterState>();
}

std::optional<Rejection> CounterLogic::Validate(const common::v1::CommandEnvelope& envelope,
                                                std::string_view payload) const {
  if (envelope.command_type() != IncrementType()) {
    return Invalid("command_type", absl::StrCat("unknown command ", envelope.command_type()));
  }
  v1::Increment increment;
  if (!increment.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Invalid("payload", "not a rentstream.sample.v1.Increment");
  }
  if (auto refusal = ValidateIncrement({increment.amount()})) return ToRejection(*refusal);
  return std::nullopt;
}

std::string CounterLogic::DayKey(const google::protobuf::Timestamp& occurred_at) {
  return "day/" + core::LondonDateOf(occurred_at.seconds()).ToIso();
}

std::vector<std::string> CounterLogic::KeysToDecide(const common::v1::CommandEnvelope& envelope,
                                                    std::string_view /*payload*/) const {
  return {DayKey(envelope.occurred_at())};
}

std::vector<std::string> CounterLogic::KeysToFold(const common::v1::Event& event,
                                                  const runtime::DecodedEvent* /*decoded*/) const {
  if (event.envelope().event_type() != v1::Incremented::descriptor()->full_name()) return {};
  return {DayKey(event.envelope().occurred_at())};
}

runtime::Decision CounterLogic::DecideCommand(const runtime::StreamView& stream,
                                              const common::v1::CommandEnvelope& envelope,
                                              std::string_view payload) {
  v1::Increment increment;
  increment.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
  const auto& state = static_cast<const v1::CounterState&>(stream.state);
  v1::DayTotal today;
  if (auto it = stream.keyed.find(DayKey(envelope.occurred_at()));
      it != stream.keyed.end() && !today.ParseFromString(it->second)) {
    return runtime::Decision::Fault(
        absl::DataLossError(absl::StrCat("keyed record ", it->first, " does not parse")));
  }
  auto decision =
      DecideIncrement({state.total(), state.increments()}, {increment.amount()}, today.total());
  if (const Refusal* refusal = std::get_if<Refusal>(&decision)) {
    runtime::Decision d;
    d.rejection = ToRejection(*refusal);
    return d;
  }
  const Incremented& done = std::get<Incremented>(decision);
  v1::Incremented event;
  event.set_amount(done.amount);
  event.set_total(done.total);
  return runtime::Decision::Accept({runtime::NewEvent::Of(event)});
}

runtime::Decision CounterLogic::DecideTick(const runtime::StreamView& stream, int64_t day) {
  const auto& state = static_cast<const v1::CounterState&>(stream.state);
  if (state.review_day() == 0 || state.review_day() > day) return {};
  const core::Date date = core::Date::FromDaysSinceEpoch(day);
  v1::Reviewed reviewed;
  reviewed.mutable_date()->set_year(date.year());
  reviewed.mutable_date()->set_month(date.month());
  reviewed.mutable_date()->set_day(date.day());
  reviewed.set_total(state.total());
  return runtime::Decision::Accept({runtime::NewEvent::Of(reviewed)});
}

int64_t CounterLogic::NextReviewDay(const google::protobuf::Message& state,
                                    const runtime::StreamMemo* /*memo*/) const {
  return static_cast<const v1::CounterState&>(state).review_day();
}

absl::Status CounterLogic::Evolve(google::protobuf::Message& state,
                                  const common::v1::Event& event) {
  auto& counter = static_cast<v1::CounterState&>(state);
  const std::string& type = event.envelope().event_type();
  if (type == v1::Reviewed::descriptor()->full_name()) {
    v1::Reviewed reviewed;
    if (!reviewed.ParseFromString(event.payload())) {
      return absl::DataLossError("Reviewed payload does not parse");
    }
    counter.set_review_day(0);
    return absl::OkStatus();
  }
  if (type != v1::Incremented::descriptor()->full_name()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown event type ", type));
  }
  v1::Incremented incremented;
  if (!incremented.ParseFromString(event.payload())) {
    return absl::DataLossError("Incremented payload does not parse");
  }
  auto& s = counter;
  const CounterState next =
      sample::Evolve({s.total(), s.increments()}, {incremented.amount(), incremented.total()});
  s.set_total(next.total);
  s.set_increments(next.increments);
  // Business time, not the wall clock: the London date the increment happened.
  const core::Date happened = core::LondonDateOf(event.envelope().occurred_at().seconds());
  s.set_review_day(happened.AddDays(kReviewAfterDays).days_since_epoch());
  return absl::OkStatus();
}

absl::Status CounterLogic::EvolveStream(google::protobuf::Message& state,
                                        const common::v1::Event& event, runtime::FoldSide& side) {
  if (absl::Status st = Evolve(state, event); !st.ok()) return st;
  if (event.envelope().event_type() != v1::Incremented::descriptor()->full_name()) {
    return absl::OkStatus();
  }
  side.history.push_back(event.payload());
  v1::Incremented incremented;
  incremented.ParseFromString(event.payload());  // Evolve parsed it already
  const std::string key = DayKey(event.envelope().occurred_at());
  v1::DayTotal day;
  if (auto it = side.keyed.find(key); it != side.keyed.end() && !day.ParseFromString(it->second)) {
    return absl::DataLossError(absl::StrCat("keyed record ", key, " does not parse"));
  }
  const core::Date date = core::LondonDateOf(event.envelope().occurred_at().seconds());
  day.mutable_date()->set_year(date.year());
  day.mutable_date()->set_month(date.month());
  day.mutable_date()->set_day(date.day());
  day.set_total(day.total() + incremented.amount());
  side.keyed_writes[key] = day.SerializeAsString();
  return absl::OkStatus();
}

}  // namespace rentstream::sample
