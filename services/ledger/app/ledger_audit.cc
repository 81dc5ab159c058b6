#include "services/ledger/app/ledger_audit.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::app {
namespace {

struct Recorded {
  std::string tenancy_ref;
  std::string event_id;
};

}  // namespace

std::vector<CreditedTwice> FindCreditedTwice(const std::vector<common::v1::Event>& events) {
  const std::string received = v1::PaymentReceived::descriptor()->full_name();
  const std::string allocated = v1::SuspenseAllocated::descriptor()->full_name();
  const std::string reversed = v1::PaymentReversed::descriptor()->full_name();
  std::map<std::string, std::vector<Recorded>> paid;                        // by payment posting id
  std::vector<std::tuple<std::string, std::string, Recorded>> allocations;  // held id, paid id
  std::set<std::pair<std::string, std::string>> reversals;  // (tenancy, payment posting id)
  for (const common::v1::Event& e : events) {
    const std::string& type = e.envelope().event_type();
    const Recorded where{e.envelope().tenancy_ref(), e.envelope().event_id()};
    if (type == received) {
      v1::PaymentReceived p;
      if (p.ParseFromString(e.payload())) paid[p.posting().posting_id()].push_back(where);
    } else if (type == allocated) {
      v1::SuspenseAllocated a;
      if (!a.ParseFromString(e.payload())) continue;
      if (auto id = PaymentPostingIdOfHeld(a.suspended_posting_id())) {
        allocations.emplace_back(a.suspended_posting_id(), *id, where);
      }
    } else if (type == reversed) {
      v1::PaymentReversed r;
      if (r.ParseFromString(e.payload())) {
        reversals.emplace(e.envelope().tenancy_ref(), r.original_posting_id());
      }
    }
  }
  std::vector<CreditedTwice> out;
  for (const auto& [held, payment, to] : allocations) {
    auto it = paid.find(payment);
    if (it == paid.end()) continue;
    for (const Recorded& on : it->second) {
      out.push_back({payment, on.tenancy_ref, on.event_id, held, to.tenancy_ref, to.event_id,
                     reversals.count({on.tenancy_ref, payment}) > 0});
    }
  }
  std::sort(out.begin(), out.end(), [](const CreditedTwice& a, const CreditedTwice& b) {
    return std::tie(a.payment_posting_id, a.paid_tenancy_ref, a.allocated_tenancy_ref) <
           std::tie(b.payment_posting_id, b.paid_tenancy_ref, b.allocated_tenancy_ref);
  });
  return out;
}

}  // namespace rentstream::ledger::app
