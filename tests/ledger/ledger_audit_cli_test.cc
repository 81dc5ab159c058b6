// `rentstream ledger credited-twice` (tools/rentstream/demo.cc) over a LocalBus log the test
// writes itself.
#include <gtest/gtest.h>

#include "libs/eventlog/local_bus.h"
#include "libs/runtime/topics.h"
#include "rentstream/common/v1/envelope.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "tests/runtime/bus_fixture.h"
#include "tools/rentstream/demo.h"

namespace rentstream::ledger {
namespace {

// `rentstream ledger credited-twice` over a log the guards above could not have written (events
// from before them): a payment recorded on one account and its held copy allocated to another
// is found; an unreadable events topic is an error, not "nothing found".
TEST(LedgerAuditCliTest, CreditedTwiceFindsAPaymentRecordedAndAllocatedFromSuspense) {
  rentstream::testing::TempDir dir;
  const std::string log = dir.Sub("log");
  EXPECT_EQ(rentstream::cli::RunLedgerCreditedTwice("local", log, false), 2);  // no topic
  EXPECT_EQ(rentstream::cli::RunVerify("local", log, "ledger"), 2);  // nor "0 streams: 0 broken"
  const std::string topic = runtime::ServiceTopics::For("ledger").events;
  auto event = [&](const std::string& tenancy, const std::string& id,
                   const google::protobuf::Message& payload) {
    common::v1::Event e;
    e.mutable_envelope()->set_tenancy_ref(tenancy);
    e.mutable_envelope()->set_event_id(id);
    e.mutable_envelope()->set_event_type(payload.GetDescriptor()->full_name());
    e.set_payload(payload.SerializeAsString());
    return eventlog::OutgoingRecord{topic, tenancy, e.SerializeAsString(), {}, std::nullopt};
  };
  // A LocalBus log has one opener at a time: each append closes it before the audit reads it.
  auto append = [&](const eventlog::OutgoingRecord& record) {
    auto bus = eventlog::LocalBus::Open(log);
    ASSERT_TRUE(bus.ok()) << bus.status();
    eventlog::TopicSpec spec;
    spec.name = topic;
    spec.partitions = 2;
    ASSERT_TRUE((*bus)->DeclareTopics({spec}).ok());
    auto appender = (*bus)->NewAppender("audit-test");
    ASSERT_TRUE(appender.ok()) << appender.status();
    ASSERT_TRUE((*appender)->Append({record}).ok());
  };
  v1::PaymentReceived paid;
  paid.mutable_posting()->set_posting_id("payment:bank:B7");
  append(event("HA-000001", "e-1", paid));
  EXPECT_EQ(rentstream::cli::RunLedgerCreditedTwice("local", log, false), 0);
  v1::SuspenseAllocated allocated;
  allocated.set_suspended_posting_id("suspense:bank:B7");
  append(event("HA-000002", "e-2", allocated));
  EXPECT_EQ(rentstream::cli::RunLedgerCreditedTwice("local", log, false), 1);
  EXPECT_EQ(rentstream::cli::RunLedgerCreditedTwice("local", log, true), 1);
}

}  // namespace
}  // namespace rentstream::ledger
