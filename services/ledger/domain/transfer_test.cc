#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>

#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }
Money P(int64_t pence) { return Money::FromPence(pence); }
const Actor kOfficer{"officer-7", Role::kOfficer};
const AccountRef kTransfers = AccountRef::Control(ControlAccount::kTransfers);

TenancyLedger Opened(const std::string& ref) {
  OpenAccount c;
  c.info.tenancy_ref = ref;
  c.info.tenant_ids = {"person-" + ref};
  c.info.start_date = D(2026, 4, 6);
  c.schedule.frequency = Frequency::kWeekly;
  c.schedule.anchor = D(2026, 4, 6);
  c.schedule.rates = {{D(2026, 4, 6), {{ChargeKind::kNetRent, "RNT", P(11050)}}}};
  TenancyLedger s;
  s.info.tenancy_ref = ref;
  const Decision opened = Decide(s, c);
  for (const LedgerEvent& e : std::get<std::vector<LedgerEvent>>(opened)) Evolve(s, e);
  return s;
}

// Folds an accepted decision into the state and its postings into the book.
std::optional<Refusal> Fold(TenancyLedger& s, JournalBook& book, const Decision& d) {
  if (auto* r = std::get_if<Refusal>(&d)) return *r;
  for (const LedgerEvent& e : std::get<std::vector<LedgerEvent>>(d)) {
    Evolve(s, e);
    std::visit(
        [&](const auto& ev) {
          if constexpr (requires { ev.posting.lines; }) {
            EXPECT_TRUE(book.Post(ev.posting).ok()) << ev.posting.id;
          }
        },
        e);
  }
  return std::nullopt;
}

size_t EventCount(const Decision& d) {
  return std::holds_alternative<Refusal>(d) ? 0 : std::get<std::vector<LedgerEvent>>(d).size();
}

RecordPayment Payment(const std::string& ref, int64_t pence) {
  return {PaymentMethod::kBankTransfer, "bank", ref, D(2026, 4, 8), P(pence), AccountKind::kRent};
}

TransferOut Out(const std::string& id, const std::string& to, int64_t pence) {
  return {id,
          to,
          AccountKind::kRent,
          AccountKind::kRent,
          P(pence),
          D(2026, 4, 10),
          "",
          "CREDIT",
          "credit moved to the tenant's new tenancy"};
}

TransferIn In(const TransferOut& out, const std::string& from) {
  return {out.transfer_id, from,      out.to_account_kind, out.amount, out.value_date,
          out.reason_code, out.reason};
}

TEST(TransferTest, ACreditMovesToAnotherTenancyInTwoRecordedSteps) {
  TenancyLedger a = Opened("HA-000123"), b = Opened("HA-000456");
  JournalBook book;
  ASSERT_FALSE(Fold(a, book, Decide(a, Payment("R1", 5000))));
  const TransferOut out = Out("t-1", "HA-000456", 3000);
  ASSERT_FALSE(Fold(a, book, Decide(a, out, kOfficer)));
  EXPECT_EQ(a.balances[AccountKind::kRent], P(-2000));
  EXPECT_EQ(book.Balance(kTransfers), P(-3000)) << "in transit: visible, never lost";
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  EXPECT_EQ(EventCount(Decide(a, out, kOfficer)), 0u) << "a retry of the same transfer";
  TransferOut other = out;
  other.amount = P(1000);
  EXPECT_EQ(std::get<Refusal>(Decide(a, other, kOfficer)).kind, Refusal::Kind::kAlreadyExists);

  ASSERT_FALSE(Fold(b, book, Decide(b, In(out, "HA-000123"), kOfficer)));
  EXPECT_EQ(EventCount(Decide(b, In(out, "HA-000123"), kOfficer)), 0u) << "received once";
  EXPECT_EQ(b.balances[AccountKind::kRent], P(-3000));
  EXPECT_EQ(book.Balance(kTransfers), Money::Zero());
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  ASSERT_EQ(b.movements.size(), 1u);
  EXPECT_EQ(b.movements[0].posting_id, "transfer-in:HA-000123:t-1");
  EXPECT_EQ(b.movements[0].description,
            "Transfer from another account (CREDIT): credit moved to the tenant's new tenancy");
  auto statement = BuildStatement(a, AccountKind::kRent, D(2026, 4, 1), D(2026, 4, 30));
  ASSERT_TRUE(statement.ok());
  ASSERT_EQ(statement->lines.size(), 2u);
  EXPECT_EQ(statement->lines[1].description,
            "Transfer to another account (CREDIT): credit moved to the tenant's new tenancy");
  EXPECT_EQ(statement->lines[1].debit, P(3000));
  EXPECT_EQ(statement->closing_balance, P(-2000));
}

TEST(TransferTest, AMisallocatedPaymentMovesAndCannotThenBeReversedHere) {
  TenancyLedger a = Opened("HA-000123"), b = Opened("HA-000456");
  JournalBook book;
  ASSERT_FALSE(Fold(a, book, Decide(a, PostCharges{D(2026, 4, 6), D(2026, 4, 6)})));
  ASSERT_FALSE(Fold(b, book, Decide(b, PostCharges{D(2026, 4, 6), D(2026, 4, 6)})));
  ASSERT_FALSE(Fold(a, book, Decide(a, Payment("B-REF", 11050))));  // B's payment, on A
  TransferOut out = Out("t-2", "HA-000456", 11050);
  out.payment_posting_id = "payment:bank:B-REF";
  EXPECT_FALSE(Fold(a, book, Decide(a, out, kOfficer)));  // A holds no credit: the payment moves
  ASSERT_FALSE(Fold(b, book, Decide(b, In(out, "HA-000123"), kOfficer)));
  EXPECT_EQ(a.balances[AccountKind::kRent], P(11050));
  EXPECT_EQ(b.balances[AccountKind::kRent], Money::Zero());
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  TransferOut more = Out("t-3", "HA-000456", 1);
  more.payment_posting_id = out.payment_posting_id;
  EXPECT_EQ(std::get<Refusal>(Decide(a, more, kOfficer)).field, "amount");
  const Refusal r =
      std::get<Refusal>(Decide(a, ReversePayment{out.payment_posting_id, D(2026, 4, 20), "RD"}));
  EXPECT_EQ(r.kind, Refusal::Kind::kFailedPrecondition);
  EXPECT_EQ(r.field, "original_posting_id");
}

TEST(TransferTest, ARefusedReceiptLeavesTheMoneyInTheTransfersAccount) {
  TenancyLedger a = Opened("HA-000123");
  TenancyLedger missing;
  missing.info.tenancy_ref = "HA-000789";
  JournalBook book;
  ASSERT_FALSE(Fold(a, book, Decide(a, Payment("R1", 5000))));
  const TransferOut out = Out("t-1", "HA-000789", 5000);
  ASSERT_FALSE(Fold(a, book, Decide(a, out, kOfficer)));
  auto r = Fold(missing, book, Decide(missing, In(out, "HA-000123"), kOfficer));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, Refusal::Kind::kNotFound);
  EXPECT_EQ(r->field, "tenancy_ref");
  EXPECT_EQ(book.Balance(kTransfers), P(-5000));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());

  // Once the account exists, the receipt completes the transfer.
  TenancyLedger opened = Opened("HA-000789");
  ASSERT_FALSE(Fold(opened, book, Decide(opened, In(out, "HA-000123"), kOfficer)));
  EXPECT_EQ(book.Balance(kTransfers), Money::Zero());
  EXPECT_EQ(opened.balances[AccountKind::kRent], P(-5000));

  // An ended tenancy takes it on the former-tenant account, not the rent account.
  TenancyLedger ended = Opened("HA-000999");
  ASSERT_FALSE(Fold(ended, book, Decide(ended, TerminateTenancy{D(2026, 4, 12), "moved out"})));
  TransferIn to_ended = In(Out("t-9", "HA-000999", 100), "HA-000123");
  EXPECT_EQ(std::get<Refusal>(Decide(ended, to_ended, kOfficer)).field, "account_kind");
  to_ended.account_kind = AccountKind::kFormerTenantArrears;
  EXPECT_EQ(EventCount(Decide(ended, to_ended, kOfficer)), 1u);
}

TEST(TransferTest, BadTransfersAreRefusedNamingTheField) {
  TenancyLedger a = Opened("HA-000123");
  JournalBook book;
  ASSERT_FALSE(Fold(a, book, Decide(a, Payment("R1", 5000))));
  auto field = [&](TransferOut c, const Actor& actor = kOfficer) {
    const Decision d = Decide(a, c, actor);
    return std::holds_alternative<Refusal>(d) ? std::get<Refusal>(d).field : "accepted";
  };
  const TransferOut ok = Out("t-1", "HA-000456", 5000);
  EXPECT_EQ(field(ok), "accepted");
  TransferOut c = ok;
  c.amount = P(0);
  EXPECT_EQ(field(c), "amount");
  c.amount = P(20'000'000);  // above the £100,000 ceiling
  EXPECT_EQ(field(c), "amount");
  c.amount = P(5001);  // more than the credit held
  EXPECT_EQ(field(c), "amount");
  c = ok;
  c.to_tenancy_ref = "HA-000123";
  EXPECT_EQ(field(c), "to_tenancy_ref");
  c.to_tenancy_ref = "ha-000456";
  EXPECT_EQ(field(c), "to_tenancy_ref");
  c.to_tenancy_ref = kSuspenseStream;
  EXPECT_EQ(field(c), "to_tenancy_ref");
  c = ok;
  c.transfer_id = "";
  EXPECT_EQ(field(c), "transfer_id");
  c = ok;
  c.reason_code = "";
  EXPECT_EQ(field(c), "reason_code");
  c = ok;
  c.reason = "";
  EXPECT_EQ(field(c), "reason");
  EXPECT_EQ(field(ok, Actor{}), "actor");
  c = ok;
  c.value_date = D(2026, 1, 1);
  EXPECT_EQ(field(c), "value_date");
  c = ok;
  c.payment_posting_id = "payment:bank:NOPE";
  EXPECT_EQ(field(c), "payment_posting_id");
  TenancyLedger none;
  EXPECT_EQ(std::get<Refusal>(Decide(none, ok, kOfficer)).kind, Refusal::Kind::kNotFound);
}

// Any sequence of payments, charges and transfers both ways between two tenancies, with receipts
// delayed or never made: the trial balance is zero after every step, and the transfers account
// holds exactly what was transferred out and not yet received.
RC_GTEST_PROP(TransferProperty, MoneyIsNeverLostInTransit, ()) {
  std::array<TenancyLedger, 2> t = {Opened("HA-000123"), Opened("HA-000456")};
  JournalBook book;
  std::vector<std::pair<int, TransferOut>> in_transit;  // (target index, transfer)
  int64_t transit = 0;
  const int steps = *rc::gen::inRange(1, 40);
  for (int i = 0; i < steps; ++i) {
    const int from = *rc::gen::inRange(0, 2);
    TenancyLedger& s = t[from];
    const Date day = D(2026, 4, 6).AddDays(*rc::gen::inRange(0, 60));
    switch (*rc::gen::inRange(0, 4)) {
      case 0:
        Fold(s, book,
             Decide(s, RecordPayment{PaymentMethod::kCash, "cash-" + s.info.tenancy_ref,
                                     "R" + std::to_string(*rc::gen::inRange(0, 20)), day,
                                     P(*rc::gen::inRange<int64_t>(1, 50000)), AccountKind::kRent}));
        break;
      case 1:
        Fold(s, book, Decide(s, PostCharges{day, day.AddDays(14)}));
        break;
      case 2: {
        TransferOut out = Out("t-" + std::to_string(*rc::gen::inRange(0, 10)),
                              t[1 - from].info.tenancy_ref, *rc::gen::inRange<int64_t>(1, 30000));
        out.value_date = day;
        const Decision d = Decide(s, out, kOfficer);
        if (EventCount(d) == 1) {
          in_transit.push_back({1 - from, out});
          transit += out.amount.pence();
        }
        Fold(s, book, d);
        break;
      }
      default:
        if (!in_transit.empty()) {
          const size_t k = *rc::gen::inRange<size_t>(0, in_transit.size());
          auto [to, out] = in_transit[k];
          const Decision d = Decide(t[to], In(out, t[1 - to].info.tenancy_ref), kOfficer);
          RC_ASSERT(EventCount(d) == 1u);
          Fold(t[to], book, d);
          transit -= out.amount.pence();
          in_transit.erase(in_transit.begin() + static_cast<std::ptrdiff_t>(k));
        }
    }
    RC_ASSERT(*book.TrialBalance() == Money::Zero());
    RC_ASSERT(book.Balance(kTransfers) == P(-transit));
  }
  for (const TenancyLedger& s : t) {
    auto it = s.balances.find(AccountKind::kRent);
    RC_ASSERT(book.Balance(AccountRef::Tenant(s.info.tenancy_ref)) ==
              (it == s.balances.end() ? Money::Zero() : it->second));
  }
}

}  // namespace
}  // namespace rentstream::ledger
