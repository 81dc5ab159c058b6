#pragma once
// Between the ledger's pure domain (plain structs) and its contract (proto/rentstream/ledger/v1):
// every conversion from the wire is validated and names the field it refuses.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/runtime/stream_logic.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::app {

// The name of a field an error refers to ("schedule.rates[2].lines[0].kind"), spelled only when
// an error is made: a stored state is decoded for every command, and its names are never needed
// unless it is corrupt. A path refers to its parent and its parts without copying them, so it is
// built and used within one call, never kept.
class FieldPath {
 public:
  FieldPath(const char* name) : name_(name) {}         // NOLINT: implicit from literals
  FieldPath(absl::string_view name) : name_(name) {}   // NOLINT
  FieldPath(const std::string& name) : name_(name) {}  // NOLINT
  // `parent` then `name` then, when `index` >= 0, "[index]": FieldPath(rates, "", 2) is "rates[2]".
  FieldPath(const FieldPath& parent, absl::string_view name, int index = -1)
      : parent_(&parent), name_(name), index_(index) {}

  std::string ToString() const;

 private:
  const FieldPath* parent_ = nullptr;
  absl::string_view name_;
  int index_ = -1;
};

common::v1::Date ToProto(core::Date date);
absl::StatusOr<core::Date> DateFromProto(const common::v1::Date& date, const FieldPath& field);
common::v1::Money ToProto(core::Money money);
// Literals for clients and tests: ProtoDate(2026, 4, 6) (must be a real date), ProtoPence(11050).
common::v1::Date ProtoDate(int year, int month, int day);
common::v1::Money ProtoPence(int64_t pence);
core::Money MoneyFromProto(const common::v1::Money& money);

absl::StatusOr<RentSchedule> ScheduleFromProto(const v1::RentSchedule& schedule,
                                               const FieldPath& field);
v1::RentSchedule ToProto(const RentSchedule& schedule);
// The same into `out` (empty; a message of an arena, say).
void ToProto(const RentSchedule& schedule, v1::RentSchedule* out);

// Commands from their payloads (INVALID_ARGUMENT naming the field for malformed values).
absl::StatusOr<OpenAccount> FromProto(const v1::OpenAccount& c, const std::string& tenancy_ref);
absl::StatusOr<ChangeRentSchedule> FromProto(const v1::ChangeRentSchedule& c);
absl::StatusOr<PostCharges> FromProto(const v1::PostCharges& c);
absl::StatusOr<RecordPayment> FromProto(const v1::RecordPayment& c);
absl::StatusOr<ReversePayment> FromProto(const v1::ReversePayment& c);
absl::StatusOr<TerminateTenancy> FromProto(const v1::TerminateTenancy& c);
absl::StatusOr<SetBenefitAward> FromProto(const v1::SetBenefitAward& c);
absl::StatusOr<IssueRefund> FromProto(const v1::IssueRefund& c);
absl::StatusOr<PostAdjustment> FromProto(const v1::PostAdjustment& c);
absl::StatusOr<PostSundryCharge> FromProto(const v1::PostSundryCharge& c);
absl::StatusOr<RequestWriteOff> FromProto(const v1::RequestWriteOff& c);
absl::StatusOr<ApproveWriteOff> FromProto(const v1::ApproveWriteOff& c);
absl::StatusOr<RejectWriteOff> FromProto(const v1::RejectWriteOff& c);
absl::StatusOr<SuspendPayment> FromProto(const v1::SuspendPayment& c);
absl::StatusOr<ReleaseFromSuspense> FromProto(const v1::ReleaseFromSuspense& c);
absl::StatusOr<ReverseHeldPayment> FromProto(const v1::ReverseHeldPayment& c);
absl::StatusOr<ReceiveFromSuspense> FromProto(const v1::ReceiveFromSuspense& c);
absl::StatusOr<TransferOut> FromProto(const v1::TransferOut& c);
absl::StatusOr<TransferIn> FromProto(const v1::TransferIn& c);
// The domain actor of a command envelope's actor.
Actor ActorFromProto(const common::v1::Actor& actor);
absl::StatusOr<EndBenefitAward> FromProto(const v1::EndBenefitAward& c);

absl::StatusOr<BenefitAward> AwardFromProto(const v1::BenefitAward& award, const FieldPath& field);
v1::BenefitAward ToProto(const BenefitAward& award);

// Domain events as the contract's event payloads, and back (for folding).
runtime::NewEvent ToNewEvent(const LedgerEvent& event);
absl::StatusOr<LedgerEvent> EventFromProto(const std::string& event_type,
                                           const std::string& payload);
// The double-entry posting a published ledger event carries (every money event has one, in a
// field named `posting`); nullopt for events that move no money or are not ledger events.
std::optional<v1::Posting> PostingOf(const common::v1::Event& event);

// A ledger's charge parts as a decode read them (state::v1::ChargeParts), kept with the
// decoded ledger between a decision and its fold (LedgerLogic's memo): a charge adds a period
// after the last, and encoding the ledger then extends these instead of building the schedule,
// every charged period and every set of lines again from the ledger — the same bytes, at a
// fraction of the cost for a tenancy of decades (docs/performance.md, session 19).
class DecodedChargeParts;
struct DecodedChargePartsDeleter {
  void operator()(DecodedChargeParts* parts) const;
};
using KeptChargeParts = std::unique_ptr<DecodedChargeParts, DecodedChargePartsDeleter>;

// `kept` (if not null): the charge parts FromProto kept for this ledger; used when the ledger's
// schedule is the one decoded and its periods were only added after the last, and then updated
// to the new state; else the parts are built whole and `kept` is left as it was.
void ToProto(const TenancyLedger& ledger, state::v1::TenancyLedgerState* out,
             DecodedChargeParts* kept = nullptr);
// Only the balances (replacing those in `out`), as ToProto writes them: what a payment changes
// in a state whose payments are keyed records and movements history.
void BalancesToProto(const TenancyLedger& ledger, state::v1::TenancyLedgerState* out);
// How much of a stored state a decode gives: all of it, or what deciding and folding a payment
// read — everything but the rent schedule, the charged periods and their lines, the parts that
// grow with a tenancy's age (a payment to an account charged weekly for twenty years decoded
// them at ~15 times the cost of a new account's: docs/performance.md, session 17). A ledger
// decoded for payments is never encoded whole (ToProto): only its balances (BalancesToProto).
enum class StateParts { kWhole, kForPayments };

// `with_movements` false leaves movements kept in the state undecoded: decisions and folding
// never read movements. (The runtime keeps them in the stream's history instead: AddHistory.)
// `keep` (if not null, with kWhole): where to keep the decoded charge parts for ToProto, when
// the state has them in their current form (not the forms written before charge_parts).
absl::StatusOr<TenancyLedger> FromProto(const state::v1::TenancyLedgerState& state,
                                        const std::string& tenancy_ref, bool with_movements = true,
                                        StateParts parts = StateParts::kWhole,
                                        KeptChargeParts* keep = nullptr);

// Only what NextChargeDue reads — opened, schedule, end date, charged periods — for the review
// day, which the host asks after every event that can move it (LedgerLogic::MovesReviewDay).
absl::StatusOr<TenancyLedger> ChargeStateFromProto(const state::v1::TenancyLedgerState& state);

// A movement as a history record (LedgerLogic::EvolveStream) and back.
state::v1::Movement MovementToProto(const AccountMovement& movement);
absl::StatusOr<AccountMovement> MovementFromProto(const state::v1::Movement& movement);
// Appends a stream's history records (runtime::SideRecords::history) to the
// ledger's movements, after any the state kept: the ledger as queries need it.
absl::Status AddHistory(const std::vector<std::string>& records, TenancyLedger& ledger);
// The stream's keyed records (runtime::StreamLogic::EvolveStream): a payment by its posting id
// (state::v1::PaymentRecord) and, on the suspense stream, a held payment by its posting id
// (state::v1::SuspendedPayment). A decision loads only those it names; queries load all.
std::string PaymentKey(absl::string_view posting_id);
std::string SuspendedKey(absl::string_view posting_id);
std::string SuspendedRecordBytes(const std::string& posting_id,
                                 const TenancyLedger::Suspended& held);
// A payment's keyed record after `event` changed it, with the receipt of the command that
// recorded it: this event's envelope for its PaymentReceived, else the stored record's (among
// the fold's keyed records `stored`). DataLoss: the stored record does not decode.
absl::StatusOr<std::string> PaymentRecordAfter(const std::string& posting_id,
                                               const PaymentRecord& payment,
                                               const common::v1::Event& event,
                                               const runtime::KeyedRecords& stored);
// The answer `command_id` got when it recorded payment `posting_id` (LedgerLogic::
// RecallsOutcomeOf), from the payment's receipt among `keyed`: nullopt for no such record, a
// payment recorded by another command, or one recorded before receipts were kept (that
// command's outcome is remembered by the host). DataLoss: the record does not decode.
absl::StatusOr<std::optional<common::v1::CommandResult>> RecallReceipt(
    const runtime::KeyedRecords& keyed, const std::string& posting_id,
    const std::string& command_id);
// Adds keyed records to the ledger's payments and held payments (beside any its state kept).
absl::Status AddKeyedRecords(const runtime::KeyedRecords& records, TenancyLedger& ledger);
// Takes them out again (a record is either kept in the state or keyed, never both).
void RemoveKeyedRecords(const runtime::KeyedRecords& records, TenancyLedger& ledger);
// A stored ledger as queries need it — FromProto with every movement, then its history
// (AddHistory) and keyed records (AddKeyedRecords).
absl::StatusOr<TenancyLedger> LedgerForQueries(const state::v1::TenancyLedgerState& state,
                                               const std::string& tenancy_ref,
                                               const runtime::SideRecords& side);

}  // namespace rentstream::ledger::app
