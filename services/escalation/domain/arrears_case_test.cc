#include "services/escalation/domain/arrears_case.h"

#include <gtest/gtest.h>

namespace rentstream::escalation {
namespace {

using core::Date;

Date D(const char* iso) { return *Date::Parse(iso); }

common::v1::Date PD(const char* iso) { return ProtoDateOf(D(iso)); }

const CommandInfo kInfo{D("2026-06-10"), "officer-7"};

std::vector<CaseEvent> Accepted(const CaseDecision& d) {
  EXPECT_TRUE(std::holds_alternative<std::vector<CaseEvent>>(d))
      << std::get<common::v1::Rejection>(d).DebugString();
  return std::holds_alternative<std::vector<CaseEvent>>(d) ? std::get<std::vector<CaseEvent>>(d)
                                                           : std::vector<CaseEvent>{};
}

common::v1::Rejection Rejected(const CaseDecision& d) {
  EXPECT_TRUE(std::holds_alternative<common::v1::Rejection>(d));
  return std::holds_alternative<common::v1::Rejection>(d) ? std::get<common::v1::Rejection>(d)
                                                          : common::v1::Rejection{};
}

void Apply(CaseState& s, const CaseDecision& d, const std::string& actor = "officer-7") {
  for (const CaseEvent& e : Accepted(d)) Evolve(s, e, actor);
}

v1::LedgerActivityObserved Activity(const char* date, int64_t change, bool payment,
                                    int64_t weekly = 0, int64_t benefit = 0) {
  v1::LedgerActivityObserved a;
  *a.mutable_value_date() = PD(date);
  a.mutable_balance_change()->set_pence(change);
  a.set_payment(payment);
  a.mutable_weekly_gross_rent()->set_pence(weekly);
  a.mutable_benefit_expected_change()->set_pence(benefit);
  return a;
}

CaseState InArrears(int64_t pence) {
  CaseState s;
  Evolve(s, Activity("2026-06-01", pence, false, 10000), "");
  return s;
}

TEST(ArrearsCase, PositionFoldsChargesPaymentsAndTheRentWeek) {
  CaseState s;
  Evolve(s, Activity("2026-06-01", 10000, false, 10000), "");  // Monday's charge
  Evolve(s, Activity("2026-06-03", -4000, true), "");
  CasePosition p = PositionOn(s, D("2026-06-05"));
  EXPECT_EQ(p.balance.pence(), 6000);
  EXPECT_EQ(p.payments_this_week.pence(), 4000);
  EXPECT_EQ(p.charges_this_week.pence(), 10000);
  EXPECT_EQ(p.weekly_gross_rent.pence(), 10000);
  EXPECT_EQ(*DateOf(s.last_payment_date()), D("2026-06-03"));
  // The next rent week: this week's sums no longer apply.
  p = PositionOn(s, D("2026-06-08"));
  EXPECT_EQ(p.payments_this_week.pence(), 0);
  EXPECT_EQ(p.charges_this_week.pence(), 0);
}

TEST(ArrearsCase, BenefitExpectedIsNotTenantOwed) {
  CaseState s;
  Evolve(s, Activity("2026-06-01", 10000, false, 10000, 10000), "");  // HB covers it all
  CasePosition p = PositionOn(s, D("2026-06-02"));
  EXPECT_EQ(p.balance.pence(), 10000);
  EXPECT_EQ(p.benefit_expected.pence(), 10000);
  EXPECT_EQ(p.tenant_owed.pence(), 0);
  // The HB payment arrives: settles what was expected.
  Evolve(s, Activity("2026-06-26", -10000, true, 0, -10000), "");
  p = PositionOn(s, D("2026-06-26"));
  EXPECT_EQ(p.balance.pence(), 0);
  EXPECT_EQ(p.benefit_expected.pence(), 0);
}

TEST(ArrearsCase, ContactNeedsAKnownKindChannelAndPastDate) {
  v1::RecordContact c;
  c.mutable_contact()->set_kind("letter_one");
  c.mutable_contact()->set_channel(v1::CHANNEL_LETTER);
  c.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_DELIVERED);
  *c.mutable_contact()->mutable_date() = PD("2026-06-10");
  CaseState s = InArrears(30000);
  Apply(s, Decide(s, c, kInfo));
  ASSERT_EQ(s.contacts_size(), 1);
  EXPECT_EQ(s.last_officer_id(), "officer-7");

  v1::RecordContact bad = c;
  bad.mutable_contact()->set_kind("carrier_pigeon");
  EXPECT_EQ(Rejected(Decide(s, bad, kInfo)).field(), "contact.kind");
  bad = c;
  bad.mutable_contact()->set_channel(v1::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(Rejected(Decide(s, bad, kInfo)).field(), "contact.channel");
  bad = c;
  *bad.mutable_contact()->mutable_date() = PD("2026-06-11");
  EXPECT_EQ(Rejected(Decide(s, bad, kInfo)).field(), "contact.date");
  bad = c;
  bad.mutable_contact()->mutable_date()->set_month(13);
  EXPECT_EQ(Rejected(Decide(s, bad, kInfo)).field(), "contact.date");
}

v1::AgreeArrangement Plan(const char* id, int64_t pence) {
  v1::AgreeArrangement a;
  a.set_arrangement_id(id);
  a.set_kind(v1::ARRANGEMENT_KIND_INFORMAL);
  a.mutable_amount()->set_pence(pence);
  a.set_frequency(ledger::v1::FREQUENCY_WEEKLY);
  *a.mutable_start_date() = PD("2026-06-15");
  return a;
}

TEST(ArrearsCase, ArrangementLifecycle) {
  CaseState s = InArrears(30000);
  Apply(s, Decide(s, Plan("A1", 1000), kInfo));
  EXPECT_EQ(s.arrangement().state(), v1::ARRANGEMENT_STATE_LIVE);
  EXPECT_EQ(s.arrangement().starting_balance().pence(), 30000);
  EXPECT_EQ(s.arrangement().tolerance_days(), kDefaultToleranceDays);
  // One live plan at a time; ids are not reused.
  EXPECT_EQ(Rejected(Decide(s, Plan("A2", 1000), kInfo)).code(),
            common::v1::REJECTION_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(Rejected(Decide(s, Plan("A1", 1000), kInfo)).code(),
            common::v1::REJECTION_CODE_ALREADY_EXISTS);
  v1::CancelArrangement cancel;
  cancel.set_arrangement_id("A1");
  EXPECT_EQ(Rejected(Decide(s, cancel, kInfo)).field(), "reason");
  cancel.set_reason("tenant asked for a new plan");
  Apply(s, Decide(s, cancel, kInfo));
  EXPECT_EQ(s.arrangement().state(), v1::ARRANGEMENT_STATE_CANCELLED);
  Apply(s, Decide(s, Plan("A2", 1500), kInfo));
  EXPECT_EQ(s.arrangement().arrangement_id(), "A2");
}

TEST(ArrearsCase, ArrangementRefusalsNameTheCommandField) {
  CaseState s = InArrears(30000);
  EXPECT_EQ(Rejected(Decide(s, Plan("A1", 0), kInfo)).field(), "amount.pence");
  v1::AgreeArrangement far = Plan("A1", 1000);
  *far.mutable_start_date() = PD("2027-06-15");
  EXPECT_EQ(Rejected(Decide(s, far, kInfo)).field(), "start_date");
  v1::AgreeArrangement no_freq = Plan("A1", 1000);
  no_freq.set_frequency(ledger::v1::FREQUENCY_UNSPECIFIED);
  EXPECT_EQ(Rejected(Decide(s, no_freq, kInfo)).field(), "frequency");
  CaseState clear;
  EXPECT_EQ(Rejected(Decide(clear, Plan("A1", 1000), kInfo)).code(),
            common::v1::REJECTION_CODE_FAILED_PRECONDITION);
}

v1::PauseCase Pause(const char* id, v1::PauseKind kind, const char* from, const char* until) {
  v1::PauseCase p;
  p.set_pause_id(id);
  p.set_kind(kind);
  *p.mutable_from() = PD(from);
  if (until != nullptr) *p.mutable_until() = PD(until);
  p.set_reason("moratorium notified by the Insolvency Service");
  return p;
}

TEST(ArrearsCase, BreathingSpaceDefaultsToSixtyDaysAndVoidsNotices) {
  CaseState s = InArrears(80000);
  Apply(s, Decide(s, Pause("BS1", v1::PAUSE_KIND_BREATHING_SPACE_STANDARD, "2026-06-01", nullptr),
                  kInfo));
  ASSERT_EQ(s.pauses_size(), 1);
  EXPECT_EQ(*DateOf(s.pauses(0).until()), D("2026-07-30"));  // day 60
  v1::RecordNoticeServed notice;
  notice.mutable_notice()->set_kind(v1::NOTICE_KIND_SECTION_8);
  *notice.mutable_notice()->mutable_served_date() = PD("2026-06-09");
  EXPECT_EQ(Rejected(Decide(s, notice, kInfo)).field(), "notice.served_date");
  // A second standard moratorium within 12 months is refused.
  EXPECT_EQ(
      Rejected(Decide(s,
                      Pause("BS2", v1::PAUSE_KIND_BREATHING_SPACE_STANDARD, "2026-09-01", nullptr),
                      CommandInfo{D("2026-09-01"), "officer-7"}))
          .code(),
      common::v1::REJECTION_CODE_FAILED_PRECONDITION);
}

TEST(ArrearsCase, ResumeLiftsAPauseAndMentalHealthEndsThirtyDaysAfterTreatment) {
  CaseState s = InArrears(80000);
  Apply(s,
        Decide(s, Pause("MH", v1::PAUSE_KIND_BREATHING_SPACE_MENTAL_HEALTH, "2026-06-01", nullptr),
               kInfo));
  EXPECT_EQ(PauseBookOf(s).ActiveOn(D("2027-01-01")).size(), 1u);  // open-ended
  v1::NotifyCrisisTreatmentEnded ended;
  ended.set_pause_id("MH");
  *ended.mutable_treatment_ended_on() = PD("2026-06-20");
  Apply(s, Decide(s, ended, kInfo));
  EXPECT_TRUE(InForceOn(PauseBookOf(s).pauses()[0], D("2026-07-20")));
  EXPECT_FALSE(InForceOn(PauseBookOf(s).pauses()[0], D("2026-07-21")));

  Apply(s, Decide(s, Pause("OP", v1::PAUSE_KIND_OFFICER, "2026-06-10", "2026-08-10"), kInfo));
  v1::ResumeCase resume;
  resume.set_pause_id("OP");
  resume.set_reason("tenant back in contact");
  Apply(s, Decide(s, resume, CommandInfo{D("2026-06-20"), "officer-7"}));
  EXPECT_FALSE(InForceOn(*PauseBookOf(s).Find("OP"), D("2026-06-20")));
  resume.set_pause_id("nope");
  EXPECT_EQ(Rejected(Decide(s, resume, kInfo)).code(), common::v1::REJECTION_CODE_NOT_FOUND);
}

TEST(ArrearsCase, StageFollowsTheFurthestStepTaken) {
  CaseState s = InArrears(80000);
  EXPECT_EQ(StageOf(s), v1::CASE_STAGE_UNSPECIFIED);
  v1::CaseOpened opened;
  *opened.mutable_opened_on() = PD("2026-06-02");
  Evolve(s, opened, "");
  EXPECT_EQ(StageOf(s), v1::CASE_STAGE_MONITORING);
  v1::RecordCourtDate court;
  *court.mutable_court_date() = PD("2026-07-01");
  Apply(s, Decide(s, court, kInfo));
  EXPECT_EQ(StageOf(s), v1::CASE_STAGE_COURT);
  v1::RecordCourtOutcome outcome;
  outcome.set_outcome(v1::COURT_OUTCOME_SUSPENDED_ORDER);
  *outcome.mutable_outcome_date() = PD("2026-07-01");
  Apply(s, Decide(s, outcome, kInfo));
  EXPECT_EQ(s.court().outcome(), v1::COURT_OUTCOME_SUSPENDED_ORDER);
  Evolve(s, v1::CaseClosed(), "");
  EXPECT_EQ(StageOf(s), v1::CASE_STAGE_CLOSED);
}

}  // namespace
}  // namespace rentstream::escalation
