#include "services/ledger/app/ledger_audit.h"

#include <map>
#include <set>
#include <utility>

#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::app {

std::vector<CreditedTwice> FindCreditedTwice(const std::vector<common::v1::Event>& events) {
  const std::string received = v1::PaymentReceived::descriptor()->full_name();
  const std::string allocated = v1::SuspenseAllocated::descriptor()->full_name();
  const std::string reversed = v1::PaymentReversed::descriptor()->full_name();
  std::map<std::string, std::vector<Credit>> credits;       // by payment posting id
  std::set<std::pair<std::string, std::string>> reversals;  // (tenancy, payment posting id)
  for (const common::v1::Event& e : events) {
    const std::string& type = e.envelope().event_type();
    Credit credit{e.envelope().tenancy_ref(), e.envelope().event_id()};
    if (type == received) {
      v1::PaymentReceived p;
      if (p.ParseFromString(e.payload())) credits[p.posting().posting_id()].push_back(credit);
    } else if (type == allocated) {
      v1::SuspenseAllocated a;
      if (!a.ParseFromString(e.payload())) continue;
      if (auto id = PaymentPostingIdOfHeld(a.suspended_posting_id())) {
        credit.from_suspense = true;
        credits[*id].push_back(credit);
      }
    } else if (type == reversed) {
      v1::PaymentReversed r;
      if (r.ParseFromString(e.payload())) {
        reversals.emplace(e.envelope().tenancy_ref(), r.original_posting_id());
      }
    }
  }
  std::vector<CreditedTwice> out;
  for (auto& [payment, all] : credits) {
    for (Credit& c : all) {
      c.reversed = !c.from_suspense && reversals.count({c.tenancy_ref, payment}) > 0;
    }
    for (size_t k = 1; k < all.size(); ++k) out.push_back({payment, all.front(), all[k]});
  }
  return out;
}

}  // namespace rentstream::ledger::app
