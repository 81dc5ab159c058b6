#pragma once
// What the ledger's domain tests share: dates and amounts in brief, an account to open, and
// deciding-then-folding commands into a ledger and its postings into a double-entry book.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "services/ledger/domain/journal.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::test {

using core::Date;
using core::Money;

inline Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }
inline Money P(int64_t pence) { return Money::FromPence(pence); }

inline OpenAccount Open(const std::string& ref = "HA-000123") {
  OpenAccount c;
  c.info.tenancy_ref = ref;
  c.info.patch = "EAST-2";
  c.info.tenant_ids = {"person-1", "person-2"};
  c.info.start_date = D(2026, 4, 6);
  c.schedule.frequency = Frequency::kWeekly;
  c.schedule.anchor = D(2026, 4, 6);
  c.schedule.rates = {
      {D(2026, 4, 6),
       {{ChargeKind::kNetRent, "RNT", P(10000)}, {ChargeKind::kServiceCharge, "HTG", P(1050)}}}};
  return c;
}

// Decides and, when accepted, folds; returns the events (empty on refusal, with `refusal` set).
template <typename Command>
std::vector<LedgerEvent> Apply(TenancyLedger& s, const Command& c, Refusal* refusal = nullptr) {
  Decision d = Decide(s, c);
  if (auto* r = std::get_if<Refusal>(&d)) {
    if (refusal != nullptr) *refusal = *r;
    return {};
  }
  auto events = std::get<std::vector<LedgerEvent>>(d);
  for (const LedgerEvent& e : events) Evolve(s, e);
  return events;
}

// Folds an accepted decision into the state; false when it was refused.
inline bool Fold(TenancyLedger& s, const Decision& d) {
  if (std::holds_alternative<Refusal>(d)) return false;
  for (const LedgerEvent& e : std::get<std::vector<LedgerEvent>>(d)) Evolve(s, e);
  return true;
}

inline std::optional<Refusal> RefusalOf(const Decision& d) {
  if (auto* r = std::get_if<Refusal>(&d)) return *r;
  return std::nullopt;
}

// Every posting of the events, into a double-entry book.
inline void Book(JournalBook& book, const std::vector<LedgerEvent>& events) {
  for (const LedgerEvent& e : events) {
    std::visit(
        [&](const auto& ev) {
          using T = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<T, TenancyTerminated>) {
            if (ev.posting) {
              ASSERT_TRUE(book.Post(*ev.posting).ok());
            }
          } else if constexpr (requires { ev.posting; }) {
            auto posted = book.Post(ev.posting);
            ASSERT_TRUE(posted.ok()) << ev.posting.id << ": " << posted;
          }
        },
        e);
  }
}

}  // namespace rentstream::ledger::test
