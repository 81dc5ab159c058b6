// What one payment costs the ledger's logic against an account of a given age, as a processing
// loop pays it for an account not in its cache: the stored state parsed, the payment decided and
// folded (the ledger decoded once, kept as the memo between them), the state encoded again. For
// accounts charged weekly for 0, 5 and 20 years (a rent change each April, two rent-free weeks
// each December), with their state in this release's stored form and in the form before it
// (one number per charged period, in two lists), which a projection written before still holds
// until each account changes. No bus, no store: the logic alone, in one thread.
//
//   build/bench/ledger_logic_bench [--payments N]   (default 20,000 per case)
//
// Prints `bench: ledger_logic_payment_<age>[_older_form] <µs> us/payment`, the same for a week's
// charge (`ledger_logic_charge_<age>`, which decodes the whole state, schedule and all),
// `bench: ledger_logic_state_<age>[_older_form] <n> bytes` and, as the floor under a payment, the
// stored state's own parse and encode (`ledger_logic_parse_and_encode_<age>`); the new account,
// measured in the same run, is the baseline the older ones compare with (`..._x_new`).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "services/ledger/app/day_runs.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"

namespace rentstream::ledger::app {
namespace {

constexpr char kTenancy[] = "HA-000123";

common::v1::Date ToDate(core::Date d) { return ProtoDate(d.year(), d.month(), d.day()); }

core::Date MondayOnOrAfter(core::Date d) {
  while (d.weekday() != core::Weekday::kMonday) d = d.AddDays(1);
  return d;
}

// Decides `payload` against the stream and folds its events as the host does (the decision's
// decoded events, the memo): the state after, and the stream's next sequence.
class Stream {
 public:
  void Run(const google::protobuf::Message& payload) {
    common::v1::CommandEnvelope env = Envelope(payload);
    const std::string bytes = payload.SerializeAsString();
    runtime::StreamView view{kTenancy, sequence_, *state_, runtime::kNoKeyedRecords, &memo_};
    runtime::Decision d = logic_.DecideCommand(view, env, bytes);
    if (!d.fault.ok() || d.rejection.has_value()) {
      std::fprintf(stderr, "ledger_logic_bench: %s refused: %s\n", env.command_type().c_str(),
                   d.rejection.has_value() ? d.rejection->reason().c_str()
                                           : std::string(d.fault.message()).c_str());
      std::exit(1);
    }
    for (const runtime::NewEvent& ne : d.events) Fold(env, ne, *state_, memo_);
  }
  const state::v1::TenancyLedgerState& state() const {
    return static_cast<const state::v1::TenancyLedgerState&>(*state_);
  }
  // One command decided into one event against `stored` (state bytes) and folded, as for an
  // account the loop has not cached: the state's bytes after it.
  size_t DecideAgainst(const std::string& stored, const google::protobuf::Message& command) {
    const common::v1::CommandEnvelope env = Envelope(command);
    const std::string bytes = command.SerializeAsString();
    state::v1::TenancyLedgerState state;
    if (!state.ParseFromString(stored)) std::exit(1);
    std::unique_ptr<runtime::StreamMemo> memo;
    runtime::StreamView view{kTenancy, sequence_, state, runtime::kNoKeyedRecords, &memo};
    runtime::Decision d = logic_.DecideCommand(view, env, bytes);
    if (d.events.size() != 1) {
      std::fprintf(stderr, "ledger_logic_bench: %s decided into %zu events, not one\n",
                   env.command_type().c_str(), d.events.size());
      std::exit(1);
    }
    Fold(env, d.events.front(), state, memo);
    return state.SerializeAsString().size();
  }

 private:
  common::v1::CommandEnvelope Envelope(const google::protobuf::Message& payload) {
    common::v1::CommandEnvelope env;
    env.set_command_id(absl::StrCat("cmd-", ++commands_));
    env.set_tenancy_ref(kTenancy);
    env.set_command_type(payload.GetDescriptor()->full_name());
    env.mutable_actor()->set_id("officer-1");
    env.mutable_actor()->set_role(common::v1::ACTOR_ROLE_OFFICER);
    return env;
  }
  void Fold(const common::v1::CommandEnvelope& env, const runtime::NewEvent& ne,
            google::protobuf::Message& state, std::unique_ptr<runtime::StreamMemo>& memo) {
    common::v1::Event ev;
    ev.mutable_envelope()->set_tenancy_ref(kTenancy);
    ev.mutable_envelope()->set_event_type(ne.event_type);
    ev.mutable_envelope()->set_command_id(env.command_id());
    ev.mutable_envelope()->set_event_id(absl::StrCat("evt-", sequence_ + 1));
    ev.mutable_envelope()->set_sequence(sequence_ + 1);
    ev.set_payload(ne.payload);
    runtime::FoldSide side;
    side.memo = &memo;
    side.decoded = ne.decoded.get();
    if (!logic_.EvolveStream(state, ev, side).ok()) std::exit(1);
    if (&state == state_.get()) ++sequence_;
  }

  LedgerLogic logic_;
  std::unique_ptr<google::protobuf::Message> state_ = logic_.NewState();
  std::unique_ptr<runtime::StreamMemo> memo_;
  uint64_t sequence_ = 0;
  int commands_ = 0;
};

// An account opened `years` before 2026-04-06 and charged every week since.
Stream AccountOfAge(int years) {
  const core::Date today = *core::Date::FromYmd(2026, 4, 6);
  const core::Date start = MondayOnOrAfter(*core::Date::FromYmd(2026 - years, 4, 1));
  v1::OpenAccount open;
  open.set_tenancy_type(v1::TENANCY_TYPE_SECURE);
  open.set_jurisdiction(v1::JURISDICTION_ENGLAND);
  open.set_patch("EAST-2");
  open.add_tenant_ids("person-1");
  *open.mutable_start_date() = ToDate(start);
  v1::RentSchedule& s = *open.mutable_schedule();
  s.set_frequency(v1::FREQUENCY_WEEKLY);
  *s.mutable_anchor() = ToDate(start);
  for (int y = 2026 - years; y <= 2026; ++y) {
    v1::RentRate& rate = *s.add_rates();
    *rate.mutable_effective_from() =
        ToDate(y == 2026 - years ? start : MondayOnOrAfter(*core::Date::FromYmd(y, 4, 1)));
    v1::ChargeLine& rent = *rate.add_lines();
    rent.set_kind(v1::CHARGE_KIND_NET_RENT);
    rent.set_code("RNT");
    *rent.mutable_amount() = ProtoPence(6000 + 250 * (y - 2006));
    v1::ChargeLine& service = *rate.add_lines();
    service.set_kind(v1::CHARGE_KIND_SERVICE_CHARGE);
    service.set_code("SVC");
    *service.mutable_amount() = ProtoPence(800 + 20 * (y - 2006));
    if (y < 2026) {  // the last two Mondays before Christmas, rent-free
      const core::Date christmas = MondayOnOrAfter(*core::Date::FromYmd(y, 12, 18));
      *s.add_rent_free_periods() = ToDate(christmas.AddDays(-7));
      *s.add_rent_free_periods() = ToDate(christmas);
    }
  }
  Stream stream;
  stream.Run(open);
  if (years > 0) {
    v1::PostCharges charges;
    *charges.mutable_from() = ToDate(start);
    *charges.mutable_to() = ToDate(today.AddDays(-1));
    stream.Run(charges);
  }
  return stream;
}

// The same state in the form before this release: the schedule and charged runs in the state's
// own fields (parsed and encoded with it), a number per charged period, in two lists.
std::string OlderForm(const state::v1::TenancyLedgerState& current) {
  state::v1::ChargeParts parts;
  if (!parts.ParseFromString(current.charge_parts())) std::exit(1);
  state::v1::TenancyLedgerState legacy = current;
  legacy.clear_charge_parts();
  *legacy.mutable_schedule() = parts.schedule();
  std::vector<int64_t> days;
  if (!AppendDaysOfRuns(parts.charged_period_runs(), "runs", &days).ok()) std::exit(1);
  legacy.mutable_charged_period_days()->Add(days.begin(), days.end());
  for (const state::v1::ChargedRun& run : parts.charged_runs()) {
    std::vector<int64_t> start_days;
    if (!AppendDaysOfRuns(run.start_runs(), "start_runs", &start_days).ok()) std::exit(1);
    state::v1::ChargedRun& copy = *legacy.add_charged_runs();
    *copy.mutable_lines() = run.lines();
    copy.mutable_start_days()->Add(start_days.begin(), start_days.end());
  }
  return legacy.SerializeAsString();
}

// A card payment, and the charge of the week after the accounts' last charged one.
v1::RecordPayment Payment() {
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_CARD);
  pay.set_source("card");
  pay.set_external_reference("R1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 10);
  *pay.mutable_amount() = ProtoPence(2500);
  pay.set_account_kind(v1::ACCOUNT_KIND_RENT);
  return pay;
}
v1::PostCharges NextWeeksCharge() {
  v1::PostCharges charge;
  *charge.mutable_from() = ProtoDate(2026, 4, 6);
  *charge.mutable_to() = ProtoDate(2026, 4, 12);
  return charge;
}

double MicrosPerCommand(Stream& stream, const std::string& stored,
                        const google::protobuf::Message& command, int payments) {
  size_t bytes = 0;
  for (int i = 0; i < payments / 10; ++i) bytes += stream.DecideAgainst(stored, command);  // warm
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < payments; ++i) bytes += stream.DecideAgainst(stored, command);
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
  if (bytes == 0) std::exit(1);
  return took.count() / payments;
}

// The floor under a payment: the stored state parsed and encoded again, nothing decided.
double MicrosToParseAndEncode(const std::string& stored, int payments) {
  size_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < payments; ++i) {
    state::v1::TenancyLedgerState state;
    if (!state.ParseFromString(stored)) std::exit(1);
    bytes += state.SerializeAsString().size();
  }
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
  if (bytes == 0) std::exit(1);
  return took.count() / payments;
}

}  // namespace
}  // namespace rentstream::ledger::app

int main(int argc, char** argv) {
  using namespace rentstream::ledger::app;
  int payments = 20000;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--payments" && i + 1 < argc) payments = std::atoi(argv[++i]);
  }
  if (payments < 10) {
    std::fprintf(stderr, "ledger_logic_bench: --payments must be at least 10\n");
    return 2;
  }
  double new_account = 0;
  for (int years : {0, 5, 20}) {
    Stream stream = AccountOfAge(years);
    const std::string name = years == 0 ? "new" : absl::StrCat(years, "y");
    const std::string stored = stream.state().SerializeAsString();
    const double us = MicrosPerCommand(stream, stored, Payment(), payments);
    if (years == 0) new_account = us;
    std::printf("bench: ledger_logic_state_%s %zu bytes\n", name.c_str(), stored.size());
    std::printf("bench: ledger_logic_payment_%s %.2f us/payment\n", name.c_str(), us);
    std::printf("bench: ledger_logic_charge_%s %.2f us/charge\n", name.c_str(),
                MicrosPerCommand(stream, stored, NextWeeksCharge(), payments));
    std::printf("bench: ledger_logic_parse_and_encode_%s %.2f us/payment\n", name.c_str(),
                MicrosToParseAndEncode(stored, payments));
    if (years == 0) continue;
    std::printf("bench: ledger_logic_payment_%s_x_new %.2f x\n", name.c_str(), us / new_account);
    const std::string older = OlderForm(stream.state());
    const double older_us = MicrosPerCommand(stream, older, Payment(), payments);
    std::printf("bench: ledger_logic_state_%s_older_form %zu bytes\n", name.c_str(), older.size());
    std::printf("bench: ledger_logic_payment_%s_older_form %.2f us/payment\n", name.c_str(),
                older_us);
    std::printf("bench: ledger_logic_payment_%s_older_form_x_new %.2f x\n", name.c_str(),
                older_us / new_account);
  }
  return 0;
}
