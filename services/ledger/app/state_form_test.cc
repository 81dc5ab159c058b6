// The ledger's stored state and how much of it a command decodes: the schedule and charged
// periods kept apart (ChargeParts) and left undecoded by a payment (StateParts), and the forms
// written before read as they are.
#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "libs/core/civil_date.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "services/ledger/app/day_runs.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic_fixture.h"

namespace rentstream::ledger::app {
namespace {

// The forms a state's schedule and charged periods were written in before ChargeParts.
enum class OlderForm {
  kRunsInFields,    // the state's own fields, the charged days as runs (briefly, session 17)
  kNumbers,         // the same, one number per charged day (before that)
  kLinesPerPeriod,  // one ChargedPeriod with its lines per day (before charged_runs)
};

state::v1::ChargeParts ChargePartsIn(const state::v1::TenancyLedgerState& state) {
  state::v1::ChargeParts parts;
  EXPECT_TRUE(parts.ParseFromString(state.charge_parts()));
  return parts;
}

// `current` (written as ChargeParts) in an older form.
state::v1::TenancyLedgerState InOlderForm(const state::v1::TenancyLedgerState& current,
                                          OlderForm form) {
  const state::v1::ChargeParts parts = ChargePartsIn(current);
  state::v1::TenancyLedgerState older = current;
  older.clear_charge_parts();
  *older.mutable_schedule() = parts.schedule();
  auto days_of = [](const auto& runs) {
    std::vector<int64_t> days;
    EXPECT_TRUE(AppendDaysOfRuns(runs, "runs", &days).ok());
    return days;
  };
  if (form == OlderForm::kRunsInFields) {
    *older.mutable_charged_period_runs() = parts.charged_period_runs();
  } else {
    const std::vector<int64_t> days = days_of(parts.charged_period_runs());
    older.mutable_charged_period_days()->Add(days.begin(), days.end());
  }
  for (const state::v1::ChargedRun& run : parts.charged_runs()) {
    const std::vector<int64_t> days = days_of(run.start_runs());
    if (form == OlderForm::kLinesPerPeriod) {
      for (int64_t day : days) {
        state::v1::ChargedPeriod* p = older.add_charged();
        p->set_start_day(day);
        *p->mutable_lines() = run.lines();
      }
      continue;
    }
    state::v1::ChargedRun& copy = *older.add_charged_runs();
    *copy.mutable_lines() = run.lines();
    if (form == OlderForm::kRunsInFields) {
      *copy.mutable_start_runs() = run.start_runs();
    } else {
      copy.mutable_start_days()->Add(days.begin(), days.end());
    }
  }
  return older;
}

TEST_F(LedgerLogicTest, AStateInAnOlderFormIsReadAsItIsAndRewrittenInTheNew) {
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2026, 5, 31);
  ASSERT_FALSE(Run(charges).rejection.has_value());
  const state::v1::TenancyLedgerState current = state();
  EXPECT_FALSE(current.has_schedule()) << "in charge_parts";
  EXPECT_EQ(current.charged_runs_size(), 0);
  const state::v1::ChargeParts parts = ChargePartsIn(current);
  ASSERT_EQ(parts.charged_period_runs_size(), 1) << "eight weeks, one run";
  EXPECT_EQ(parts.charged_period_runs(0).step_days(), 7u);
  EXPECT_EQ(parts.charged_period_runs(0).count(), 8u);
  ASSERT_EQ(parts.charged_runs_size(), 1);
  for (OlderForm form :
       {OlderForm::kRunsInFields, OlderForm::kNumbers, OlderForm::kLinesPerPeriod}) {
    const state::v1::TenancyLedgerState older = InOlderForm(current, form);
    auto decoded = FromProto(older, kTenancy);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->charged_periods.size(), 8u);
    EXPECT_EQ(decoded->charged_lines.size(), 8u);
    EXPECT_EQ(decoded->schedule.rates.size(), 1u);
    state::v1::TenancyLedgerState rewritten;
    ToProto(*decoded, &rewritten);
    EXPECT_EQ(rewritten.SerializeAsString(), current.SerializeAsString())
        << "re-encoded in the new form, byte for byte (form " << static_cast<int>(form) << ")";
    // What the review day reads, too.
    EXPECT_EQ(logic_.NextReviewDay(older, nullptr), logic_.NextReviewDay(current, nullptr));
  }
  // A payment into an older-form state, folded as the runtime folds it, leaves its older parts
  // as they are (only balances change), and the next charge reads them. (A fold from the topic
  // that encodes the whole state would rewrite them: here both folds encode only changes.)
  std::vector<std::string> history;
  history_ = &history;
  whole_logic_.set_encode_changes_only(true);
  state::v1::TenancyLedgerState older = InOlderForm(current, OlderForm::kNumbers);
  older.set_keyed_records(true);  // as the runtime's folds leave it
  state_->CopyFrom(older);
  memo_.reset();
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_CARD);
  pay.set_source("card");
  pay.set_external_reference("OLD-1");
  *pay.mutable_received_date() = ProtoDate(2026, 5, 1);
  *pay.mutable_amount() = ProtoPence(500);
  ASSERT_EQ(Run(pay).events.size(), 1u);
  EXPECT_EQ(state().charged_period_days_size(), 8);
  *charges.mutable_to() = ProtoDate(2026, 6, 7);
  ASSERT_EQ(Run(charges).events.size(), 1u) << "the ninth week only";
  EXPECT_EQ(ChargePartsIn(state()).charged_period_runs(0).count(), 9u);
  EXPECT_EQ(state().charged_period_days_size(), 0) << "rewritten in the new form";
  // A damaged charge_parts is refused, not read as no schedule.
  state::v1::TenancyLedgerState damaged = current;
  damaged.set_charge_parts("\xff\xff");
  EXPECT_EQ(FromProto(damaged, kTenancy).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(FromProto(damaged, kTenancy, false, StateParts::kForPayments).ok())
      << "a payment does not read it";
}

// A payment decodes the state without its schedule and charged periods (StateParts): what the
// logic keeps of it between calls then serves other payments, and a command that reads the rest
// decodes it whole — a charge after payments charges as one after a fresh decode would.
TEST_F(LedgerLogicTest, APaymentDecodesOnlyWhatItReadsAndACommandAfterItTheWholeState) {
  std::vector<std::string> history;
  history_ = &history;
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2026, 5, 3);
  ASSERT_EQ(Run(charges).events.size(), 4u);
  memo_.reset();  // as for an account loaded from the store: the payment decodes its part
  for (const char* reference : {"P1", "P2"}) {
    v1::RecordPayment pay;
    pay.set_method(v1::PAYMENT_METHOD_CARD);
    pay.set_source("card");
    pay.set_external_reference(reference);
    *pay.mutable_received_date() = ProtoDate(2026, 4, 20);
    *pay.mutable_amount() = ProtoPence(1000);
    ASSERT_EQ(Run(pay).events.size(), 1u);
  }
  ASSERT_NE(memo_, nullptr) << "kept between the calls";
  // The memo has no schedule now: the review day comes from the state, as without a memo.
  EXPECT_EQ(logic_.NextReviewDay(*state_, memo_.get()), logic_.NextReviewDay(*state_, nullptr));
  EXPECT_EQ(logic_.NextReviewDay(*state_, nullptr),
            core::Date::FromYmd(2026, 5, 4)->days_since_epoch());
  *charges.mutable_from() = ProtoDate(2026, 4, 6);  // the four charged already, and four more
  *charges.mutable_to() = ProtoDate(2026, 5, 31);
  const runtime::Decision more = Run(charges);
  ASSERT_EQ(more.events.size(), 4u) << "charged from the whole state, not the payments' part";
  EXPECT_EQ(RentBalance(), 8 * 11050 - 2000);
}

// A charge adds periods after the last: the fold extends the charge parts its decision decoded
// (kept in the memo) instead of building them whole. The fixture folds every event both ways —
// live with the memo, and from the topic without one, the parts built whole — and compares the
// states byte for byte; this drives the extension through what changes the parts' form: rent
// changes (a new set of lines), rent-free weeks (gaps), a rent charged again after another (an
// earlier run extended), several periods in one command, a schedule change and credited periods
// (after which the parts are built whole).
TEST_F(LedgerLogicTest, ChargesAddedToTheDecodedPartsEncodeAsTheWholeStateWould) {
  std::vector<std::string> history;
  history_ = &history;
  v1::OpenAccount open = OpenCommand();
  v1::RentSchedule& schedule = *open.mutable_schedule();
  auto add_rate = [](v1::RentSchedule& s, core::Date from, int64_t pence) {
    v1::RentRate& rate = *s.add_rates();
    *rate.mutable_effective_from() = ProtoDate(from.year(), from.month(), from.day());
    v1::ChargeLine& line = *rate.add_lines();
    line.set_kind(v1::CHARGE_KIND_NET_RENT);
    line.set_code("RNT");
    *line.mutable_amount() = ProtoPence(pence);
  };
  add_rate(schedule, *core::Date::FromYmd(2026, 7, 6), 12000);
  add_rate(schedule, *core::Date::FromYmd(2026, 10, 5), 11050);  // the first rent again
  *schedule.add_rent_free_periods() = ProtoDate(2026, 8, 3);
  *schedule.add_rent_free_periods() = ProtoDate(2026, 12, 28);
  ASSERT_FALSE(Run(open).rejection.has_value());

  const core::Date start = *core::Date::FromYmd(2026, 4, 6);
  size_t charged = 0;
  auto charge_to = [&](core::Date to) {
    v1::PostCharges c;
    *c.mutable_from() = ProtoDate(2026, 4, 6);
    *c.mutable_to() = ProtoDate(to.year(), to.month(), to.day());
    const runtime::Decision d = Run(c);
    EXPECT_FALSE(d.rejection.has_value());
    charged += d.events.size();
  };
  // One to three weeks a command; the memo dropped now and then, as for an account loaded again.
  core::Date to = start;
  for (int step = 0; to < *core::Date::FromYmd(2027, 1, 31); ++step) {
    to = to.AddDays(7 * (1 + step % 3));
    charge_to(to);
    if (step % 4 == 3) memo_.reset();
  }
  const int64_t weeks = (to.days_since_epoch() - start.days_since_epoch()) / 7 + 1;
  EXPECT_EQ(charged, static_cast<size_t>(weeks - 2))
      << "every week to " << to.ToIso() << " but the two rent-free";
  {
    const state::v1::ChargeParts parts = ChargePartsIn(state());
    ASSERT_EQ(parts.charged_runs_size(), 2) << "two rents, the first charged again";
    EXPECT_GT(parts.charged_runs(0).start_runs_size(), 1) << "its periods in two stretches";
    EXPECT_GT(parts.charged_period_runs_size(), 2) << "rent-free weeks break the runs";
  }

  v1::ChangeRentSchedule change;
  *change.mutable_schedule() = schedule;
  add_rate(*change.mutable_schedule(), *core::Date::FromYmd(2027, 4, 5), 13000);
  change.set_reason("annual increase");
  ASSERT_FALSE(Run(change).rejection.has_value());
  charge_to(*core::Date::FromYmd(2027, 5, 2));
  EXPECT_EQ(ChargePartsIn(state()).charged_runs_size(), 3);

  v1::TerminateTenancy end;
  *end.mutable_end_date() = ProtoDate(2027, 4, 18);
  end.set_reason("moved out");
  ASSERT_FALSE(Run(end).rejection.has_value());  // the two weeks after it credited
  EXPECT_EQ(ChargePartsIn(state()).charged_runs(2).start_runs(0).count(), 2u);
}

void AddRentRate(v1::RentSchedule& s, core::Date from, int64_t pence, int64_t heating = 0) {
  v1::RentRate& rate = *s.add_rates();
  *rate.mutable_effective_from() = ProtoDate(from.year(), from.month(), from.day());
  v1::ChargeLine& line = *rate.add_lines();
  line.set_kind(v1::CHARGE_KIND_NET_RENT);
  line.set_code("RNT");
  *line.mutable_amount() = ProtoPence(pence);
  if (heating != 0) {
    v1::ChargeLine& more = *rate.add_lines();
    more.set_kind(v1::CHARGE_KIND_NET_RENT);
    more.set_code("HTG");
    *more.mutable_amount() = ProtoPence(heating);
  }
}

// As the test above, for calendar months from the 31st (periods clamped to months' ends), and
// for rents changing every fortnight (several new sets of lines in one command) — each with
// the memo kept between commands, and with the state decoded for every command.
TEST_F(LedgerLogicTest, MonthlyChargesAndManyNewRentsExtendTheDecodedPartsAsAWholeEncode) {
  for (const bool forget : {false, true}) {
    SCOPED_TRACE(forget ? "decoded for every command" : "memo kept");
    for (const bool monthly : {true, false}) {
      SCOPED_TRACE(monthly ? "monthly from the 31st" : "a new rent every fortnight");
      state_ = logic_.NewState();
      memo_.reset();
      keyed_.clear();
      sequence_ = 0;
      std::vector<std::string> history;
      history_ = &history;
      forget_memo_ = forget;
      v1::OpenAccount open = OpenCommand();
      v1::RentSchedule& schedule = *open.mutable_schedule();
      schedule.clear_rates();
      core::Date start = *core::Date::FromYmd(2026, 4, 6);
      if (monthly) {
        start = *core::Date::FromYmd(2026, 1, 31);
        *open.mutable_start_date() = ProtoDate(2026, 1, 31);
        schedule.set_frequency(v1::FREQUENCY_CALENDAR_MONTHLY);
        *schedule.mutable_anchor() = ProtoDate(2026, 1, 31);
        for (const auto& [y, m, d, pence] :
             std::vector<std::tuple<int, int, int, int64_t>>{{2026, 1, 31, 50000},
                                                             {2026, 6, 30, 52000},
                                                             {2026, 9, 30, 50000},
                                                             {2027, 3, 31, 53000},
                                                             {2027, 5, 31, 50000}}) {
          AddRentRate(schedule, *core::Date::FromYmd(y, m, d), pence);
        }
        *schedule.add_rent_free_periods() = ProtoDate(2026, 4, 30);
        *schedule.add_rent_free_periods() = ProtoDate(2027, 2, 28);
      } else {
        AddRentRate(schedule, start, 11050);
        core::Date from = *core::Date::FromYmd(2026, 4, 20);
        int k = 0;
        for (int64_t pence : {12000, 13000, 11050, 14000, 12000, 15000, 16000, 13000, 11050}) {
          AddRentRate(schedule, from, pence, k++ % 3 == 0 ? 500 : 0);
          from = from.AddDays(14);
        }
        *schedule.add_rent_free_periods() = ProtoDate(2026, 5, 25);
      }
      ASSERT_FALSE(Run(open).rejection.has_value());
      size_t charged = 0;
      const core::Date until =
          monthly ? *core::Date::FromYmd(2029, 1, 1) : *core::Date::FromYmd(2026, 12, 31);
      core::Date to = start;
      for (int step = 0; to < until; ++step) {
        to = monthly ? to.AddDays(20 + 17 * (step % 4)) : to.AddDays(7 * (5 + step % 2));
        v1::PostCharges c;
        *c.mutable_from() = ProtoDate(start.year(), start.month(), start.day());
        *c.mutable_to() = ProtoDate(to.year(), to.month(), to.day());
        const runtime::Decision d = Run(c);
        EXPECT_FALSE(d.rejection.has_value());
        charged += d.events.size();
        if (!forget && step % 5 == 4) memo_.reset();  // as for an account loaded again
      }
      EXPECT_GT(charged, 30u);
      EXPECT_GT(ChargePartsIn(state()).charged_runs_size(), monthly ? 2 : 6);
    }
  }
}

// Charge parts stored in a form ToProto does not write (here one run of weeks split in two) are
// written whole by the next charge, as a rebuild from the events would write them.
TEST_F(LedgerLogicTest, StoredPartsInAnotherFormAreWrittenWholeByTheNextCharge) {
  std::vector<std::string> history;
  history_ = &history;
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::PostCharges c;
  *c.mutable_from() = ProtoDate(2026, 4, 6);
  *c.mutable_to() = ProtoDate(2026, 6, 1);
  ASSERT_FALSE(Run(c).rejection.has_value());
  state::v1::ChargeParts parts = ChargePartsIn(state());
  ASSERT_EQ(parts.charged_period_runs_size(), 1);
  state::v1::DayRun first = parts.charged_period_runs(0);
  ASSERT_GT(first.count(), 3u);
  state::v1::DayRun second = first;
  first.set_count(2);
  second.set_first_day(first.first_day() + 2 * first.step_days());
  second.set_count(parts.charged_period_runs(0).count() - 2);
  parts.clear_charged_period_runs();
  *parts.add_charged_period_runs() = first;
  *parts.add_charged_period_runs() = second;
  static_cast<state::v1::TenancyLedgerState&>(*state_).set_charge_parts(parts.SerializeAsString());
  memo_.reset();
  *c.mutable_to() = ProtoDate(2026, 6, 15);
  ASSERT_EQ(Run(c).events.size(), 2u);  // the fixture compares the fold with a whole encode
  EXPECT_EQ(ChargePartsIn(state()).charged_period_runs_size(), 1) << "one run again";
}

}  // namespace
}  // namespace rentstream::ledger::app
