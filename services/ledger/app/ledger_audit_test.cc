#include "services/ledger/app/ledger_audit.h"

#include <gtest/gtest.h>

#include "rentstream/ledger/v1/events.pb.h"

namespace rentstream::ledger::app {
namespace {

common::v1::Event Sealed(const std::string& tenancy, const std::string& event_id,
                         const google::protobuf::Message& payload) {
  common::v1::Event e;
  e.mutable_envelope()->set_tenancy_ref(tenancy);
  e.mutable_envelope()->set_event_id(event_id);
  e.mutable_envelope()->set_event_type(payload.GetDescriptor()->full_name());
  e.set_payload(payload.SerializeAsString());
  return e;
}

common::v1::Event Paid(const std::string& tenancy, const std::string& event_id,
                       const std::string& posting_id) {
  v1::PaymentReceived p;
  p.mutable_posting()->set_posting_id(posting_id);
  return Sealed(tenancy, event_id, p);
}

common::v1::Event Allocated(const std::string& tenancy, const std::string& event_id,
                            const std::string& held) {
  v1::SuspenseAllocated a;
  a.set_suspended_posting_id(held);
  return Sealed(tenancy, event_id, a);
}

TEST(LedgerAuditTest, FindsAPaymentCreditedTwiceWhicheverWayItReachedTheAccounts) {
  v1::PaymentReversed reversal;
  reversal.set_original_posting_id("payment:bank:B9");
  std::vector<common::v1::Event> events = {
      Paid("HA-1", "e1", "payment:bank:B7"),
      Allocated("HA-2", "e2", "suspense:bank:B7"),  // recorded on one, allocated to another
      Paid("HA-1", "e3", "payment:bank:B8"),        // recorded only
      Allocated("HA-1", "e4", "suspense:bank:B6"),  // allocated only
      Paid("HA-3", "e5", "payment:bank:B9"),
      Allocated("HA-3", "e6", "suspense:bank:B9"),  // the same account, reversed since
      Sealed("HA-3", "e7", reversal),
      Paid("HA-4", "e8", "payment:card:B7"),  // another source's B7
      Paid("HA-5", "e9", "payment:bank:B5"),  // a file naming one tenancy, then another
      Paid("HA-6", "e10", "payment:bank:B5"),
  };
  common::v1::Event garbage = Paid("HA-7", "e11", "payment:bank:B6");
  garbage.set_payload("\xff\xff not a payment");
  events.push_back(garbage);

  const std::vector<CreditedTwice> found = FindCreditedTwice(events);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].payment_posting_id, "payment:bank:B5");
  EXPECT_EQ(found[0].first.tenancy_ref, "HA-5");
  EXPECT_EQ(found[0].second.tenancy_ref, "HA-6");
  EXPECT_FALSE(found[0].second.from_suspense);
  EXPECT_EQ(found[1].payment_posting_id, "payment:bank:B7");
  EXPECT_EQ(found[1].first.tenancy_ref, "HA-1");
  EXPECT_EQ(found[1].first.event_id, "e1");
  EXPECT_FALSE(found[1].first.from_suspense);
  EXPECT_EQ(found[1].second.tenancy_ref, "HA-2");
  EXPECT_EQ(found[1].second.event_id, "e2");
  EXPECT_TRUE(found[1].second.from_suspense);
  EXPECT_EQ(found[2].payment_posting_id, "payment:bank:B9");
  EXPECT_TRUE(found[2].first.reversed);
  EXPECT_FALSE(found[2].second.reversed);
  EXPECT_TRUE(FindCreditedTwice({}).empty());
}

}  // namespace
}  // namespace rentstream::ledger::app
