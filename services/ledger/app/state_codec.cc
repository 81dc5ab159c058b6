// The ledger's projection state: the domain's TenancyLedger to its protobuf and back.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/arena.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/ledger/app/codec_internal.h"
#include "services/ledger/app/day_runs.h"
#include "services/ledger/app/ledger_codec.h"

namespace rentstream::ledger::app {

using namespace internal;  // NOLINT: the codec's own helpers

namespace {

state::v1::PaymentRecord PaymentToProto(const std::string& id, const PaymentRecord& p) {
  state::v1::PaymentRecord r;
  r.set_posting_id(id);
  *r.mutable_amount() = ToProto(p.amount);
  r.set_account_kind(EnumToProto<v1::AccountKind>(p.account_kind));
  r.set_contra(EnumToProto<v1::ControlAccount>(p.contra));
  *r.mutable_value_date() = ToProto(p.value_date);
  r.set_reversed(p.reversed);
  if (p.transferred != Money::Zero()) *r.mutable_transferred() = ToProto(p.transferred);
  return r;
}

bool AddPayment(const state::v1::PaymentRecord& r, TenancyLedger& s) {
  auto kind = KindFromProto(r.account_kind(), "account_kind");
  auto contra = EnumFromProto<ControlAccount>(r.contra(), 13, "contra");
  auto date = DateFromProto(r.value_date(), "value_date");
  if (!kind.ok() || !contra.ok() || !date.ok()) return false;
  s.payments[r.posting_id()] = {MoneyFromProto(r.amount()),     *kind, *contra, *date, r.reversed(),
                                MoneyFromProto(r.transferred())};
  return true;
}

state::v1::SuspendedPayment SuspendedToProto(const std::string& id,
                                             const TenancyLedger::Suspended& held) {
  state::v1::SuspendedPayment p;
  p.set_posting_id(id);
  *p.mutable_amount() = ToProto(held.amount);
  *p.mutable_received_date() = ToProto(held.received_date);
  p.set_released_to(held.released_to);
  if (held.method.has_value()) p.set_method(EnumToProto<v1::PaymentMethod>(*held.method));
  p.set_reversed(held.reversed);
  p.set_raw_reference(held.raw_reference);
  return p;
}

bool AddSuspended(const state::v1::SuspendedPayment& held, TenancyLedger& s) {
  auto date = DateFromProto(held.received_date(), "received_date");
  if (!date.ok()) return false;
  std::optional<PaymentMethod> method;  // unspecified: held before session 14
  if (held.method() != v1::PAYMENT_METHOD_UNSPECIFIED) {
    auto known = EnumFromProto<PaymentMethod>(held.method(), 8, "method");
    if (!known.ok()) return false;
    method = *known;
  }
  s.suspended[held.posting_id()] = {
      MoneyFromProto(held.amount()), *date, held.released_to(), method, held.reversed(),
      held.raw_reference()};
  return true;
}

constexpr absl::string_view kPaymentKeyPrefix = "payment/";
constexpr absl::string_view kSuspendedKeyPrefix = "suspended/";

}  // namespace

std::string PaymentKey(absl::string_view posting_id) {
  return absl::StrCat(kPaymentKeyPrefix, posting_id);
}

std::string SuspendedKey(absl::string_view posting_id) {
  return absl::StrCat(kSuspendedKeyPrefix, posting_id);
}

absl::Status AddKeyedRecords(const runtime::KeyedRecords& records, TenancyLedger& ledger) {
  for (const auto& [key, record] : records) {
    const auto corrupt = [&] {
      return absl::DataLossError(
          absl::StrCat("keyed record ", key, " of ", ledger.info.tenancy_ref, " does not parse"));
    };
    if (absl::StartsWith(key, kPaymentKeyPrefix)) {
      state::v1::PaymentRecord r;
      if (!r.ParseFromString(record) || PaymentKey(r.posting_id()) != key ||
          !AddPayment(r, ledger)) {
        return corrupt();
      }
    } else if (absl::StartsWith(key, kSuspendedKeyPrefix)) {
      state::v1::SuspendedPayment r;
      if (!r.ParseFromString(record) || SuspendedKey(r.posting_id()) != key ||
          !AddSuspended(r, ledger)) {
        return corrupt();
      }
    } else {
      return absl::DataLossError(
          absl::StrCat("keyed record ", key, " of ", ledger.info.tenancy_ref, ": unknown key"));
    }
  }
  return absl::OkStatus();
}

void RemoveKeyedRecords(const runtime::KeyedRecords& records, TenancyLedger& ledger) {
  for (const auto& [key, record] : records) {
    if (absl::StartsWith(key, kPaymentKeyPrefix)) {
      ledger.payments.erase(key.substr(kPaymentKeyPrefix.size()));
    } else if (absl::StartsWith(key, kSuspendedKeyPrefix)) {
      ledger.suspended.erase(key.substr(kSuspendedKeyPrefix.size()));
    }
  }
}

std::string SuspendedRecordBytes(const std::string& posting_id,
                                 const TenancyLedger::Suspended& held) {
  return SuspendedToProto(posting_id, held).SerializeAsString();
}

namespace {

const std::string& PaymentReceivedType() {
  static const std::string& type = v1::PaymentReceived::descriptor()->full_name();
  return type;
}

// `receipt`: what recorded the payment, when known. Every payment record is written through
// PaymentRecordAfter, so that none loses its receipt.
std::string PaymentRecordBytes(const std::string& posting_id, const PaymentRecord& payment,
                               const state::v1::PaymentReceipt* receipt) {
  state::v1::PaymentRecord record = PaymentToProto(posting_id, payment);
  if (receipt != nullptr) *record.mutable_receipt() = *receipt;
  return record.SerializeAsString();
}

absl::Status PaymentRecordLost(const std::string& posting_id) {
  return absl::DataLossError(absl::StrCat("payment record ", posting_id, " does not parse"));
}

// A stored state's rent schedule and charged periods, whichever form it has: decoded from
// `charge_parts`, or gathered from the fields written before it (their day numbers and lines per
// period, the oldest forms, stay in the state: ChargedPeriodsFromProto, FromProto read them).
// `parts` is empty; the caller puts it on an arena of its own, where a tenancy of decades has
// hundreds of its messages (rates, lines, runs), parsed and freed at once.
absl::Status ChargePartsOf(const state::v1::TenancyLedgerState& p, state::v1::ChargeParts* parts) {
  if (!p.charge_parts().empty()) {
    if (!parts->ParseFromString(p.charge_parts())) {
      return absl::DataLossError("charge_parts does not parse");
    }
    return absl::OkStatus();
  }
  *parts->mutable_schedule() = p.schedule();
  *parts->mutable_charged_runs() = p.charged_runs();
  *parts->mutable_charged_period_runs() = p.charged_period_runs();
  return absl::OkStatus();
}

}  // namespace

// An arena for one decode or encode of a state's charge parts, its first block on the stack: a
// new account's parts or a few years' take no allocation of their own, a tenancy of decades'
// a few more blocks (up to 64 KiB each), all freed at once.
class ChargePartsArena {
 public:
  ChargePartsArena() : arena_(Options(first_block_)) {}
  ChargePartsArena(const ChargePartsArena&) = delete;
  ChargePartsArena& operator=(const ChargePartsArena&) = delete;
  state::v1::ChargeParts* NewParts() {
    return google::protobuf::Arena::CreateMessage<state::v1::ChargeParts>(&arena_);
  }

 private:
  static google::protobuf::ArenaOptions Options(char* first_block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = first_block;
    options.initial_block_size = sizeof(first_block_);
    options.max_block_size = 64 * 1024;
    return options;
  }
  alignas(16) char first_block_[8 * 1024];  // before arena_: it is built first
  google::protobuf::Arena arena_;
};

class DecodedChargeParts {
 public:
  DecodedChargeParts()
      : arena_(Options()),
        parts(google::protobuf::Arena::CreateMessage<state::v1::ChargeParts>(&arena_)) {}
  DecodedChargeParts(const DecodedChargeParts&) = delete;
  DecodedChargeParts& operator=(const DecodedChargeParts&) = delete;

  // What `parts` holds of `s` now.
  void Matched(const TenancyLedger& s) {
    periods_ = s.charged_periods.size();
    line_periods_ = s.charged_lines.periods().size();
    period_edits_ = s.charged_periods.edits();
    line_edits_ = s.charged_lines.edits();
    schedule_changes_ = s.schedule_changes;
  }
  // Whether `s` is what `parts` holds with periods added after the last, and nothing else.
  bool Extends(const TenancyLedger& s) const {
    return s.charged_periods.edits() == period_edits_ && s.charged_lines.edits() == line_edits_ &&
           s.schedule_changes == schedule_changes_ && s.charged_periods.size() >= periods_ &&
           s.charged_lines.periods().size() >= line_periods_;
  }
  size_t periods() const { return periods_; }
  size_t line_periods() const { return line_periods_; }

 private:
  // Kept with every dirty stream's memo until its transaction ends — thousands at a time in a
  // charge run — so its blocks grow from 1 KiB as needed (a new account's parts take one)
  // rather than starting at ChargePartsArena's 8 KiB.
  static google::protobuf::ArenaOptions Options() {
    google::protobuf::ArenaOptions options;
    options.start_block_size = 1024;
    options.max_block_size = 64 * 1024;
    return options;
  }
  google::protobuf::Arena arena_;  // before `parts`: built first

 public:
  state::v1::ChargeParts* const parts;
  // charged_lines' set index → its run in parts->charged_runs (-1: none yet).
  std::vector<int> run_of_set;

 private:
  size_t periods_ = 0, line_periods_ = 0;
  uint64_t period_edits_ = 0, line_edits_ = 0, schedule_changes_ = 0;
};

void DecodedChargePartsDeleter::operator()(DecodedChargeParts* parts) const { delete parts; }

namespace {

// The charged periods in every stored form (numbers, written before runs; runs) together.
absl::Status ChargedPeriodsFromProto(const state::v1::TenancyLedgerState& p,
                                     const state::v1::ChargeParts& parts, TenancyLedger& s) {
  std::vector<int64_t> days(p.charged_period_days().begin(), p.charged_period_days().end());
  if (absl::Status st = AppendDaysOfRuns(parts.charged_period_runs(), "charged_period_runs", &days);
      !st.ok()) {
    return st;
  }
  s.charged_periods.assign(days.begin(), days.end());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> PaymentRecordAfter(const std::string& posting_id,
                                               const PaymentRecord& payment,
                                               const common::v1::Event& event,
                                               const runtime::KeyedRecords& stored) {
  const common::v1::EventEnvelope& env = event.envelope();
  if (env.event_type() == PaymentReceivedType()) {
    state::v1::PaymentReceipt receipt;
    receipt.set_command_id(env.command_id());
    receipt.set_event_id(env.event_id());
    receipt.set_sequence(env.sequence());
    return PaymentRecordBytes(posting_id, payment, &receipt);
  }
  state::v1::PaymentRecord before;
  if (auto it = stored.find(PaymentKey(posting_id)); it != stored.end()) {
    if (!before.ParseFromString(it->second)) return PaymentRecordLost(posting_id);
  }
  return PaymentRecordBytes(posting_id, payment,
                            before.has_receipt() ? &before.receipt() : nullptr);
}

absl::StatusOr<std::optional<common::v1::CommandResult>> RecallReceipt(
    const runtime::KeyedRecords& keyed, const std::string& posting_id,
    const std::string& command_id) {
  auto it = keyed.find(PaymentKey(posting_id));
  if (it == keyed.end()) return std::nullopt;
  state::v1::PaymentRecord record;
  if (!record.ParseFromString(it->second)) return PaymentRecordLost(posting_id);
  if (!record.has_receipt() || record.receipt().command_id() != command_id) return std::nullopt;
  common::v1::CommandResult first;
  first.set_sequence(record.receipt().sequence());
  first.add_event_ids(record.receipt().event_id());
  first.add_event_types(PaymentReceivedType());
  return first;
}

state::v1::Movement MovementToProto(const AccountMovement& m) {
  state::v1::Movement out;
  *out.mutable_value_date() = ToProto(m.value_date);
  out.set_account_kind(EnumToProto<v1::AccountKind>(m.account_kind));
  *out.mutable_amount() = ToProto(m.amount);
  out.set_posting_id(m.posting_id);
  out.set_description(m.description);
  return out;
}

absl::StatusOr<AccountMovement> MovementFromProto(const state::v1::Movement& m) {
  auto kind = KindFromProto(m.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto date = DateFromProto(m.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return AccountMovement{*date, *kind, MoneyFromProto(m.amount()), m.posting_id(), m.description()};
}

absl::Status AddHistory(const std::vector<std::string>& records, TenancyLedger& ledger) {
  for (const std::string& record : records) {
    state::v1::Movement m;
    if (!m.ParseFromString(record)) {
      return absl::DataLossError(
          absl::StrCat("history of ", ledger.info.tenancy_ref, ": a movement does not parse"));
    }
    auto movement = MovementFromProto(m);
    if (!movement.ok()) {
      return absl::DataLossError(
          absl::StrCat("history of ", ledger.info.tenancy_ref, ": ", movement.status().message()));
    }
    ledger.movements.push_back(*std::move(movement));
  }
  // Every movement or none: a statement silently missing one would be worse than an error.
  if (records.size() != ledger.movements_before) {
    return absl::DataLossError(absl::StrCat("history of ", ledger.info.tenancy_ref, ": ",
                                            records.size(), " movements, the state counts ",
                                            ledger.movements_before));
  }
  ledger.movements_before = 0;
  return absl::OkStatus();
}

absl::StatusOr<TenancyLedger> LedgerForQueries(const state::v1::TenancyLedgerState& state,
                                               const std::string& tenancy_ref,
                                               const runtime::SideRecords& side) {
  auto ledger = FromProto(state, tenancy_ref);
  if (!ledger.ok()) return ledger.status();
  if (absl::Status st = AddHistory(side.history, *ledger); !st.ok()) return st;
  if (absl::Status st = AddKeyedRecords(side.keyed, *ledger); !st.ok()) return st;
  return ledger;
}

absl::StatusOr<TenancyLedger> ChargeStateFromProto(const state::v1::TenancyLedgerState& p) {
  TenancyLedger s;
  if (!p.opened()) return s;
  ChargePartsArena arena;
  state::v1::ChargeParts* parts = arena.NewParts();
  if (absl::Status st = ChargePartsOf(p, parts); !st.ok()) {
    return absl::DataLossError(absl::StrCat("ledger state: ", st.message()));
  }
  auto schedule = ScheduleFromProto(parts->schedule(), "schedule");
  if (!schedule.ok()) return absl::DataLossError("ledger state: schedule");
  s.opened = true;
  s.schedule = *std::move(schedule);
  if (p.ended()) {
    auto end = DateFromProto(p.end_date(), "end_date");
    if (!end.ok()) return absl::DataLossError("ledger state: end_date");
    s.end_date = *end;
  }
  if (absl::Status st = ChargedPeriodsFromProto(p, *parts, s); !st.ok()) return st;
  return s;
}

void BalancesToProto(const TenancyLedger& s, state::v1::TenancyLedgerState* out) {
  out->clear_balances();
  for (const auto& [kind, balance] : s.balances) {
    state::v1::AccountBalance* b = out->add_balances();
    b->set_kind(EnumToProto<v1::AccountKind>(kind));
    *b->mutable_balance() = ToProto(balance);
  }
}

namespace {

// `kept`'s parts extended with the periods `s` added after those it holds (Extends).
void ExtendChargeParts(const TenancyLedger& s, DecodedChargeParts& kept) {
  state::v1::ChargeParts& parts = *kept.parts;
  const std::vector<int64_t>& days = s.charged_periods.days();
  AppendDaysToRuns(days.data() + kept.periods(), days.size() - kept.periods(),
                   parts.mutable_charged_period_runs());
  // The new periods' days by set of lines, sets in the order of their first new period: a new
  // set's run comes after every other (runs are ordered by their first day).
  std::vector<std::pair<uint32_t, std::vector<int64_t>>> added;
  const auto& periods = s.charged_lines.periods();
  for (size_t i = kept.line_periods(); i < periods.size(); ++i) {
    const auto [day, set] = periods[i];
    auto it =
        std::find_if(added.begin(), added.end(), [&](const auto& a) { return a.first == set; });
    if (it == added.end()) it = added.insert(added.end(), {set, {}});
    it->second.push_back(day);
  }
  for (const auto& [set, new_days] : added) {
    if (set >= kept.run_of_set.size()) kept.run_of_set.resize(set + 1, -1);
    int& run = kept.run_of_set[set];
    if (run < 0) {
      run = parts.charged_runs_size();
      LinesToProto(s.charged_lines.set(set), parts.add_charged_runs()->mutable_lines());
    }
    AppendDaysToRuns(new_days.data(), new_days.size(),
                     parts.mutable_charged_runs(run)->mutable_start_runs());
  }
  kept.Matched(s);
}

}  // namespace

void ToProto(const TenancyLedger& s, state::v1::TenancyLedgerState* out, DecodedChargeParts* kept) {
  out->Clear();
  out->set_opened(s.opened);
  // The suspense stream is never opened: its held payments are all its state.
  for (const auto& [id, held] : s.suspended) *out->add_suspended() = SuspendedToProto(id, held);
  if (!s.opened) return;
  // The account details are kept in their event form (AccountOpened), without the schedule.
  AccountInfoToProto(s.info, out->mutable_account());
  out->set_ended(s.end_date.has_value());
  if (s.end_date.has_value()) *out->mutable_end_date() = ToProto(*s.end_date);
  BalancesToProto(s, out);
  if (kept != nullptr && kept->Extends(s)) {
    ExtendChargeParts(s, *kept);
    kept->parts->SerializeToString(out->mutable_charge_parts());
  } else {
    ChargePartsArena arena;
    state::v1::ChargeParts& parts = *arena.NewParts();
    ToProto(s.schedule, parts.mutable_schedule());
    DaysToRuns(s.charged_periods.days(), parts.mutable_charged_period_runs());
    for (const ChargedLines::Run& run : s.charged_lines.Runs()) {
      state::v1::ChargedRun* r = parts.add_charged_runs();
      LinesToProto(run.lines, r->mutable_lines());
      DaysToRuns(run.days, r->mutable_start_runs());
    }
    parts.SerializeToString(out->mutable_charge_parts());
  }
  for (const auto& [id, p] : s.payments) *out->add_payments() = PaymentToProto(id, p);
  for (const AccountMovement& m : s.movements) *out->add_movements() = MovementToProto(m);
  for (const auto& [kind, award] : s.awards) *out->add_awards() = ToProto(award);
  for (const auto& [id, request] : s.pending_write_offs) {
    *out->add_pending_write_offs() = WriteOffToProto(request);
  }
  for (const std::string& id : s.closed_write_offs) out->add_closed_write_off_ids(id);
  for (const std::string& id : s.received_from_suspense) out->add_received_from_suspense(id);
  for (const auto& [id, t] : s.transfers_out) {
    state::v1::TransferRecord* r = out->add_transfers_out();
    r->set_transfer_id(id);
    r->set_to_tenancy_ref(t.to_tenancy_ref);
    *r->mutable_amount() = ToProto(t.amount);
    r->set_account_kind(EnumToProto<v1::AccountKind>(t.account_kind));
    r->set_payment_posting_id(t.payment_posting_id);
  }
  for (const std::string& id : s.transfers_in) out->add_transfers_in(id);
}

absl::StatusOr<TenancyLedger> FromProto(const state::v1::TenancyLedgerState& p,
                                        const std::string& tenancy_ref, bool with_movements,
                                        StateParts parts, KeptChargeParts* keep) {
  TenancyLedger s;
  s.info.tenancy_ref = tenancy_ref;
  // The suspense stream is never opened; its held payments are all it has.
  for (const auto& held : p.suspended()) {
    if (!AddSuspended(held, s)) return absl::DataLossError("suspended payment date");
  }
  s.received_from_suspense.insert(p.received_from_suspense().begin(),
                                  p.received_from_suspense().end());
  if (!p.opened()) return s;
  auto corrupt = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("ledger state of ", tenancy_ref, ": ", what));
  };
  // A payment neither reads nor writes the schedule, the periods charged and their lines.
  std::optional<ChargePartsArena> arena;
  const state::v1::ChargeParts* charges = nullptr;
  // Kept for an encode that only adds periods (ToProto), when the parts are in their current
  // form only: older forms are written again whole.
  KeptChargeParts kept;
  bool keepable = true;
  if (parts == StateParts::kWhole) {
    const bool keep_parts = keep != nullptr && !p.charge_parts().empty() &&
                            p.charged_period_days().empty() && p.charged().empty();
    state::v1::ChargeParts* found = keep_parts ? (kept.reset(new DecodedChargeParts()), kept->parts)
                                               : arena.emplace().NewParts();
    if (absl::Status st = ChargePartsOf(p, found); !st.ok()) return corrupt(st.message());
    charges = found;
  }
  auto open =
      AccountFromParts(p.account().tenancy_type(), p.account().jurisdiction(), p.account().patch(),
                       p.account().tenant_ids(), p.account().start_date(),
                       charges != nullptr ? &charges->schedule() : nullptr, tenancy_ref);
  if (!open.ok()) return corrupt(open.status().message());
  s.opened = true;
  s.info = std::move(open->info);
  s.schedule = std::move(open->schedule);
  if (p.ended()) {
    auto end = DateFromProto(p.end_date(), "end_date");
    if (!end.ok()) return corrupt("end_date");
    s.end_date = *end;
  }
  for (const auto& b : p.balances()) {
    auto kind = KindFromProto(b.kind(), "kind");
    if (!kind.ok()) return corrupt("balance kind");
    s.balances[*kind] = MoneyFromProto(b.balance());
  }
  if (charges != nullptr) {
    if (absl::Status st = ChargedPeriodsFromProto(p, *charges, s); !st.ok()) {
      return corrupt(st.message());
    }
    for (int i = 0; i < charges->charged_runs_size(); ++i) {
      const state::v1::ChargedRun& r = charges->charged_runs(i);
      absl::Status st;
      ChargedLines::Lines lines = LinesFromProto(r.lines(), "charged_runs.lines", &st);
      if (!st.ok()) return corrupt("charged period lines");
      std::vector<int64_t> days(r.start_days().begin(), r.start_days().end());
      if (st = AppendDaysOfRuns(r.start_runs(), "charged_runs.start_runs", &days); !st.ok()) {
        return corrupt(st.message());
      }
      const uint32_t set = s.charged_lines.AddRun(std::move(lines), days);
      if (kept != nullptr) {
        // Days in the older form, or two runs of one set of lines, are not what ToProto writes:
        // such parts are built whole.
        if (r.start_days_size() > 0 ||
            (set < kept->run_of_set.size() && kept->run_of_set[set] >= 0)) {
          keepable = false;
        } else {
          kept->run_of_set.resize(std::max<size_t>(kept->run_of_set.size(), set + 1), -1);
          kept->run_of_set[set] = i;
        }
      }
    }
    for (const auto& c : p.charged()) {  // written before charged_runs
      absl::Status st;
      s.charged_lines.Set(c.start_day(), LinesFromProto(c.lines(), "charged.lines", &st));
      if (!st.ok()) return corrupt("charged period lines");
    }
  }
  for (const auto& r : p.payments()) {
    if (!AddPayment(r, s)) return corrupt("payment record");
  }
  s.movements_before = p.history_movements() + (with_movements ? 0 : p.movements_size());
  for (const auto& m : p.movements()) {
    if (!with_movements) break;
    auto movement = MovementFromProto(m);
    if (!movement.ok()) return corrupt("movement");
    s.movements.push_back(*std::move(movement));
  }
  for (const auto& a : p.awards()) {
    auto award = AwardFromProto(a, "award");
    if (!award.ok()) return corrupt("benefit award");
    s.awards[award->kind] = *award;
  }
  for (const auto& w : p.pending_write_offs()) {
    auto request = WriteOffFromProto(w);
    if (!request.ok()) return corrupt("write-off request");
    s.pending_write_offs[request->request_id] = *request;
  }
  s.closed_write_offs.insert(p.closed_write_off_ids().begin(), p.closed_write_off_ids().end());
  for (const auto& t : p.transfers_out()) {
    auto kind = KindFromProto(t.account_kind(), "account_kind");
    if (!kind.ok()) return corrupt("transfer record");
    s.transfers_out[t.transfer_id()] = {t.to_tenancy_ref(), MoneyFromProto(t.amount()), *kind,
                                        t.payment_posting_id()};
  }
  s.transfers_in.insert(p.transfers_in().begin(), p.transfers_in().end());
  // Parts that a whole encode would write otherwise (a state no version of ToProto wrote:
  // days in two runs, runs out of order or split) are not kept: the next encode writes them whole.
  if (kept != nullptr) {
    keepable = keepable &&
               LooksLikeDaysToRuns(kept->parts->charged_period_runs(), s.charged_periods.size());
    size_t line_days = 0;
    for (const state::v1::ChargedRun& r : kept->parts->charged_runs()) {
      size_t run_days = 0;
      for (const state::v1::DayRun& d : r.start_runs()) run_days += d.count();
      keepable = keepable && run_days > 0 && LooksLikeDaysToRuns(r.start_runs(), run_days);
      line_days += run_days;
    }
    keepable = keepable && line_days == s.charged_lines.size();
    for (int i = 1; keepable && i < kept->parts->charged_runs_size(); ++i) {
      keepable = kept->parts->charged_runs(i).start_runs(0).first_day() >
                 kept->parts->charged_runs(i - 1).start_runs(0).first_day();
    }
  }
  if (kept != nullptr && keepable) {
    kept->Matched(s);
    *keep = std::move(kept);
  }
  return s;
}

}  // namespace rentstream::ledger::app
