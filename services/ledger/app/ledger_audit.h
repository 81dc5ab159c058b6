#pragma once
// Audits over the ledger's events topic (what an auditor or an operator replays): checks that
// need every stream at once, which no single stream's decision can make.

#include <string>
#include <vector>

#include "rentstream/common/v1/envelope.pb.h"

namespace rentstream::ledger::app {

// One way a payment reached a tenant's account: recorded there (PaymentReceived "payment:S:R")
// or allocated there from suspense (SuspenseAllocated of "suspense:S:R").
struct Credit {
  std::string tenancy_ref;
  std::string event_id;
  bool from_suspense = false;
  bool reversed = false;  // recorded, and reversed since on that account (returned, bounced)
};

// One payment (source and external reference) that reached tenants' accounts twice: recorded on
// two accounts (a file imported naming one tenancy, then again naming another), or recorded and
// also allocated from suspense (to the same account or another).
struct CreditedTwice {
  std::string payment_posting_id;  // "payment:S:R"
  Credit first;
  Credit second;
};

// Every payment credited twice in `events` (the ledger's events, any order): for each payment,
// its first credit (in the order of `events`) paired with each later one, by payment posting id.
// Events of other types, and payloads that do not parse, are skipped.
std::vector<CreditedTwice> FindCreditedTwice(const std::vector<common::v1::Event>& events);

}  // namespace rentstream::ledger::app
