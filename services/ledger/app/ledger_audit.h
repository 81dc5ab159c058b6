#pragma once
// Audits over the ledger's events topic (what an auditor or an operator replays): checks that
// need every stream at once, which no single stream's decision can make.

#include <string>
#include <vector>

#include "rentstream/common/v1/envelope.pb.h"

namespace rentstream::ledger::app {

// One payment (source and external reference) that reached tenants' accounts twice: recorded
// on an account (PaymentReceived "payment:S:R") and also held in suspense and allocated to an
// account (SuspenseAllocated "suspense:S:R"), the same account or another.
struct CreditedTwice {
  std::string payment_posting_id;  // "payment:S:R"
  std::string paid_tenancy_ref;    // where it was recorded
  std::string paid_event_id;
  std::string held_posting_id;        // "suspense:S:R"
  std::string allocated_tenancy_ref;  // where the held copy was allocated
  std::string allocated_event_id;
  bool reversed = false;  // the recorded payment was reversed since (returned, bounced)
};

// Every payment credited twice that way in `events` (the ledger's events, any order), by payment
// posting id then allocation. Events of other types, and payloads that do not parse, are skipped.
std::vector<CreditedTwice> FindCreditedTwice(const std::vector<common::v1::Event>& events);

}  // namespace rentstream::ledger::app
