// The what-if replay against a history recorded by the live adapter (EscalationLogic, as the
// runtime drives it: a tick every day, ledger events and commands reviewed at once), so "the same
// policy decides the same" checks the replay against the real service, not against itself.
#include "services/escalation/app/policy_simulation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/escalation/app/escalation_logic.h"
#include "services/escalation/policy/loader.h"

namespace rentstream::escalation::app {
namespace {

using core::Date;
namespace lv1 = ::rentstream::ledger::v1;

Date D(const char* iso) { return *Date::Parse(iso); }

std::string PolicyText(const std::string& file) {
  std::ifstream in(std::string(RS_POLICY_DIR) + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<policy::PolicySet> Policies(const std::string& text, const std::string& name) {
  auto versions = policy::LoadPolicies(text, name);
  EXPECT_TRUE(versions.ok()) << versions.status();
  auto set = std::make_unique<policy::PolicySet>();
  if (!versions.ok()) return set;
  for (policy::Policy& p : *versions) EXPECT_TRUE(set->Add(std::move(p)).ok());
  return set;
}

google::protobuf::Timestamp At(Date day, int hour) {
  google::protobuf::Timestamp t;
  t.set_seconds(core::LondonMidnight(day) + hour * 3600);
  return t;
}

lv1::JournalLine Line(lv1::AccountRef account, int64_t pence) {
  lv1::JournalLine l;
  *l.mutable_account() = std::move(account);
  l.mutable_amount()->set_pence(pence);
  return l;
}

lv1::AccountRef Rent(const std::string& tenancy) {
  lv1::AccountRef a;
  a.mutable_tenant()->set_tenancy_ref(tenancy);
  a.mutable_tenant()->set_kind(lv1::ACCOUNT_KIND_RENT);
  return a;
}

lv1::AccountRef Control(lv1::ControlAccount c) {
  lv1::AccountRef a;
  a.set_control(c);
  return a;
}

// Records a history the way the live service would: the ledger's events on one log, and the
// escalation's events, decided by EscalationLogic and sealed as the runtime seals them, on the
// other. The escalation is ticked every day.
class RecordedHistory {
 public:
  explicit RecordedHistory(const policy::PolicySet& policies)
      : reviewer_(policies), logic_(reviewer_) {}

  void Open(const std::string& tenancy, Date day) {
    lv1::AccountOpened opened;
    opened.set_tenancy_ref(tenancy);
    opened.set_tenancy_type(lv1::TENANCY_TYPE_SECURE);
    opened.set_jurisdiction(lv1::JURISDICTION_ENGLAND);
    opened.set_patch("north");
    opened.add_tenant_ids("P-1");
    Ledger(tenancy, day, opened);
  }

  void Charge(const std::string& tenancy, Date day, int64_t pence) {
    lv1::ChargePosted charge;
    charge.set_account_kind(lv1::ACCOUNT_KIND_RENT);
    *charge.mutable_period_start() = ProtoDateOf(day);
    *charge.mutable_period_end() = ProtoDateOf(day.AddDays(6));
    lv1::Posting* p = charge.mutable_posting();
    p->set_posting_id(absl::StrCat("charge:", tenancy, ":", day.ToIso()));
    *p->mutable_value_date() = ProtoDateOf(day);
    *p->add_lines() = Line(Rent(tenancy), pence);
    *p->add_lines() = Line(Control(lv1::CONTROL_ACCOUNT_RENT_INCOME), -pence);
    charge.mutable_weekly_gross_rent()->set_pence(pence);
    Ledger(tenancy, day, charge);
  }

  void Pay(const std::string& tenancy, Date day, int64_t pence) {
    lv1::PaymentReceived paid;
    paid.set_account_kind(lv1::ACCOUNT_KIND_RENT);
    *paid.mutable_received_date() = ProtoDateOf(day);
    lv1::Posting* p = paid.mutable_posting();
    p->set_posting_id(absl::StrCat("pay:", tenancy, ":", day.ToIso()));
    *p->mutable_value_date() = ProtoDateOf(day);
    *p->add_lines() = Line(Rent(tenancy), -pence);
    *p->add_lines() = Line(Control(lv1::CONTROL_ACCOUNT_BANK), pence);
    Ledger(tenancy, day, paid);
  }

  // An officer (or the notifications service) records a contact.
  void Contact(const std::string& tenancy, Date day, const std::string& kind, v1::Channel channel) {
    v1::RecordContact c;
    c.mutable_contact()->set_kind(kind);
    c.mutable_contact()->set_channel(channel);
    c.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_DELIVERED);
    *c.mutable_contact()->mutable_date() = ProtoDateOf(day);
    common::v1::CommandEnvelope env;
    env.set_command_id(absl::StrCat("cmd-", ++ids_));
    env.set_tenancy_ref(tenancy);
    env.set_command_type(v1::RecordContact::descriptor()->full_name());
    *env.mutable_occurred_at() = At(day, 14);
    env.mutable_actor()->set_id("officer-1");
    runtime::Decision d = logic_.DecideCommand(View(tenancy), env, c.SerializeAsString());
    ASSERT_FALSE(d.rejection.has_value()) << d.rejection->DebugString();
    Record(tenancy, d, env.occurred_at(), env.command_id(), "officer-1");
  }

  // The business day opens: every case whose review date has come is reviewed.
  void Tick(Date day) {
    for (auto& [tenancy, state] : states_) {
      const int64_t due = logic_.NextReviewDay(state, nullptr);
      if (due == 0 || due > day.days_since_epoch()) continue;
      runtime::Decision d = logic_.DecideTick(View(tenancy), day.days_since_epoch());
      Record(tenancy, d, At(day, 0), absl::StrCat("tick:escalation:", day.ToIso()), "");
    }
  }

  // The recorded decisions of a tenancy in [from, to], as (day, rule).
  std::vector<std::pair<std::string, std::string>> Decisions(const std::string& tenancy, Date from,
                                                             Date to) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const common::v1::Event& e : escalation_) {
      v1::ActionDecided d;
      if (e.envelope().tenancy_ref() != tenancy ||
          e.envelope().event_type() != v1::ActionDecided::descriptor()->full_name() ||
          !d.ParseFromString(e.payload())) {
        continue;
      }
      const Date on = *DateOf(d.decision().decided_on());
      if (on >= from && on <= to) out.emplace_back(on.ToIso(), d.decision().rule_id());
    }
    return out;
  }

  const std::vector<common::v1::Event>& ledger() const { return ledger_; }
  const std::vector<common::v1::Event>& escalation() const { return escalation_; }

 private:
  runtime::StreamView View(const std::string& tenancy) {
    return {tenancy, sequences_[tenancy], states_[tenancy]};
  }

  void Ledger(const std::string& tenancy, Date day, const google::protobuf::Message& payload) {
    common::v1::Event e;
    common::v1::EventEnvelope& env = *e.mutable_envelope();
    env.set_event_id(absl::StrCat("ledger-", ++ids_));
    env.set_tenancy_ref(tenancy);
    env.set_sequence(++ledger_sequences_[tenancy]);
    env.set_event_type(payload.GetDescriptor()->full_name());
    *env.mutable_occurred_at() = At(day, 9);
    env.set_service("ledger");
    e.set_payload(payload.SerializeAsString());
    ledger_.push_back(e);
    runtime::Decision d = logic_.DecideEvent(View(tenancy), e);
    Record(tenancy, d, env.occurred_at(), env.event_id(), "escalation");
  }

  void Record(const std::string& tenancy, const runtime::Decision& d,
              const google::protobuf::Timestamp& occurred_at, const std::string& causation,
              const std::string& actor) {
    for (const runtime::NewEvent& ne : d.events) {
      common::v1::Event e;
      common::v1::EventEnvelope& env = *e.mutable_envelope();
      env.set_event_id(absl::StrCat("esc-", ++ids_));
      env.set_tenancy_ref(tenancy);
      env.set_sequence(++sequences_[tenancy]);
      env.set_event_type(ne.event_type);
      *env.mutable_occurred_at() = occurred_at;
      env.mutable_actor()->set_id(actor);
      env.set_causation_id(causation);
      env.set_service("escalation");
      e.set_payload(ne.payload);
      ASSERT_TRUE(logic_.Evolve(states_[tenancy], e).ok());
      escalation_.push_back(std::move(e));
    }
  }

  CaseReviewer reviewer_;
  EscalationLogic logic_;
  std::map<std::string, CaseState> states_;
  std::map<std::string, uint64_t> sequences_;
  std::map<std::string, uint64_t> ledger_sequences_;
  std::vector<common::v1::Event> ledger_;
  std::vector<common::v1::Event> escalation_;
  int ids_ = 0;
};

// Rent of £100 every Monday from 1 June 2026; paid until the end of June, then not at all.
// `with_contacts`: the SMS and letter the policy asks for are recorded as sent the next day.
void RecordArrears(RecordedHistory& h, const std::string& tenancy, bool with_contacts) {
  h.Open(tenancy, D("2026-05-29"));
  for (Date day = D("2026-05-30"); day <= D("2026-10-31"); day = day.AddDays(1)) {
    h.Tick(day);
    if (day.weekday() == core::Weekday::kMonday) {
      h.Charge(tenancy, day, 10000);
      if (day <= D("2026-06-29")) h.Pay(tenancy, day, 10000);
    }
    if (with_contacts && day == D("2026-07-14")) {
      h.Contact(tenancy, day, "sms_first", v1::CHANNEL_SMS);
    }
    if (with_contacts && day == D("2026-07-21")) {
      h.Contact(tenancy, day, "pre_action_letter", v1::CHANNEL_LETTER);
    }
  }
}

SimulationOptions Window(const char* from, const char* to) {
  SimulationOptions o;
  o.from = D(from);
  o.to = D(to);
  return o;
}

void ExpectAllSame(const SimulationReport& r) {
  EXPECT_GT(r.total.recorded, 2);
  EXPECT_EQ(r.total.simulated, r.total.recorded);
  EXPECT_EQ(r.total.same, r.total.recorded);
  EXPECT_EQ(r.total.different + r.total.only_recorded + r.total.only_simulated, 0);
  for (const DecisionDifference& d : r.differences) {
    ADD_FAILURE() << d.tenancy << " " << d.day.ToIso() << ": "
                  << (d.recorded ? d.recorded->rule_id : "-") << " -> "
                  << (d.simulated ? d.simulated->rule_id : "-");
  }
}

TEST(PolicySimulation, TheRecordingPolicyDecidesWhatWasRecorded) {
  auto england = Policies(PolicyText("england-default.yaml"), "england-default.yaml");
  RecordedHistory h(*england);
  RecordArrears(h, "HA-000001", /*with_contacts=*/true);
  RecordArrears(h, "HA-000002", /*with_contacts=*/false);
  ASSERT_FALSE(h.Decisions("HA-000001", D("2026-07-01"), D("2026-10-31")).empty());

  auto report =
      SimulatePolicy(h.ledger(), h.escalation(), *england, Window("2026-07-01", "2026-10-31"));
  ASSERT_TRUE(report.ok()) << report.status();
  ExpectAllSame(*report);
  EXPECT_EQ(report->tenancies_replayed, 2);

  // The policy adoptions' reserved stream is not a case.
  std::vector<common::v1::Event> with_adoption = h.escalation();
  common::v1::Event adopted;
  adopted.mutable_envelope()->set_tenancy_ref(kPolicyStream);
  adopted.mutable_envelope()->set_event_type(v1::PolicyAdopted::descriptor()->full_name());
  adopted.set_payload(v1::PolicyAdopted().SerializeAsString());
  with_adoption.insert(with_adoption.begin(), adopted);
  auto again =
      SimulatePolicy(h.ledger(), with_adoption, *england, Window("2026-07-01", "2026-10-31"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->tenancies_replayed, 2);
  ASSERT_EQ(report->tenancies.size(), 2u);
  EXPECT_FALSE(report->tenancies[0].ledger_derived);
}

// With no escalation log (the service was not running), the ledger's events are observed as the
// service would have observed them.
TEST(PolicySimulation, LedgerHistoryAloneIsObservedAsTheServiceWould) {
  auto england = Policies(PolicyText("england-default.yaml"), "england-default.yaml");
  RecordedHistory h(*england);
  RecordArrears(h, "HA-000002", /*with_contacts=*/false);
  const std::vector<common::v1::Event> recorded = h.escalation();

  // Ledger only: nothing recorded to compare with, so every decision is "only simulated"; they
  // fall on the same days and rules as the recorded run.
  auto alone = SimulatePolicy(h.ledger(), {}, *england, Window("2026-06-01", "2026-10-31"));
  ASSERT_TRUE(alone.ok()) << alone.status();
  ASSERT_EQ(alone->tenancies.size(), 1u);
  EXPECT_TRUE(alone->tenancies[0].ledger_derived);
  std::vector<std::pair<std::string, std::string>> simulated;
  for (const DecisionSummary& d : alone->tenancies[0].simulated) {
    simulated.emplace_back(d.day.ToIso(), d.rule_id);
  }
  EXPECT_EQ(simulated, h.Decisions("HA-000002", D("2026-06-01"), D("2026-10-31")));
  EXPECT_EQ(alone->total.only_simulated, alone->total.simulated);
}

TEST(PolicySimulation, AChangedThresholdShowsWhereDecisionsMove) {
  const std::string text = PolicyText("england-default.yaml");
  auto england = Policies(text, "england-default.yaml");
  RecordedHistory h(*england);
  // No letter recorded as sent: the variant's letter is not held back by the recorded one.
  RecordArrears(h, "HA-000001", /*with_contacts=*/false);

  // The variant waits a week longer before the Pre-Action letter.
  const std::string variant_text =
      absl::StrReplaceAll(text, {{"trigger: \"weeks_owed >= 2\"", "trigger: \"weeks_owed >= 3\""}});
  ASSERT_NE(variant_text, text) << "the pre_action_letter trigger moved in the shipped policy";
  auto variant = Policies(variant_text, "variant.yaml");

  const auto recorded = h.Decisions("HA-000001", D("2026-07-01"), D("2026-10-31"));
  std::string letter_day;
  for (const auto& [day, rule] : recorded) {
    if (rule == "pre_action_letter" && letter_day.empty()) letter_day = day;
  }
  ASSERT_FALSE(letter_day.empty());

  auto report =
      SimulatePolicy(h.ledger(), h.escalation(), *variant, Window("2026-07-01", "2026-10-31"));
  ASSERT_TRUE(report.ok()) << report.status();
  const DecisionTally& t = report->total;
  EXPECT_EQ(t.recorded, static_cast<int64_t>(recorded.size()));
  EXPECT_EQ(t.same + t.different + t.only_recorded, t.recorded);
  EXPECT_EQ(t.same + t.different + t.only_simulated, t.simulated);
  EXPECT_LT(t.same, t.recorded);
  ASSERT_FALSE(report->differences.empty());

  // On the day the letter was recommended the variant recommends something else or nothing, and
  // it recommends the letter a week later.
  bool letter_differs = false, letter_later = false;
  for (const DecisionDifference& d : report->differences) {
    EXPECT_EQ(d.tenancy, "HA-000001");
    if (d.recorded && d.recorded->rule_id == "pre_action_letter" && d.day.ToIso() == letter_day) {
      letter_differs = true;
      EXPECT_FALSE(d.simulated && d.simulated->rule_id == "pre_action_letter");
    }
    if (d.simulated && d.simulated->rule_id == "pre_action_letter") {
      letter_later |= d.day == D(letter_day.c_str()).AddDays(7);
    }
  }
  EXPECT_TRUE(letter_differs);
  EXPECT_TRUE(letter_later);
}

TEST(PolicySimulation, DifferencesAreCappedAndCounted) {
  auto england = Policies(PolicyText("england-default.yaml"), "england-default.yaml");
  auto hackney = Policies(PolicyText("examples/hackney-2020.yaml"), "hackney-2020.yaml");
  RecordedHistory h(*england);
  RecordArrears(h, "HA-000001", /*with_contacts=*/true);
  SimulationOptions o = Window("2026-06-01", "2026-10-31");
  o.max_differences = 1;
  auto report = SimulatePolicy(h.ledger(), h.escalation(), *hackney, o);
  ASSERT_TRUE(report.ok()) << report.status();
  const DecisionTally& t = report->total;
  const int64_t differences = t.different + t.only_recorded + t.only_simulated;
  ASSERT_GT(differences, 1);
  EXPECT_EQ(report->differences.size(), 1u);
  EXPECT_EQ(report->differences_not_listed, differences - 1);
  for (const DecisionSummary& d : report->tenancies[0].simulated) {
    EXPECT_EQ(d.policy_id, "hackney-2020");
  }
}

TEST(PolicySimulation, OneTenancyOnly) {
  auto england = Policies(PolicyText("england-default.yaml"), "england-default.yaml");
  RecordedHistory h(*england);
  RecordArrears(h, "HA-000001", /*with_contacts=*/true);
  RecordArrears(h, "HA-000002", /*with_contacts=*/false);
  SimulationOptions o = Window("2026-07-01", "2026-10-31");
  o.tenancy = "HA-000002";
  auto report = SimulatePolicy(h.ledger(), h.escalation(), *england, o);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->tenancies_replayed, 1);
  ASSERT_EQ(report->tenancies.size(), 1u);
  EXPECT_EQ(report->tenancies[0].tenancy, "HA-000002");
}

TEST(PolicySimulation, RefusesABadWindow) {
  auto england = Policies(PolicyText("england-default.yaml"), "england-default.yaml");
  EXPECT_EQ(SimulatePolicy({}, {}, *england, Window("2026-07-02", "2026-07-01")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SimulatePolicy({}, {}, *england, Window("2026-07-01", "2029-07-01")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(SimulatePolicy({}, {}, *england, Window("2026-07-01", "2029-06-30")).ok());
}

TEST(PolicySimulation, AnUndecodableEventIsDataLoss) {
  auto england = Policies(PolicyText("england-default.yaml"), "england-default.yaml");
  common::v1::Event e;
  e.mutable_envelope()->set_tenancy_ref("HA-000001");
  e.mutable_envelope()->set_event_type("rentstream.escalation.v1.FromTheFuture");
  EXPECT_EQ(SimulatePolicy({}, {e}, *england, Window("2026-07-01", "2026-07-31")).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace rentstream::escalation::app
