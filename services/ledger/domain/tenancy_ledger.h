#pragma once
// One tenancy's ledger as an event-sourced aggregate: commands are decided against the state into
// events, events are folded into the state. Pure — no I/O, no clock; the app layer maps commands
// and events to and from protobuf (proto/rentstream/ledger/v1).
//
// Idempotency lives here, not in callers: a rent period is charged at most once (a repeated or
// resumed charge run posts nothing twice), a payment at most once per (source, reference), a
// payment is reversed at most once.

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "libs/core/civil_date.h"
#include "libs/core/money.h"
#include "services/ledger/domain/charged_periods.h"
#include "services/ledger/domain/journal.h"
#include "services/ledger/domain/rent_schedule.h"

namespace rentstream::ledger {

enum class TenancyType { kSecure, kAssured, kStarter, kLicence };
enum class Jurisdiction { kEngland, kWales, kScotland };
enum class PaymentMethod {
  kDirectDebit,
  kStandingOrder,
  kCard,
  kCash,
  kBankTransfer,
  kHousingBenefit,
  kUcManagedPayment,
  kDwpDeduction,
};

// The control account a payment by `method` comes through.
ControlAccount ControlAccountFor(PaymentMethod method);
ControlAccount IncomeAccountFor(ChargeKind kind);

// Benefit paid to the landlord towards the rent (domain §2): Housing Benefit (typically 4-weekly
// in arrears) or the Universal Credit housing element as a managed payment (monthly, after the
// assessment period). Paid in arrears, it is "expected" between the rent falling due and the
// payment arriving: that part of the balance is not owed by the tenant.
enum class BenefitKind { kHousingBenefit, kUniversalCredit };

struct BenefitAward {
  BenefitKind kind = BenefitKind::kHousingBenefit;
  Frequency frequency = Frequency::kWeekly;  // of `amount`: HB weekly, UC calendar monthly
  core::Money amount;                        // per period
  core::Date from;                           // first period start (a Monday unless monthly)
  std::optional<core::Date> until;           // last day covered, when the award has ended
};

// Who decides: write-offs need an approver other than the requester, with authority for the
// amount (domain §2: approval limits rise with the amount); corrections need a person
// (correction_roles.h). The machines: a landlord's system feeding files (integration),
// Rentstream's own services, its scheduler; auditors only read.
enum class Role {
  kOfficer,
  kTeamLeader,
  kIncomeManager,
  kIntegration,
  kService,
  kScheduler,
  kAuditor,
  kOther,
};
struct Actor {
  std::string id;
  Role role = Role::kOther;
};

struct TenancyInfo {
  std::string tenancy_ref;
  TenancyType type = TenancyType::kSecure;
  Jurisdiction jurisdiction = Jurisdiction::kEngland;
  std::string patch;
  std::vector<std::string> tenant_ids;
  core::Date start_date;
};

// ---- events
struct AccountOpened {
  TenancyInfo info;
  RentSchedule schedule;
};
struct RentScheduleChanged {
  RentSchedule schedule;
  std::string reason;
};
struct ChargePosted {
  core::Date period_start;
  core::Date period_end;
  std::vector<ChargeLine> lines;
  JournalEntry posting;
  // For consumers deciding on arrears (escalation, legal): the weekly gross rent from this
  // period on, and the part of this charge awarded benefit will pay (its UC part separately).
  core::Money weekly_gross_rent;
  core::Money benefit_covered;
  core::Money universal_credit_covered;
};
struct PaymentReceived {
  PaymentMethod method = PaymentMethod::kBankTransfer;
  std::string source;
  std::string external_reference;
  core::Date received_date;
  AccountKind account_kind = AccountKind::kRent;
  JournalEntry posting;
};
struct PaymentReversed {
  std::string original_posting_id;
  std::string reason;
  JournalEntry posting;
};
struct TenancyTerminated {
  core::Date end_date;
  std::string reason;
  std::optional<JournalEntry> posting;  // the rent balance moved to former-tenant arrears
};
// A rent period charged in advance that starts after the tenancy ended, credited back whole, or
// the period the end date splits, credited pro rata for the days after the end date.
struct ChargeCredited {
  core::Date period_start;
  std::string reason;
  JournalEntry posting;                  // tenant credit, income debit per charge kind
  std::optional<core::Date> period_end;  // absent in events recorded before pro rata
  int32_t days_credited = 0;
  int32_t days_in_period = 0;
};
// A correction or one-off posting on one of the tenancy's accounts: a refund of credit, an
// adjustment with a reason code, a sundry charge (a rechargeable repair, court costs), or the
// write-off of an approved request.
struct PostingMade {
  enum class Kind { kRefund, kAdjustment, kSundryCharge, kWriteOff };
  Kind kind = Kind::kAdjustment;
  AccountKind account_kind = AccountKind::kRent;
  std::string code;         // reason code (adjustments, write-offs) or charge code (sundry)
  std::string description;  // free text: why
  std::string request_id;   // write-offs: the approved request
  JournalEntry posting;
};
struct WriteOffRequested {
  std::string request_id;
  AccountKind account_kind = AccountKind::kRent;
  core::Money amount;
  std::string reason_code;
  std::string reason;
  std::string requested_by;
};
struct WriteOffRejected {
  std::string request_id;
  std::string reason;
};

// Suspense (domain §2, pitfall 2): a payment that matches no account is held on the ledger's
// suspense stream, never dropped. Allocating it is two recorded steps: the suspense stream
// releases it (once) to the transfers account, then the tenancy receives it from there.
inline constexpr char kSuspenseStream[] = "SUSPENSE";

struct PaymentSuspended {
  PaymentMethod method = PaymentMethod::kBankTransfer;
  std::string source;
  std::string external_reference;
  core::Date received_date;
  std::string raw_reference;  // the tenancy reference as it arrived, if any
  JournalEntry posting;       // bank (or benefit) debit, suspense credit
};
struct SuspenseReleased {
  std::string suspended_posting_id;
  std::string tenancy_ref;  // where it goes
  JournalEntry posting;     // suspense debit, transfers credit
};
struct HeldPaymentReversed {
  std::string suspended_posting_id;
  std::string reason;
  JournalEntry posting;  // suspense debit, the control account it came through credit
};
struct SuspenseAllocated {
  std::string suspended_posting_id;
  AccountKind account_kind = AccountKind::kRent;
  JournalEntry posting;  // transfers debit, tenant credit
};

// Transfers between tenancies (domain §2: corrections are new postings). Each tenancy is its own
// stream with one writer, so a transfer is two recorded steps: the source moves the amount from
// the tenant's account to the transfers control account, then the target receives it from there.
// Until it does (or if it refuses) the money is visible in the transfers account.
struct TransferredOut {
  std::string transfer_id;
  std::string to_tenancy_ref;
  AccountKind account_kind = AccountKind::kRent;
  AccountKind to_account_kind = AccountKind::kRent;
  std::string payment_posting_id;  // a misallocated payment moved, if any
  std::string reason_code;
  std::string reason;
  std::string transferred_by;
  JournalEntry posting;  // tenant debit, transfers credit
};
struct TransferredIn {
  std::string transfer_id;
  std::string from_tenancy_ref;
  std::string from_posting_id;
  AccountKind account_kind = AccountKind::kRent;
  std::string reason_code;
  std::string reason;
  std::string transferred_by;
  JournalEntry posting;  // transfers debit, tenant credit
};

// An award was set (replacing any of its kind) or, with `award.until`, ended.
struct BenefitAwardChanged {
  BenefitAward award;
  std::string reason;
};
using LedgerEvent =
    std::variant<AccountOpened, RentScheduleChanged, ChargePosted, PaymentReceived, PaymentReversed,
                 TenancyTerminated, BenefitAwardChanged, PostingMade, WriteOffRequested,
                 WriteOffRejected, PaymentSuspended, SuspenseReleased, SuspenseAllocated,
                 ChargeCredited, TransferredOut, TransferredIn, HeldPaymentReversed>;

// ---- commands
struct OpenAccount {
  TenancyInfo info;
  RentSchedule schedule;
};
struct ChangeRentSchedule {
  RentSchedule schedule;
  std::string reason;
};
struct PostCharges {
  core::Date from;
  core::Date to;
};
struct RecordPayment {
  PaymentMethod method = PaymentMethod::kBankTransfer;
  std::string source;
  std::string external_reference;
  core::Date received_date;
  core::Money amount;
  AccountKind account_kind = AccountKind::kRent;
};
struct ReversePayment {
  std::string original_posting_id;
  core::Date value_date;
  std::string reason;
};
struct TerminateTenancy {
  core::Date end_date;
  std::string reason;
};

struct SetBenefitAward {
  BenefitAward award;
  std::string reason;
};
struct EndBenefitAward {
  BenefitKind kind = BenefitKind::kHousingBenefit;
  core::Date last_day;
  std::string reason;
};

struct IssueRefund {
  AccountKind account_kind = AccountKind::kRent;
  core::Money amount;
  core::Date value_date;
  std::string reason;
};
struct PostAdjustment {
  AccountKind account_kind = AccountKind::kRent;
  core::Money amount;  // + the tenant owes more; never zero
  core::Date value_date;
  std::string reason_code;
  std::string reason;
};
struct PostSundryCharge {
  AccountKind account_kind = AccountKind::kSundryDebt;
  std::string code;
  std::string description;
  core::Money amount;
  core::Date value_date;
};
struct RequestWriteOff {
  std::string request_id;
  AccountKind account_kind = AccountKind::kRent;
  core::Money amount;
  std::string reason_code;
  std::string reason;
};
struct ApproveWriteOff {
  std::string request_id;
  core::Date value_date;
};
struct RejectWriteOff {
  std::string request_id;
  std::string reason;
};

struct SuspendPayment {  // on the suspense stream
  PaymentMethod method = PaymentMethod::kBankTransfer;
  std::string source;
  std::string external_reference;
  core::Date received_date;
  core::Money amount;
  std::string raw_reference;
};
struct ReleaseFromSuspense {  // on the suspense stream
  std::string suspended_posting_id;
  std::string tenancy_ref;
  core::Money amount;  // must equal the held amount: the officer confirms what they allocate
  core::Date value_date;
};
struct ReverseHeldPayment {  // on the suspense stream: a held payment that reaches no account
  std::string suspended_posting_id;
  core::Money amount;  // must equal the held amount
  core::Date value_date;
  std::string reason;
  // Needed only when the held record does not know it (held before session 14); else it must
  // match when given.
  std::optional<PaymentMethod> method;
};
struct ReceiveFromSuspense {  // on the tenancy's stream, after the release
  std::string suspended_posting_id;
  core::Money amount;
  AccountKind account_kind = AccountKind::kRent;
  core::Date value_date;
};

// On the source tenancy's stream: step 1 of a transfer. Moves credit the account holds, or (with
// `payment_posting_id`) what is left of a payment misallocated to it.
struct TransferOut {
  std::string transfer_id;  // unique per source tenancy: the idempotency key
  std::string to_tenancy_ref;
  AccountKind account_kind = AccountKind::kRent;
  AccountKind to_account_kind = AccountKind::kRent;
  core::Money amount;
  core::Date value_date;
  std::string payment_posting_id;
  std::string reason_code;
  std::string reason;
};
// On the target tenancy's stream: step 2, once per (from_tenancy_ref, transfer_id).
struct TransferIn {
  std::string transfer_id;
  std::string from_tenancy_ref;
  AccountKind account_kind = AccountKind::kRent;
  core::Money amount;
  core::Date value_date;
  std::string reason_code;
  std::string reason;
};

// A command that cannot be carried out, and the field to blame.
struct Refusal {
  enum class Kind {
    kInvalidArgument,
    kFailedPrecondition,
    kNotFound,
    kAlreadyExists,
    kPermissionDenied,
  };
  Kind kind = Kind::kInvalidArgument;
  std::string field;
  std::string reason;
};
using Decision = std::variant<std::vector<LedgerEvent>, Refusal>;

// A movement on one of the tenancy's accounts, for balances as of a date and statements.
struct AccountMovement {
  core::Date value_date;
  AccountKind account_kind = AccountKind::kRent;
  core::Money amount;  // + the tenant owes more
  std::string posting_id;
  std::string description;  // for statements the tenant can understand
};

struct PaymentRecord {
  core::Money amount;
  AccountKind account_kind = AccountKind::kRent;
  ControlAccount contra = ControlAccount::kBank;
  core::Date value_date;
  bool reversed = false;
  core::Money transferred;  // moved to other tenancies (a misallocated payment)
};

struct TransferRecord {
  std::string to_tenancy_ref;
  core::Money amount;
  AccountKind account_kind = AccountKind::kRent;
  std::string payment_posting_id;
};

struct TenancyLedger {
  bool opened = false;
  TenancyInfo info;
  RentSchedule schedule;
  // How many times Evolve set `schedule` (an encoder that kept the schedule it wrote knows
  // whether it still holds).
  uint64_t schedule_changes = 0;
  std::optional<core::Date> end_date;
  std::map<AccountKind, core::Money> balances;
  DaySet charged_periods;  // rent period starts (days since epoch)
  // The lines each rent period was charged with, by period start: what a termination credits
  // back for periods after the end date.
  ChargedLines charged_lines;
  std::map<std::string, PaymentRecord> payments;  // by posting id
  // In posting order. Only queries read them (balances as of a date, statements, KPIs): the
  // service stores them as the stream's history and decides without loading them.
  std::vector<AccountMovement> movements;
  // Movements recorded but not in `movements` (not loaded): one-off posting ids count them too.
  size_t movements_before = 0;
  std::map<BenefitKind, BenefitAward> awards;
  std::map<std::string, WriteOffRequested> pending_write_offs;  // by request id
  std::set<std::string> closed_write_offs;                      // approved or rejected
  // Suspense stream: held payments by posting id (amount, and where released to if released).
  struct Suspended {
    core::Money amount;
    core::Date received_date;
    std::string released_to;
    std::optional<PaymentMethod> method;  // unknown for payments held before session 14
    bool reversed = false;                // HeldPaymentReversed: never released
    std::string raw_reference;            // as it arrived (kept since session 14)
  };
  std::map<std::string, Suspended> suspended;
  // Tenancy streams: suspended payments received, by suspended posting id.
  std::set<std::string> received_from_suspense;
  std::map<std::string, TransferRecord> transfers_out;  // by transfer id
  std::set<std::string> transfers_in;                   // by posting id
};

// Limits: an amount above `ceiling` is refused as absurd (a configured landlord setting).
struct LedgerLimits {
  core::Money payment_ceiling = core::Money::FromPence(10'000'000);  // £100,000
  // Write-offs a team leader may approve; above it an income manager must (domain §2).
  core::Money team_leader_write_off_limit = core::Money::FromPence(500'000);  // £5,000
};

Decision Decide(const TenancyLedger& state, const OpenAccount& command);
Decision Decide(const TenancyLedger& state, const ChangeRentSchedule& command);
Decision Decide(const TenancyLedger& state, const PostCharges& command);
Decision Decide(const TenancyLedger& state, const RecordPayment& command,
                const LedgerLimits& limits = {});
Decision Decide(const TenancyLedger& state, const ReversePayment& command);
Decision Decide(const TenancyLedger& state, const TerminateTenancy& command);
Decision Decide(const TenancyLedger& state, const SetBenefitAward& command);
Decision Decide(const TenancyLedger& state, const EndBenefitAward& command);
Decision Decide(const TenancyLedger& state, const IssueRefund& command);
Decision Decide(const TenancyLedger& state, const PostAdjustment& command,
                const LedgerLimits& limits = {});
Decision Decide(const TenancyLedger& state, const PostSundryCharge& command,
                const LedgerLimits& limits = {});
Decision Decide(const TenancyLedger& state, const RequestWriteOff& command, const Actor& actor);
Decision Decide(const TenancyLedger& state, const ApproveWriteOff& command, const Actor& actor,
                const LedgerLimits& limits = {});
Decision Decide(const TenancyLedger& state, const RejectWriteOff& command, const Actor& actor);
Decision Decide(const TenancyLedger& state, const SuspendPayment& command,
                const LedgerLimits& limits = {});
Decision Decide(const TenancyLedger& state, const ReleaseFromSuspense& command);
Decision Decide(const TenancyLedger& state, const ReceiveFromSuspense& command);
Decision Decide(const TenancyLedger& state, const ReverseHeldPayment& command);
Decision Decide(const TenancyLedger& state, const TransferOut& command, const Actor& actor,
                const LedgerLimits& limits = {});
Decision Decide(const TenancyLedger& state, const TransferIn& command, const Actor& actor,
                const LedgerLimits& limits = {});

void Evolve(TenancyLedger& state, const LedgerEvent& event);

// Balance of one of the tenancy's accounts from every posting valued on or before `as_of`.
core::Money BalanceAsOf(const TenancyLedger& state, AccountKind kind, core::Date as_of);

// The rent account's arrears as of a date, split the way officers need it (pitfall 1 of domain
// §7): what benefit already awarded will still pay for periods that have begun, and what the
// tenant owes themselves.
struct ArrearsPosition {
  core::Money balance;           // the rent account balance (+ owed)
  core::Money benefit_accrued;   // for each rent charge begun, the award per rent period
  core::Money benefit_received;  // benefit payments (net of reversals) valued by the date
  core::Money benefit_expected;  // accrued − received, never below zero
  core::Money tenant_owed;       // balance − expected, never below zero
};
ArrearsPosition ArrearsAsOf(const TenancyLedger& state, core::Date as_of);

// The start of the next rent period that is due a charge and not yet charged (rent-free and
// zero periods skipped), within a year of the last one charged; nullopt when none (an ended
// tenancy, or no chargeable period ahead). The ledger asks the clock to wake it on that day: the
// business-day tick is the charge run.
std::optional<core::Date> NextChargeDue(const TenancyLedger& state);

// A rent statement (Pre-Action Protocol: statements the tenant can understand, covering two
// years): opening balance, every movement valued in [from, to] with its running balance, closing
// balance. Debits are what the tenant was charged, credits what they paid or were credited.
struct StatementLine {
  core::Date date;
  std::string description;
  core::Money debit;
  core::Money credit;
  core::Money balance;
};
struct Statement {
  std::string tenancy_ref;
  AccountKind account_kind = AccountKind::kRent;
  core::Date from;
  core::Date to;
  core::Money opening_balance;
  std::vector<StatementLine> lines;
  core::Money closing_balance;
};
inline constexpr int64_t kMaxStatementDays = 366 * 6;
absl::StatusOr<Statement> BuildStatement(const TenancyLedger& state, AccountKind kind,
                                         core::Date from, core::Date to);

// Income KPIs and aged debt over many tenancies (domain §3), accumulated one ledger at a time:
// current-tenant arrears as % of the annual rent debit, rent collected as % of rent charged over
// the 52 weeks to the date, former-tenant arrears, write-offs, and tenant-owed arrears aged in
// weeks of gross rent.
struct LedgerKpis {
  int64_t accounts = 0;           // current tenancies
  int64_t in_arrears = 0;         // current tenancies owing anything themselves
  int64_t over_seven_weeks = 0;   // ... more than 7 weeks of gross rent
  core::Money current_arrears;    // tenant-owed, current tenancies
  core::Money benefit_expected;   // current tenancies
  core::Money annual_rent_debit;  // weekly gross rent × 52, current tenancies
  double arrears_percent_of_debit = 0;
  core::Money charged_52_weeks;
  core::Money collected_52_weeks;  // payments net of reversals, incl. allocations
  double collection_rate_percent = 0;
  core::Money former_tenant_arrears;
  core::Money written_off_52_weeks;
  // Tenant-owed arrears by weeks of gross rent: (0, 4], (4, 8], (8, 13], over 13.
  std::array<int64_t, 4> aged_accounts{};
  std::array<core::Money, 4> aged_amount{};
};

class KpiAccumulator {
 public:
  explicit KpiAccumulator(core::Date as_of) : as_of_(as_of) {}
  void Add(const TenancyLedger& ledger);
  // Adds the sums of another set of accounts (its percentages are not used: Result makes them
  // from the sums) — a scan's part from another replica.
  void Merge(const LedgerKpis& part);
  LedgerKpis Result() const;

 private:
  core::Date as_of_;
  LedgerKpis k_;
};

// The posting id of a payment: unique per (source, external reference).
std::string PaymentPostingId(const std::string& source, const std::string& external_reference);
// The posting id of a payment held in suspense: unique per (source, external reference).
std::string SuspendedPostingId(const std::string& source, const std::string& external_reference);
// The posting id the payment held as `suspended_posting_id` has when recorded on an account
// (the same source and external reference), or nullopt if the id is not a held payment's.
std::optional<std::string> PaymentPostingIdOfHeld(const std::string& suspended_posting_id);
std::string ChargePostingId(const std::string& tenancy_ref, core::Date period_start);
std::string TransferOutPostingId(const std::string& from_tenancy_ref,
                                 const std::string& transfer_id);
std::string TransferInPostingId(const std::string& from_tenancy_ref,
                                const std::string& transfer_id);

// Pro rata at termination (README): of a line charged for a period of `days_in_period` days, the
// part for the `days_after` days after the end date, rounded up to the penny (the tenant's
// favour). 0 <= days_after <= days_in_period.
core::Money ProRataCredit(core::Money line, int64_t days_after, int64_t days_in_period);

}  // namespace rentstream::ledger
