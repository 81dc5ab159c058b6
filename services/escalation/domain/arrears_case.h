#pragma once
// The arrears case of one tenancy (architecture §4): a pure decider over the case state. Inputs
// are officer commands (contacts, promises, arrangements, pauses, vulnerability, notices, court
// dates) and the ledger's events reduced to LedgerActivityObserved; outputs are the escalation's
// own events, whose fold is the state. Policy evaluation on review lives in case_review.h.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "libs/core/civil_date.h"
#include "libs/core/money.h"
#include "rentstream/common/v1/command.pb.h"
#include "rentstream/escalation/state/v1/state.pb.h"
#include "rentstream/escalation/v1/commands.pb.h"
#include "rentstream/escalation/v1/events.pb.h"
#include "services/escalation/domain/arrangement.h"
#include "services/escalation/domain/pause.h"

namespace rentstream::escalation {

namespace v1 = ::rentstream::escalation::v1;
using CaseState = state::v1::CaseState;

using CaseEvent =
    std::variant<v1::TenancyObserved, v1::LedgerActivityObserved, v1::CaseOpened, v1::CaseClosed,
                 v1::ContactRecorded, v1::PromiseToPayRecorded, v1::ArrangementAgreed,
                 v1::ArrangementBreached, v1::ArrangementCompleted, v1::ArrangementCancelled,
                 v1::CasePaused, v1::CaseResumed, v1::CrisisTreatmentEnded,
                 v1::VulnerabilityFlagged, v1::NoticeRecorded, v1::CourtDateRecorded,
                 v1::CourtOutcomeRecorded, v1::EvictionDateRecorded, v1::ActionDecided,
                 v1::CaseReviewed, v1::StageChanged, v1::PolicyAdopted>;

// A decision: the events to record, or a refusal naming the offending field.
using CaseDecision = std::variant<std::vector<CaseEvent>, common::v1::Rejection>;

// Who sent a command and on which business day.
struct CommandInfo {
  core::Date today;
  std::string actor_id;
};

// Bounds on what a case keeps and accepts (TigerBeetle style: a limit on everything).
inline constexpr int kMaxContacts = 50;
inline constexpr int kMaxDecisions = 10;
inline constexpr int kMaxTextLength = 500;

CaseDecision Decide(const CaseState& state, const v1::RecordContact& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::RecordPromiseToPay& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::AgreeArrangement& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::CancelArrangement& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::PauseCase& command, const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::ResumeCase& command, const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::NotifyCrisisTreatmentEnded& command,
                    const CommandInfo& info);
// The reserved stream where policy adoptions are recorded (not a tenancy).
inline constexpr const char* kPolicyStream = "POLICIES";
CaseDecision Decide(const CaseState& state, const v1::AdoptPolicies& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::FlagVulnerability& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::RecordNoticeServed& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::RecordCourtDate& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::RecordCourtOutcome& command,
                    const CommandInfo& info);
CaseDecision Decide(const CaseState& state, const v1::RecordEvictionDate& command,
                    const CommandInfo& info);

// Folds one of the case's own events. `actor_id` is the envelope's actor (kept for the worklist).
void Evolve(CaseState& state, const CaseEvent& event, const std::string& actor_id);

// The rent account position the state holds, as policies read it.
struct CasePosition {
  core::Money balance;
  core::Money tenant_owed;       // balance less benefit still expected, never below zero
  core::Money benefit_expected;  // HB/UC for rent periods begun, not yet received
  core::Money uc_expected;       // the Universal Credit part
  core::Money weekly_gross_rent;
  core::Money payments_this_week;  // in `today`'s rent week
  core::Money charges_this_week;
  core::Money collectable;  // the balance less this week's postings (owed from before this week)
};
CasePosition PositionOn(const CaseState& state, core::Date today);

// The balance an arrangement is assessed on, on `today`: less the rent charged this week, which
// the tenant may still pay this week — a plan is not "breached" by Monday's rent before the
// tenant's usual payment day. (The plan's starting balance is the whole debt when agreed.)
core::Money PlanBalanceOn(const CaseState& state, core::Date today);

// Where the case stands, from its facts: the furthest step taken (CaseStage).
v1::CaseStage StageOf(const CaseState& state);

// The case's pauses and arrangement as the pure rules of pause.h and arrangement.h see them.
PauseBook PauseBookOf(const CaseState& state);
Arrangement ArrangementOf(const v1::Arrangement& arrangement);

// Dates as proto and back (unset proto date = nullopt).
std::optional<core::Date> DateOf(const common::v1::Date& date);
common::v1::Date ProtoDateOf(core::Date date);

}  // namespace rentstream::escalation
