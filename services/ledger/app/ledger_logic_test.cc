#include "services/ledger/app/ledger_logic.h"

#include <gtest/gtest.h>

#include <functional>

#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic_fixture.h"

namespace rentstream::ledger::app {
namespace {

TEST_F(LedgerLogicTest, OpenChargePayReverseThroughTheContract) {
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2026, 4, 26);
  runtime::Decision d = Run(charges);
  ASSERT_FALSE(d.rejection.has_value());
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(d.events[0].event_type, "rentstream.ledger.v1.ChargePosted");
  v1::ChargePosted first;
  ASSERT_TRUE(first.ParseFromString(d.events[0].payload));
  EXPECT_EQ(first.posting().posting_id(), "charge:HA-000123:rent:2026-04-06");
  ASSERT_EQ(first.posting().lines_size(), 2);
  EXPECT_EQ(first.posting().lines(0).amount().pence() + first.posting().lines(1).amount().pence(),
            0);
  EXPECT_EQ(RentBalance(), 3 * 11050);
  EXPECT_TRUE(Run(charges).events.empty());  // idempotent per period

  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_DIRECT_DEBIT);
  pay.set_source("bacs");
  pay.set_external_reference("DD-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(11050);
  ASSERT_FALSE(Run(pay).rejection.has_value());
  EXPECT_EQ(RentBalance(), 2 * 11050);
  runtime::Decision again = Run(pay);
  ASSERT_TRUE(again.rejection.has_value());
  EXPECT_EQ(again.rejection->code(), common::v1::REJECTION_CODE_ALREADY_EXISTS);
  EXPECT_EQ(again.rejection->field(), "external_reference");

  v1::ReversePayment reverse;
  reverse.set_original_posting_id("payment:bacs:DD-1");
  *reverse.mutable_value_date() = ProtoDate(2026, 4, 14);
  reverse.set_reason("returned unpaid");
  ASSERT_FALSE(Run(reverse).rejection.has_value());
  EXPECT_EQ(RentBalance(), 3 * 11050);

  // The state survives its own encoding.
  auto decoded = FromProto(state(), kTenancy);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  state::v1::TenancyLedgerState again_encoded;
  ToProto(*decoded, &again_encoded);
  EXPECT_EQ(again_encoded.SerializeAsString(), state().SerializeAsString());
}

TEST_F(LedgerLogicTest, WriteOffsNeedAnotherApproverWithTheRole) {
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2026, 4, 26);
  ASSERT_FALSE(Run(charges).rejection.has_value());
  v1::RequestWriteOff request;
  request.set_request_id("wo-1");
  *request.mutable_amount() = ProtoPence(2000);
  request.set_reason_code("SMALL");
  request.set_reason("small balance, no contact");
  ASSERT_FALSE(Run(request, "officer-7").rejection.has_value());
  v1::ApproveWriteOff approve;
  approve.set_request_id("wo-1");
  *approve.mutable_value_date() = ProtoDate(2026, 5, 1);
  runtime::Decision self = Run(approve, "officer-7", common::v1::ACTOR_ROLE_TEAM_LEADER);
  ASSERT_TRUE(self.rejection.has_value());
  EXPECT_EQ(self.rejection->code(), common::v1::REJECTION_CODE_PERMISSION_DENIED);
  EXPECT_EQ(self.rejection->field(), "actor");
  EXPECT_EQ(Run(approve, "officer-8", common::v1::ACTOR_ROLE_OFFICER).rejection->code(),
            common::v1::REJECTION_CODE_PERMISSION_DENIED);
  runtime::Decision ok = Run(approve, "leader-2", common::v1::ACTOR_ROLE_TEAM_LEADER);
  ASSERT_FALSE(ok.rejection.has_value());
  ASSERT_EQ(ok.events.size(), 1u);
  EXPECT_EQ(ok.events[0].event_type, "rentstream.ledger.v1.WriteOffApproved");
  EXPECT_EQ(RentBalance(), 3 * 11050 - 2000);
  // Pending and closed requests survive the state's encoding.
  auto decoded = FromProto(state(), kTenancy);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->closed_write_offs.count("wo-1"));
  EXPECT_EQ(Run(approve, "manager-1", common::v1::ACTOR_ROLE_INCOME_MANAGER).rejection->code(),
            common::v1::REJECTION_CODE_NOT_FOUND);
}

// Corrections move money with no payment or charge behind them: a person makes them; of the
// machines only the bank file's integration, and only to reverse a payment (a returned direct
// debit). A refusal is a rejection like any other (recorded by the host), naming the actor.
TEST_F(LedgerLogicTest, CorrectionsAreMadeByPeopleAndReversalsAlsoByTheIntegration) {
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_DIRECT_DEBIT);
  pay.set_source("bacs");
  pay.set_external_reference("DD-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(20000);
  // A payment comes from anyone the edge lets send commands: here the file's integration.
  ASSERT_FALSE(Run(pay, "bank-feed", common::v1::ACTOR_ROLE_INTEGRATION).rejection.has_value());

  v1::IssueRefund refund;
  *refund.mutable_amount() = ProtoPence(1000);
  *refund.mutable_value_date() = ProtoDate(2026, 4, 9);
  refund.set_reason("credit balance");
  v1::PostAdjustment adjust;
  *adjust.mutable_amount() = ProtoPence(-500);
  *adjust.mutable_value_date() = ProtoDate(2026, 4, 9);
  adjust.set_reason_code("GOODWILL");
  adjust.set_reason("repair delay");
  v1::RequestWriteOff write_off;
  write_off.set_request_id("wo-1");
  *write_off.mutable_amount() = ProtoPence(100);
  write_off.set_reason_code("SMALL");
  for (common::v1::ActorRole machine :
       {common::v1::ACTOR_ROLE_INTEGRATION, common::v1::ACTOR_ROLE_SERVICE,
        common::v1::ACTOR_ROLE_SCHEDULER, common::v1::ACTOR_ROLE_AUDITOR,
        common::v1::ACTOR_ROLE_UNSPECIFIED}) {
    for (const google::protobuf::Message* correction :
         std::initializer_list<const google::protobuf::Message*>{&refund, &adjust}) {
      runtime::Decision d = Run(*correction, "machine-1", machine);
      ASSERT_TRUE(d.rejection.has_value()) << common::v1::ActorRole_Name(machine);
      EXPECT_EQ(d.rejection->code(), common::v1::REJECTION_CODE_PERMISSION_DENIED);
      EXPECT_EQ(d.rejection->field(), "actor");
      EXPECT_TRUE(d.events.empty());  // the host records the refusal (CommandRejected)
    }
  }
  // A write-off is asked for by a person too (the account owes nothing yet: refused later).
  EXPECT_EQ(Run(write_off, "bank-feed", common::v1::ACTOR_ROLE_INTEGRATION).rejection->field(),
            "actor");
  EXPECT_EQ(Run(write_off, "officer-7").rejection->field(), "amount");
  EXPECT_EQ(RentBalance(), -20000);  // nothing above moved money

  for (common::v1::ActorRole person :
       {common::v1::ACTOR_ROLE_OFFICER, common::v1::ACTOR_ROLE_TEAM_LEADER,
        common::v1::ACTOR_ROLE_INCOME_MANAGER}) {
    ASSERT_FALSE(Run(refund, "person-1", person).rejection.has_value())
        << common::v1::ActorRole_Name(person);
  }
  ASSERT_FALSE(Run(adjust, "officer-7").rejection.has_value());
  EXPECT_EQ(RentBalance(), -20000 + 3 * 1000 - 500);

  v1::ReversePayment reverse;
  reverse.set_original_posting_id("payment:bacs:DD-1");
  *reverse.mutable_value_date() = ProtoDate(2026, 4, 14);
  reverse.set_reason("returned unpaid (ARUDD)");
  EXPECT_EQ(Run(reverse, "svc", common::v1::ACTOR_ROLE_SERVICE).rejection->field(), "actor");
  ASSERT_FALSE(Run(reverse, "bank-feed", common::v1::ACTOR_ROLE_INTEGRATION).rejection.has_value());
  EXPECT_EQ(RentBalance(), 3 * 1000 - 500);

  // A transfer is a correction; a sundry charge is not (the legal service posts court costs).
  v1::TransferOut out;
  out.set_transfer_id("t-1");
  out.set_to_tenancy_ref("HA-000456");
  *out.mutable_amount() = ProtoPence(100);
  *out.mutable_value_date() = ProtoDate(2026, 4, 15);
  out.set_reason_code("CREDIT");
  out.set_reason("credit moved");
  EXPECT_EQ(Run(out, "legal", common::v1::ACTOR_ROLE_SERVICE).rejection->field(), "actor");
  v1::PostSundryCharge costs;
  costs.set_account_kind(v1::ACCOUNT_KIND_SUNDRY_DEBT);
  costs.set_code("COURT");
  costs.set_description("court costs");
  *costs.mutable_amount() = ProtoPence(35500);
  *costs.mutable_value_date() = ProtoDate(2026, 4, 15);
  runtime::Decision charged = Run(costs, "legal", common::v1::ACTOR_ROLE_SERVICE);
  EXPECT_FALSE(charged.rejection.has_value()) << charged.rejection->ShortDebugString();
}

TEST_F(LedgerLogicTest, ATransferIsTwoStepsOnTwoStreamsThroughTheContract) {
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_CARD);
  pay.set_source("card");
  pay.set_external_reference("C-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(5000);
  ASSERT_FALSE(Run(pay).rejection.has_value());
  v1::TransferOut out;
  out.set_transfer_id("t-1");
  out.set_to_tenancy_ref("HA-000456");
  *out.mutable_amount() = ProtoPence(3000);
  *out.mutable_value_date() = ProtoDate(2026, 4, 10);
  out.set_reason_code("CREDIT");
  out.set_reason("credit moved to the new tenancy");
  EXPECT_EQ(Run(out).rejection->field(), "actor");  // the officer is named
  runtime::Decision d = Run(out, "officer-7");
  ASSERT_FALSE(d.rejection.has_value()) << d.rejection->reason();
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].event_type, "rentstream.ledger.v1.TransferredOut");
  v1::TransferredOut event;
  ASSERT_TRUE(event.ParseFromString(d.events[0].payload));
  EXPECT_EQ(event.transferred_by(), "officer-7");
  EXPECT_EQ(event.posting().posting_id(), "transfer-out:HA-000123:t-1");
  EXPECT_EQ(event.posting().lines(1).account().control(), v1::CONTROL_ACCOUNT_TRANSFERS);
  EXPECT_EQ(RentBalance(), -2000);
  EXPECT_TRUE(Run(out, "officer-7").events.empty());  // the same transfer again
  auto decoded = FromProto(state(), kTenancy);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->transfers_out.at("t-1").amount, core::Money::FromPence(3000));
  state::v1::TenancyLedgerState encoded;
  ToProto(*decoded, &encoded);
  EXPECT_EQ(encoded.SerializeAsString(), state().SerializeAsString());

  // Step 2 on the target's stream: refused while it has no account, accepted once it has.
  auto target = logic_.NewState();
  auto receive = [&](const google::protobuf::Message& payload) {
    common::v1::CommandEnvelope env;
    env.mutable_actor()->set_id("officer-7");
    env.mutable_actor()->set_role(common::v1::ACTOR_ROLE_OFFICER);
    env.set_tenancy_ref("HA-000456");
    env.set_command_type(payload.GetDescriptor()->full_name());
    runtime::StreamView view{"HA-000456", 0, *target};
    runtime::Decision r = logic_.DecideCommand(view, env, payload.SerializeAsString());
    for (const runtime::NewEvent& ne : r.events) {
      common::v1::Event ev;
      ev.mutable_envelope()->set_tenancy_ref("HA-000456");
      ev.mutable_envelope()->set_event_type(ne.event_type);
      ev.set_payload(ne.payload);
      EXPECT_TRUE(logic_.Evolve(*target, ev).ok());
    }
    return r;
  };
  v1::TransferIn in;
  in.set_transfer_id("t-1");
  in.set_from_tenancy_ref(kTenancy);
  *in.mutable_amount() = ProtoPence(3000);
  *in.mutable_value_date() = ProtoDate(2026, 4, 10);
  in.set_reason_code("CREDIT");
  in.set_reason("credit moved to the new tenancy");
  runtime::Decision refused = receive(in);
  ASSERT_TRUE(refused.rejection.has_value());
  EXPECT_EQ(refused.rejection->code(), common::v1::REJECTION_CODE_NOT_FOUND);
  EXPECT_EQ(refused.rejection->field(), "tenancy_ref");
  ASSERT_FALSE(receive(OpenCommand()).rejection.has_value());
  runtime::Decision received = receive(in);
  ASSERT_EQ(received.events.size(), 1u);
  EXPECT_EQ(received.events[0].event_type, "rentstream.ledger.v1.TransferredIn");
  EXPECT_TRUE(receive(in).events.empty()) << "received once";
  auto b = FromProto(static_cast<const state::v1::TenancyLedgerState&>(*target), "HA-000456");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->balances.at(AccountKind::kRent), core::Money::FromPence(-3000));
  EXPECT_TRUE(b->transfers_in.count("transfer-in:HA-000123:t-1"));

  v1::TransferOut bad = out;
  bad.set_to_tenancy_ref("ha 456");
  EXPECT_EQ(Run(bad, "officer-7").rejection->field(), "to_tenancy_ref");
}

TEST_F(LedgerLogicTest, TerminationCreditsTheSplitPeriodProRata) {
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2026, 4, 13);
  ASSERT_FALSE(Run(charges).rejection.has_value());
  v1::TerminateTenancy end;
  *end.mutable_end_date() = ProtoDate(2026, 4, 14);  // Tuesday: 5 of 7 days after it
  end.set_reason("moved out");
  runtime::Decision d = Run(end);
  ASSERT_EQ(d.events.size(), 2u);
  v1::ChargeCredited credit;
  ASSERT_TRUE(credit.ParseFromString(d.events[0].payload));
  EXPECT_EQ(credit.days_credited(), 5);
  EXPECT_EQ(credit.days_in_period(), 7);
  EXPECT_EQ(credit.period_end().day(), 19);
  EXPECT_EQ(credit.posting().lines(0).amount().pence(), -7893);  // 11050 × 5 / 7, rounded up
  auto decoded = EventFromProto(d.events[0].event_type, d.events[0].payload);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<ChargeCredited>(*decoded).days_credited, 5);
}

TEST_F(LedgerLogicTest, TheSuspenseStreamTakesOnlySuspenseCommands) {
  common::v1::CommandEnvelope env;
  env.set_tenancy_ref(kSuspenseStream);
  env.set_command_type(v1::OpenAccount::descriptor()->full_name());
  auto refused = logic_.Validate(env, OpenCommand().SerializeAsString());
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->field(), "tenancy_ref");
  EXPECT_EQ(refused->code(), common::v1::REJECTION_CODE_INVALID_ARGUMENT);
  v1::SuspendPayment suspend;
  suspend.set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
  suspend.set_source("bank");
  suspend.set_external_reference("BT-1");
  *suspend.mutable_received_date() = ProtoDate(2026, 4, 8);
  *suspend.mutable_amount() = ProtoPence(1000);
  env.set_command_type(v1::SuspendPayment::descriptor()->full_name());
  EXPECT_FALSE(logic_.Validate(env, suspend.SerializeAsString()).has_value());
  // Deciding without validating first (as the processor does) refuses it alike.
  tenancy_ = kSuspenseStream;
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_CASH);
  pay.set_source("till");
  pay.set_external_reference("C-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(100);
  const v1::OpenAccount open_here = OpenCommand();
  for (const google::protobuf::Message* m :
       std::initializer_list<const google::protobuf::Message*>{&pay, &open_here}) {
    runtime::Decision decided = Run(*m);
    ASSERT_TRUE(decided.rejection.has_value()) << m->GetDescriptor()->full_name();
    EXPECT_EQ(decided.rejection->field(), "tenancy_ref");
  }
  EXPECT_FALSE(Run(suspend).rejection.has_value());
  // The domain refuses it too, whoever asks.
  TenancyLedger suspense;
  suspense.info.tenancy_ref = kSuspenseStream;
  auto open = FromProto(OpenCommand(), kSuspenseStream);
  ASSERT_TRUE(open.ok());
  Decision d = Decide(suspense, *open);
  ASSERT_TRUE(std::holds_alternative<Refusal>(d));
  EXPECT_EQ(std::get<Refusal>(d).field, "tenancy_ref");
}

// The processor decides without validating first (DecisionValidates): a command its validation
// refuses is refused before the stored state is read, so a state that does not decode fails
// only the commands that need it.
TEST_F(LedgerLogicTest, AnInvalidCommandIsRefusedWithoutReadingTheStoredState) {
  state::v1::TenancyLedgerState corrupt;
  corrupt.set_opened(true);
  state::v1::ChargedRun& run = *corrupt.add_charged_runs();
  run.add_start_days(20000);
  run.add_lines()->set_kind(static_cast<v1::ChargeKind>(42));
  common::v1::CommandEnvelope env;
  env.set_tenancy_ref(kTenancy);
  env.set_command_type(v1::RecordPayment::descriptor()->full_name());
  v1::RecordPayment pay;
  pay.set_source("till");
  pay.set_external_reference("C-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(100);  // no method: validation refuses it
  ASSERT_TRUE(logic_.Validate(env, pay.SerializeAsString()).has_value());
  runtime::StreamView view{kTenancy, 1, corrupt};
  runtime::Decision refused = logic_.DecideCommand(view, env, pay.SerializeAsString());
  EXPECT_TRUE(refused.fault.ok()) << refused.fault;
  ASSERT_TRUE(refused.rejection.has_value());
  EXPECT_EQ(refused.rejection->field(), "method");
  pay.set_method(v1::PAYMENT_METHOD_CASH);
  runtime::Decision needs_state = logic_.DecideCommand(view, env, pay.SerializeAsString());
  EXPECT_EQ(needs_state.fault.code(), absl::StatusCode::kDataLoss) << needs_state.fault;
}

TEST_F(LedgerLogicTest, MalformedCommandsAreRefusedNamingTheField) {
  v1::OpenAccount bad_date = OpenCommand();
  bad_date.mutable_start_date()->set_month(13);
  runtime::Decision d = Run(bad_date);
  ASSERT_TRUE(d.rejection.has_value());
  EXPECT_EQ(d.rejection->code(), common::v1::REJECTION_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(d.rejection->field(), "start_date");

  v1::OpenAccount no_frequency = OpenCommand();
  no_frequency.mutable_schedule()->clear_frequency();
  EXPECT_EQ(Run(no_frequency).rejection->field(), "schedule.frequency");

  v1::OpenAccount bad_line = OpenCommand();
  bad_line.mutable_schedule()->mutable_rates(0)->mutable_lines(0)->set_kind(
      static_cast<v1::ChargeKind>(42));
  EXPECT_EQ(Run(bad_line).rejection->field(), "schedule.rates[0].lines[0].kind");

  v1::OpenAccount bad_rate_date = OpenCommand();
  *bad_rate_date.mutable_schedule()->add_rates() = bad_rate_date.schedule().rates(0);
  bad_rate_date.mutable_schedule()->mutable_rates(1)->mutable_effective_from()->set_day(32);
  EXPECT_EQ(Run(bad_rate_date).rejection->field(), "schedule.rates[1].effective_from");

  v1::OpenAccount bad_rent_free = OpenCommand();
  *bad_rent_free.mutable_schedule()->add_rent_free_periods() = ProtoDate(2026, 8, 3);
  bad_rent_free.mutable_schedule()->add_rent_free_periods()->set_month(0);
  EXPECT_EQ(Run(bad_rent_free).rejection->field(), "schedule.rent_free_periods[1]");

  v1::RecordPayment pay;
  pay.set_source("bacs");
  pay.set_external_reference("X");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(100);
  EXPECT_EQ(Run(pay).rejection->field(), "method");  // unspecified method

  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  pay.set_method(v1::PAYMENT_METHOD_CASH);
  *pay.mutable_amount() = ProtoPence(0);
  EXPECT_EQ(Run(pay).rejection->field(), "amount");

  common::v1::CommandEnvelope env;
  env.set_command_type("rentstream.ledger.v1.Nope");
  auto unknown = logic_.Validate(env, "");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->field(), "command_type");
}

}  // namespace
}  // namespace rentstream::ledger::app
