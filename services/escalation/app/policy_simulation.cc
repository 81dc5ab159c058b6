#include "services/escalation/app/policy_simulation.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rentstream/common/v1/command.pb.h"
#include "services/escalation/app/case_codec.h"
#include "services/escalation/app/ledger_observer.h"
#include "services/escalation/domain/case_review.h"

namespace rentstream::escalation::app {
namespace {

using core::Date;

// One input of the live service (a ledger event or a command): the events it recorded before
// the case was reviewed, on its business day.
struct Input {
  int64_t occurred_us = 0;
  Date day;
  std::string causation_id;
  std::string actor_id;
  std::vector<CaseEvent> events;
};

// What the logs say about one tenancy.
struct TenancyHistory {
  std::vector<Input> recorded_inputs;  // from the escalation log, in log order
  std::vector<Input> ledger_inputs;    // observed from the ledger log, not in the escalation log
  std::vector<DecisionSummary> recorded_decisions;  // in the window
  absl::flat_hash_set<std::string> observed_ledger_ids;
};

int64_t MicrosOf(const common::v1::EventEnvelope& e) {
  return e.occurred_at().seconds() * 1000000 + e.occurred_at().nanos() / 1000;
}

Date BusinessDayOf(const common::v1::EventEnvelope& e) {
  return core::LondonDateOf(e.occurred_at().seconds());
}

// What a review produces: the simulated policy decides these, so the recorded ones are not inputs.
bool IsReviewOutcome(const CaseEvent& e) {
  return std::holds_alternative<v1::CaseOpened>(e) || std::holds_alternative<v1::CaseClosed>(e) ||
         std::holds_alternative<v1::ActionDecided>(e) ||
         std::holds_alternative<v1::CaseReviewed>(e) ||
         std::holds_alternative<v1::StageChanged>(e) ||
         std::holds_alternative<v1::ArrangementBreached>(e) ||
         std::holds_alternative<v1::ArrangementCompleted>(e);
}

// The ledger event an observation records, so the same movement is not folded twice.
const std::string* ObservedLedgerId(const CaseEvent& e) {
  if (auto* t = std::get_if<v1::TenancyObserved>(&e)) return &t->ledger_event_id();
  if (auto* a = std::get_if<v1::LedgerActivityObserved>(&e)) return &a->ledger_event_id();
  return nullptr;
}

DecisionSummary SummaryOf(const v1::ActionDecision& d) {
  DecisionSummary s;
  s.day = DateOf(d.decided_on()).value_or(Date());
  s.rule_id = d.rule_id();
  s.kind = d.action().kind();
  s.template_id = d.action().template_id();
  s.policy_id = d.policy_id();
  s.policy_version = d.policy_version();
  return s;
}

bool InWindow(Date day, const SimulationOptions& o) { return day >= o.from && day <= o.to; }

// A tick's events are caused by the tick command ("tick:<service>:<date>"): the replay makes its
// own ticks, so those groups are not inputs.
bool CausedByTick(const common::v1::EventEnvelope& e) {
  return absl::StartsWith(e.causation_id(), "tick:");
}

// Groups the escalation log into inputs by causation (one command or ledger event each) and keeps
// the recorded decisions of the window.
absl::Status ReadEscalationLog(const std::vector<common::v1::Event>& events,
                               const SimulationOptions& o,
                               std::map<std::string, TenancyHistory>& histories) {
  const std::string rejected = common::v1::CommandRejected::descriptor()->full_name();
  for (const common::v1::Event& event : events) {
    const common::v1::EventEnvelope& env = event.envelope();
    if (!o.tenancy.empty() && env.tenancy_ref() != o.tenancy) continue;
    if (env.tenancy_ref() == kPolicyStream) continue;  // policy adoptions, not a case
    if (env.event_type() == rejected) continue;        // a refused command changed nothing
    absl::StatusOr<CaseEvent> decoded = FromEvent(event);
    if (!decoded.ok()) {
      return absl::DataLossError(absl::StrCat("escalation event ", env.event_id(), " of ",
                                              env.tenancy_ref(), ": ", decoded.status().message()));
    }
    TenancyHistory& h = histories[env.tenancy_ref()];
    if (auto* d = std::get_if<v1::ActionDecided>(&*decoded)) {
      DecisionSummary s = SummaryOf(d->decision());
      if (InWindow(s.day, o)) h.recorded_decisions.push_back(std::move(s));
    }
    if (CausedByTick(env)) continue;
    if (h.recorded_inputs.empty() || h.recorded_inputs.back().causation_id != env.causation_id() ||
        env.causation_id().empty()) {
      // An input whose events were all review outcomes still led to a review.
      h.recorded_inputs.push_back(
          {MicrosOf(env), BusinessDayOf(env), env.causation_id(), env.actor().id(), {}});
    }
    if (const std::string* id = ObservedLedgerId(*decoded)) h.observed_ledger_ids.insert(*id);
    if (!IsReviewOutcome(*decoded)) h.recorded_inputs.back().events.push_back(*std::move(decoded));
  }
  return absl::OkStatus();
}

// The ledger movements the escalation log does not hold, observed as the live service would.
void ReadLedgerLog(const std::vector<common::v1::Event>& events, const SimulationOptions& o,
                   std::map<std::string, TenancyHistory>& histories) {
  for (const common::v1::Event& event : events) {
    const common::v1::EventEnvelope& env = event.envelope();
    if (!o.tenancy.empty() && env.tenancy_ref() != o.tenancy) continue;
    std::optional<CaseEvent> observed = ObserveLedgerEvent(event);
    if (!observed) continue;
    TenancyHistory& h = histories[env.tenancy_ref()];
    if (h.observed_ledger_ids.contains(env.event_id())) continue;
    Input in{MicrosOf(env), BusinessDayOf(env), env.event_id(), "", {}};
    in.events.push_back(std::move(*observed));
    h.ledger_inputs.push_back(std::move(in));
  }
}

// The recorded inputs with the ledger-only ones merged in by business time; on a tie the
// recorded input goes first (it was decided first).
std::vector<const Input*> MergedInputs(const TenancyHistory& h) {
  std::vector<const Input*> out;
  out.reserve(h.recorded_inputs.size() + h.ledger_inputs.size());
  size_t r = 0, l = 0;
  while (r < h.recorded_inputs.size() || l < h.ledger_inputs.size()) {
    const bool take_ledger = r == h.recorded_inputs.size() ||
                             (l < h.ledger_inputs.size() &&
                              h.ledger_inputs[l].occurred_us < h.recorded_inputs[r].occurred_us);
    out.push_back(take_ledger ? &h.ledger_inputs[l++] : &h.recorded_inputs[r++]);
  }
  return out;
}

// One tenancy's case under the simulated policy: inputs folded and reviewed at once, and the
// daily tick reviewing the case on the days its review date comes.
class CaseReplay {
 public:
  CaseReplay(const CaseReviewer& reviewer, const SimulationOptions& options)
      : reviewer_(reviewer), options_(options) {}

  void Apply(const Input& in) {
    TickThrough(in.day);
    for (const CaseEvent& e : in.events) Evolve(state_, e, in.actor_id);
    Fold(reviewer_.Review(state_, in.day, /*scheduled=*/false), in.day);
  }

  // The ticks of every day up to and including `day` that has not been ticked yet. A day's tick
  // comes before its inputs (the business day opens at London midnight).
  void TickThrough(Date day) {
    Date clock = clock_.value_or(day.AddDays(-1));
    while (clock < day) {
      const std::optional<Date> due = reviewer_.NextReview(state_);
      if (!due || *due > day) break;
      const Date on = std::max(*due, clock.AddDays(1));
      Fold(reviewer_.Review(state_, on, /*scheduled=*/true), on);
      clock = on;
    }
    if (!clock_ || day > *clock_) clock_ = day;
  }

  const std::vector<DecisionSummary>& decisions() const { return decisions_; }

 private:
  void Fold(const std::vector<CaseEvent>& events, Date day) {
    for (const CaseEvent& e : events) {
      Evolve(state_, e, "");
      if (auto* d = std::get_if<v1::ActionDecided>(&e); d != nullptr && InWindow(day, options_)) {
        decisions_.push_back(SummaryOf(d->decision()));
      }
    }
  }

  const CaseReviewer& reviewer_;
  const SimulationOptions& options_;
  CaseState state_;
  std::optional<Date> clock_;  // the last business day ticked
  std::vector<DecisionSummary> decisions_;
};

std::vector<DecisionSummary> Replay(const TenancyHistory& h, const CaseReviewer& reviewer,
                                    const SimulationOptions& o) {
  CaseReplay replay(reviewer, o);
  for (const Input* in : MergedInputs(h)) {
    // Later inputs may still be earlier days (a backdated command), so skip, don't stop.
    if (in->day <= o.to) replay.Apply(*in);
  }
  replay.TickThrough(o.to);
  return replay.decisions();
}

// Adds a difference to the capped list, or counts it past the cap.
void Note(SimulationReport& report, const SimulationOptions& o, DecisionDifference d) {
  if (report.differences.size() < o.max_differences) {
    report.differences.push_back(std::move(d));
  } else {
    ++report.differences_not_listed;
  }
}

// The decisions of one day on both sides: equal actions pair first, then the rest pair in order
// as "different", and what is left is one-sided.
void CompareDay(const std::string& tenancy, Date day, const std::vector<DecisionSummary>& recorded,
                const std::vector<DecisionSummary>& simulated, const SimulationOptions& o,
                DecisionTally& tally, SimulationReport& report) {
  std::vector<bool> used(simulated.size(), false);
  std::vector<const DecisionSummary*> left_r, left_s;
  for (const DecisionSummary& r : recorded) {
    size_t i = 0;
    while (i < simulated.size() && (used[i] || !SameAction(r, simulated[i]))) ++i;
    if (i < simulated.size()) {
      used[i] = true;
      ++tally.same;
    } else {
      left_r.push_back(&r);
    }
  }
  for (size_t i = 0; i < simulated.size(); ++i) {
    if (!used[i]) left_s.push_back(&simulated[i]);
  }
  const size_t pairs = std::min(left_r.size(), left_s.size());
  tally.different += static_cast<int64_t>(pairs);
  tally.only_recorded += static_cast<int64_t>(left_r.size() - pairs);
  tally.only_simulated += static_cast<int64_t>(left_s.size() - pairs);
  for (size_t i = 0; i < std::max(left_r.size(), left_s.size()); ++i) {
    DecisionDifference d{tenancy, day, std::nullopt, std::nullopt};
    if (i < left_r.size()) d.recorded = *left_r[i];
    if (i < left_s.size()) d.simulated = *left_s[i];
    Note(report, o, std::move(d));
  }
}

void Compare(TenancySimulation& t, const SimulationOptions& o, SimulationReport& report) {
  std::map<Date, std::pair<std::vector<DecisionSummary>, std::vector<DecisionSummary>>> by_day;
  for (const DecisionSummary& d : t.recorded) by_day[d.day].first.push_back(d);
  for (const DecisionSummary& d : t.simulated) by_day[d.day].second.push_back(d);
  t.tally.recorded = static_cast<int64_t>(t.recorded.size());
  t.tally.simulated = static_cast<int64_t>(t.simulated.size());
  for (const auto& [day, sides] : by_day) {
    CompareDay(t.tenancy, day, sides.first, sides.second, o, t.tally, report);
  }
}

absl::Status CheckOptions(const SimulationOptions& o) {
  if (o.from > o.to) {
    return absl::InvalidArgumentError(
        absl::StrCat("from ", o.from.ToIso(), " is after to ", o.to.ToIso()));
  }
  if (o.to >= o.from.AddMonths(kMaxSimulationMonths)) {
    return absl::InvalidArgumentError(absl::StrCat("the window ", o.from.ToIso(), " to ",
                                                   o.to.ToIso(), " is longer than ",
                                                   kMaxSimulationMonths / 12, " years"));
  }
  return absl::OkStatus();
}

}  // namespace

bool SameAction(const DecisionSummary& a, const DecisionSummary& b) {
  return a.day == b.day && a.rule_id == b.rule_id && a.kind == b.kind &&
         a.template_id == b.template_id;
}

void DecisionTally::Add(const DecisionTally& o) {
  recorded += o.recorded;
  simulated += o.simulated;
  same += o.same;
  different += o.different;
  only_recorded += o.only_recorded;
  only_simulated += o.only_simulated;
}

absl::StatusOr<SimulationReport> SimulatePolicy(
    const std::vector<common::v1::Event>& ledger_events,
    const std::vector<common::v1::Event>& escalation_events, const policy::PolicySet& policies,
    const SimulationOptions& options) {
  if (absl::Status st = CheckOptions(options); !st.ok()) return st;
  std::map<std::string, TenancyHistory> histories;
  if (absl::Status st = ReadEscalationLog(escalation_events, options, histories); !st.ok()) {
    return st;
  }
  ReadLedgerLog(ledger_events, options, histories);

  const CaseReviewer reviewer(policies);
  SimulationReport report;
  report.from = options.from;
  report.to = options.to;
  for (auto& [tenancy, history] : histories) {
    ++report.tenancies_replayed;
    TenancySimulation t;
    t.tenancy = tenancy;
    t.ledger_derived = !history.ledger_inputs.empty();
    t.recorded = std::move(history.recorded_decisions);
    t.simulated = Replay(history, reviewer, options);
    if (t.recorded.empty() && t.simulated.empty()) continue;
    Compare(t, options, report);
    report.total.Add(t.tally);
    report.tenancies.push_back(std::move(t));
  }
  return report;
}

}  // namespace rentstream::escalation::app
