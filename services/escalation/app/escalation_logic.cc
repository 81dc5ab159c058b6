#include "services/escalation/app/escalation_logic.h"

#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/escalation/app/case_codec.h"
#include "services/escalation/app/ledger_observer.h"
#include "services/escalation/domain/refusal.h"

namespace rentstream::escalation::app {
namespace {

using common::v1::Rejection;

// One entry per command type: parse, then the domain's Decide for it.
using CommandDecider = std::function<std::variant<CaseDecision, Rejection>(
    const CaseState&, std::string_view payload, const CommandInfo&)>;

Rejection NotA(const std::string& type) { return Invalid("payload", absl::StrCat("not a ", type)); }

template <typename Command>
std::pair<std::string, CommandDecider> Entry() {
  const std::string type = Command::descriptor()->full_name();
  return {type,
          [type](const CaseState& s, std::string_view payload,
                 const CommandInfo& info) -> std::variant<CaseDecision, Rejection> {
            Command c;
            if (!c.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
              return NotA(type);
            }
            return Decide(s, c, info);
          }};
}

const absl::flat_hash_map<std::string, CommandDecider>& Deciders() {
  static const auto* deciders = new absl::flat_hash_map<std::string, CommandDecider>{
      Entry<v1::RecordContact>(),      Entry<v1::RecordPromiseToPay>(),
      Entry<v1::AgreeArrangement>(),   Entry<v1::CancelArrangement>(),
      Entry<v1::PauseCase>(),          Entry<v1::ResumeCase>(),
      Entry<v1::FlagVulnerability>(),  Entry<v1::RecordNoticeServed>(),
      Entry<v1::RecordCourtDate>(),    Entry<v1::RecordCourtOutcome>(),
      Entry<v1::RecordEvictionDate>(), Entry<v1::NotifyCrisisTreatmentEnded>(),
      Entry<v1::AdoptPolicies>(),
  };
  return *deciders;
}

const CaseState& AsCase(const google::protobuf::Message& m) {
  return static_cast<const CaseState&>(m);
}

}  // namespace

core::Date BusinessDateOf(const common::v1::CommandEnvelope& envelope) {
  return core::LondonDateOf(envelope.occurred_at().seconds());
}

std::unique_ptr<google::protobuf::Message> EscalationLogic::NewState() const {
  return std::make_unique<CaseState>();
}

std::optional<Rejection> EscalationLogic::Validate(const common::v1::CommandEnvelope& envelope,
                                                   std::string_view payload) const {
  const auto& deciders = Deciders();
  auto it = deciders.find(envelope.command_type());
  if (it == deciders.end()) {
    return Invalid("command_type",
                   absl::StrCat("the escalation service has no command ", envelope.command_type()));
  }
  // The reserved policy stream takes policy adoptions only, and only it does.
  const bool policy_stream = envelope.tenancy_ref() == kPolicyStream;
  const bool adoption = envelope.command_type() == v1::AdoptPolicies::descriptor()->full_name();
  if (policy_stream != adoption) {
    return Invalid("tenancy_ref", absl::StrCat(kPolicyStream, " is reserved for policy adoptions"));
  }
  // Stateless checks run against an empty case: the same rules as on receipt, minus state.
  const CommandInfo info{BusinessDateOf(envelope), envelope.actor().id()};
  auto decided = it->second(CaseState(), payload, info);
  if (auto* r = std::get_if<Rejection>(&decided)) return *r;
  const auto& decision = std::get<CaseDecision>(decided);
  if (auto* r = std::get_if<Rejection>(&decision);
      r != nullptr && r->code() == common::v1::REJECTION_CODE_INVALID_ARGUMENT) {
    return *r;
  }
  return std::nullopt;
}

runtime::Decision EscalationLogic::DecideCommand(const runtime::StreamView& stream,
                                                 const common::v1::CommandEnvelope& envelope,
                                                 std::string_view payload) {
  // The processor has run Validate on it already (and the gateway before that).
  const CaseState& state = AsCase(stream.state);
  const CommandInfo info{BusinessDateOf(envelope), envelope.actor().id()};
  auto decided = Deciders().at(envelope.command_type())(state, payload, info);
  if (auto* r = std::get_if<Rejection>(&decided)) return {{}, *r, {}, {}};
  auto& decision = std::get<CaseDecision>(decided);
  if (auto* r = std::get_if<Rejection>(&decision)) return {{}, *r, {}, {}};
  return WithReview(state, std::move(std::get<std::vector<CaseEvent>>(decision)), info.today,
                    info.actor_id);
}

runtime::Decision EscalationLogic::DecideEvent(const runtime::StreamView& stream,
                                               const common::v1::Event& event) {
  std::optional<CaseEvent> observed = ObserveLedgerEvent(event);
  if (!observed) return {};
  const core::Date today = core::LondonDateOf(event.envelope().occurred_at().seconds());
  return WithReview(AsCase(stream.state), {std::move(*observed)}, today, "");
}

runtime::Decision EscalationLogic::DecideTick(const runtime::StreamView& stream, int64_t day) {
  return WithReview(AsCase(stream.state), {}, core::Date::FromDaysSinceEpoch(day), "",
                    /*scheduled=*/true);
}

runtime::Decision EscalationLogic::WithReview(const CaseState& state, std::vector<CaseEvent> events,
                                              core::Date today, const std::string& actor_id,
                                              bool scheduled) const {
  const std::shared_ptr<const CaseReviewer> reviewer = reviewer_();
  if (events.empty()) {  // a tick: nothing to fold before the review
    return runtime::Decision::Accept(ToNewEvents(reviewer->Review(state, today, scheduled)));
  }
  CaseState next = state;
  for (const CaseEvent& e : events) escalation::Evolve(next, e, actor_id);
  for (CaseEvent& e : reviewer->Review(next, today, scheduled)) events.push_back(std::move(e));
  return runtime::Decision::Accept(ToNewEvents(events));
}

absl::Status EscalationLogic::Evolve(google::protobuf::Message& state,
                                     const common::v1::Event& event) {
  absl::StatusOr<CaseEvent> e = FromEvent(event);
  if (!e.ok()) return e.status();
  escalation::Evolve(static_cast<CaseState&>(state), *e, event.envelope().actor().id());
  return absl::OkStatus();
}

int64_t EscalationLogic::NextReviewDay(const google::protobuf::Message& state,
                                       const runtime::StreamMemo* /*memo*/) const {
  const std::optional<core::Date> next = reviewer_()->NextReview(AsCase(state));
  return next ? next->days_since_epoch() : 0;
}

}  // namespace rentstream::escalation::app
