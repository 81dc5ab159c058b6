// Payments in bulk and in suspense through the ledger's gRPC API on both buses: a payment file
// imported line by line with its report, a retried import answered alike, and a payment posted
// and also held in suspense credited once (allocation refused, the held copy reversed, the
// suspense worklist). The fixture and its instantiation: ledger_service_fixture.h,
// ledger_service_test.cc.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "libs/runtime/clock.h"
#include "libs/runtime/topics.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "tests/ledger/ledger_service_fixture.h"
#include "tools/rentstream/ledger_import.h"
#include "tools/rentstream/ledger_query.h"

namespace rentstream::ledger {
namespace {

using test::LedgerServiceTest;

TEST_P(LedgerServiceTest, APaymentFileImportsLineByLineWithAReport) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-import", &opened).ok());
  const std::string source = "allpay-" + tenancy_;
  const std::string file = dir_.Sub("payments.csv");
  std::ofstream(file) << "\xEF\xBB\xBF"
                      << "date,amount,reference,method,tenancy_ref\r\n"
                      << "2026-04-08,£110.50,R1,cash," << tenancy_ << "\r\n"
                      << "2026-04-09,\"1,000.00\",R2,bank_transfer," << tenancy_ << "\r\n"
                      << "\r\n"
                      << "2026-04-09,5.00,R3,card,HA-NOBODY\r\n"            // unknown: suspense
                      << "2026-04-09,6.00,R4,card,\r\n"                     // none: suspense
                      << "2026-04-31,7.00,R5,card," << tenancy_ << "\r\n"   // bad date
                      << "2026-04-01,8.00,R6,card," << tenancy_ << "\r\n"   // before the tenancy
                      << "2026-04-10,9.00,R1,cash," << tenancy_ << "\r\n";  // R1 again
  rentstream::cli::ImportOptions options;
  options.ledger_address = "127.0.0.1:" + std::to_string(grpc_port_);
  options.source = source;
  options.concurrency = 4;
  auto report = rentstream::cli::ImportPaymentFile(file, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->lines_read, 6);
  EXPECT_EQ(report->imported, 2);
  EXPECT_EQ(report->duplicate, 1);
  EXPECT_EQ(report->suspense, 2);
  ASSERT_EQ(report->rejected.size(), 2u) << report->ToJson();
  EXPECT_EQ(report->rejected[0].line, 7);
  EXPECT_EQ(report->rejected[1].line, 8);
  EXPECT_EQ(report->rejected[1].reason.rfind("received_date:", 0), 0u) << report->ToJson();
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -111050; }));

  // The same file again: nothing posts twice, nothing is lost.
  auto again = rentstream::cli::ImportPaymentFile(file, options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(again->suspense, 0);
  EXPECT_EQ(again->duplicate, 5) << again->ToJson();
  EXPECT_EQ(Balance(), -111050);

  // The statement, as the CLI writes it.
  rentstream::cli::StatementOptions statement;
  statement.ledger_address = options.ledger_address;
  statement.tenancy = tenancy_;
  statement.from = "2026-04-01";
  statement.to = "2026-04-30";
  statement.format = "csv";
  statement.out = dir_.Sub("statement.csv");
  ASSERT_EQ(rentstream::cli::RunLedgerStatement(statement), 0);
  std::stringstream csv;
  csv << std::ifstream(statement.out).rdbuf();
  EXPECT_NE(csv.str().find("2026-04-08,\"Payment, cash (R1)\",,110.50,-110.50\r\n"),
            std::string::npos)
      << csv.str();
  EXPECT_NE(csv.str().find("2026-04-30,Closing balance,,,-1110.50\r\n"), std::string::npos)
      << csv.str();

  // An officer allocates the unknown-tenancy payment from suspense to this tenancy.
  v1::AllocateFromSuspenseRequest allocate;
  allocate.mutable_context()->set_command_id("alloc-1");
  allocate.mutable_context()->set_tenancy_ref(tenancy_);
  allocate.set_suspended_posting_id("suspense:" + source + ":R3");
  *allocate.mutable_amount() = app::ProtoPence(500);
  *allocate.mutable_value_date() = app::ProtoDate(2026, 4, 12);
  v1::AllocateFromSuspenseResponse allocated;
  grpc::Status st = stub_->AllocateFromSuspense(Call().get(), allocate, &allocated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_TRUE(stub_->AllocateFromSuspense(Call().get(), allocate, &allocated).ok());  // a retry
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -111550; }));
}

TEST_P(LedgerServiceTest, AFileSentInManySmallRequestsReportsEveryLineOnce) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-small-requests", &opened).ok());
  const std::string file = dir_.Sub("many.csv");
  {
    std::ofstream out(file);
    out << "date,amount,reference,method,tenancy_ref\n";
    for (int i = 1; i <= 47; ++i) {
      if (i % 10 == 3) {
        out << "2026-04-09,1.00,M" << i << ",cheque," << tenancy_ << "\n";  // bad method
      } else if (i % 10 == 7) {
        out << "2026-04-09,1.00,M" << i << ",card,HA-NOBODY\n";  // suspense
      } else {
        out << "2026-04-09,1.00,M" << i << ",card," << tenancy_ << "\n";
      }
    }
  }
  rentstream::cli::ImportOptions options;
  options.ledger_address = "127.0.0.1:" + std::to_string(grpc_port_);
  options.source = "small-" + tenancy_;
  options.lines_per_request = 4;  // 11 full requests and the last line alone
  options.concurrency = 2;
  auto report = rentstream::cli::ImportPaymentFile(file, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->lines_read, 42);
  EXPECT_EQ(report->imported, 37) << report->ToJson();
  EXPECT_EQ(report->suspense, 5);
  EXPECT_EQ(report->duplicate, 0);
  ASSERT_EQ(report->rejected.size(), 5u) << report->ToJson();
  for (size_t k = 0; k < 5; ++k) EXPECT_EQ(report->rejected[k].line, 4 + 10 * static_cast<int>(k));
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -3700; }));
}

TEST_P(LedgerServiceTest, TheSuspenseListComesInPagesOldestFirst) {
  // Seven payments for no account, received on four days (two on each of the first three).
  const std::string source = "pages-" + tenancy_;
  const std::string file = dir_.Sub("unmatched.csv");
  std::ofstream(file) << "date,amount,reference,method\n"
                      << "2025-01-03,3.00,P5,card\n"
                      << "2025-01-01,1.00,P2,card\n"
                      << "2025-01-02,2.00,P4,card\n"
                      << "2025-01-01,1.50,P1,card\n"
                      << "2025-01-04,4.00,P7,card\n"
                      << "2025-01-02,2.50,P3,card\n"
                      << "2025-01-03,3.50,P6,card\n";
  rentstream::cli::ImportOptions options;
  options.ledger_address = "127.0.0.1:" + std::to_string(grpc_port_);
  options.source = source;
  auto report = rentstream::cli::ImportPaymentFile(file, options);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->suspense, 7) << report->ToJson();

  // Two a page, every page (other tests' held payments too, on Kafka other runs'): each one
  // once, in order, with the totals of the whole list on each page.
  v1::ListSuspenseRequest request;
  request.set_page_size(2);
  std::vector<std::string> mine;
  std::set<std::string> seen;
  std::optional<std::pair<int, std::string>> previous;
  int pages = 0;
  uint32_t listed_total = 0;
  do {
    v1::ListSuspenseResponse page;
    grpc::Status st = stub_->ListSuspense(Call().get(), request, &page);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_LE(page.payments_size(), 2);
    ASSERT_TRUE(page.payments_size() == 2 || page.next_page_token().empty());
    if (pages++ == 0) listed_total = page.listed_total();
    EXPECT_EQ(page.listed_total(), listed_total) << "nothing was held or cleared meanwhile";
    for (const v1::HeldPayment& p : page.payments()) {
      EXPECT_TRUE(seen.insert(p.suspended_posting_id()).second) << p.suspended_posting_id();
      const std::pair<int, std::string> place{p.received_date().year() * 10000 +
                                                  p.received_date().month() * 100 +
                                                  p.received_date().day(),
                                              p.suspended_posting_id()};
      if (previous.has_value()) {
        EXPECT_LT(*previous, place);
      }
      previous = place;
      const std::string prefix = "suspense:" + source + ":";
      if (p.suspended_posting_id().rfind(prefix, 0) == 0) {
        mine.push_back(p.suspended_posting_id().substr(prefix.size()));
      }
    }
    request.set_page_token(page.next_page_token());
    // Each page goes on from the last (far fewer pages than this otherwise).
    ASSERT_LT(pages, 10000) << "the pages do not end";
  } while (!request.page_token().empty());
  EXPECT_EQ(mine, (std::vector<std::string>{"P1", "P2", "P3", "P4", "P5", "P6", "P7"}));
  EXPECT_EQ(seen.size(), listed_total);
  EXPECT_EQ(pages, static_cast<int>((listed_total + 1) / 2));

  // Bad pages are refused, naming the field.
  v1::ListSuspenseResponse refused;
  v1::ListSuspenseRequest too_big;
  too_big.set_page_size(10001);
  grpc::Status st = stub_->ListSuspense(Call().get(), too_big, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("page_size: ", 0), 0u) << st.error_message();
  v1::ListSuspenseRequest made_up;
  made_up.set_page_token("not-a-token");
  st = stub_->ListSuspense(Call().get(), made_up, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("page_token: ", 0), 0u) << st.error_message();
  // A token of the held list does not page the list with the cleared.
  v1::ListSuspenseRequest first;
  first.set_page_size(1);
  v1::ListSuspenseResponse one;
  ASSERT_TRUE(stub_->ListSuspense(Call().get(), first, &one).ok());
  ASSERT_FALSE(one.next_page_token().empty());
  v1::ListSuspenseRequest other_list;
  other_list.set_include_cleared(true);
  other_list.set_page_token(one.next_page_token());
  st = stub_->ListSuspense(Call().get(), other_list, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("include_cleared"), std::string::npos) << st.error_message();
}

TEST_P(LedgerServiceTest, APaymentPostedAndThenHeldInSuspenseIsCreditedOnce) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-held", &opened).ok());
  const std::string source = "bank-" + tenancy_;
  rentstream::cli::ImportOptions options;
  options.ledger_address = "127.0.0.1:" + std::to_string(grpc_port_);
  options.source = source;
  const std::string named = dir_.Sub("named.csv"), unnamed = dir_.Sub("unnamed.csv");
  std::ofstream(named) << "date,amount,reference,method,tenancy_ref\n"
                       << "2026-04-08,25.00,B7,bank_transfer," << tenancy_ << "\n";
  std::ofstream(unnamed) << "date,amount,reference,method,tenancy_ref\n"
                         << "2026-04-08,25.00,B7,bank_transfer,\n"
                         << "2026-04-08,3.00,B8,bank_transfer,\n"
                         << "2026-04-08,4.00,B9,card,\n";
  auto first = rentstream::cli::ImportPaymentFile(named, options);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->imported, 1) << first->ToJson();
  auto second = rentstream::cli::ImportPaymentFile(unnamed, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->suspense, 3) << second->ToJson();
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -2500; }));
  // This test's held payments as ListSuspense gives them (on Kafka the topic holds other runs').
  auto held = [&](bool include_cleared) {
    v1::ListSuspenseRequest r;
    r.set_include_cleared(include_cleared);
    v1::ListSuspenseResponse listed;
    grpc::Status st = stub_->ListSuspense(Call().get(), r, &listed);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::map<std::string, v1::HeldPayment> mine;
    for (const v1::HeldPayment& p : listed.payments()) {
      if (p.suspended_posting_id().rfind("suspense:" + source + ":", 0) == 0) {
        mine[p.suspended_posting_id().substr(source.size() + 10)] = p;
      }
    }
    return mine;
  };
  auto waiting = held(false);
  ASSERT_EQ(waiting.size(), 3u);
  EXPECT_EQ(waiting["B7"].status(), v1::HELD_PAYMENT_STATUS_HELD);
  EXPECT_EQ(waiting["B7"].amount().pence(), 2500);
  EXPECT_EQ(waiting["B9"].method(), v1::PAYMENT_METHOD_CARD);

  auto allocate = [&](const std::string& command_id, const std::string& reference, int64_t pence,
                      v1::AllocateFromSuspenseResponse* response) {
    v1::AllocateFromSuspenseRequest r;
    r.mutable_context()->set_command_id(command_id);
    r.mutable_context()->set_tenancy_ref(tenancy_);
    r.set_suspended_posting_id("suspense:" + source + ":" + reference);
    *r.mutable_amount() = app::ProtoPence(pence);
    *r.mutable_value_date() = app::ProtoDate(2026, 4, 12);
    return stub_->AllocateFromSuspense(Call().get(), r, response);
  };
  v1::AllocateFromSuspenseResponse response;
  {
    // A caller who may not send commands is told nothing of the account's payments.
    v1::AllocateFromSuspenseRequest r;
    r.mutable_context()->set_command_id("alloc-b7-auditor");
    r.mutable_context()->set_tenancy_ref(tenancy_);
    r.set_suspended_posting_id("suspense:" + source + ":B7");
    *r.mutable_amount() = app::ProtoPence(2500);
    *r.mutable_value_date() = app::ProtoDate(2026, 4, 12);
    auto auditor = Call();
    auditor->AddMetadata("x-rentstream-role", "auditor");
    grpc::Status denied = stub_->AllocateFromSuspense(auditor.get(), r, &response);
    EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
  }
  grpc::Status twice = allocate("alloc-b7", "B7", 2500, &response);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::ALREADY_EXISTS) << twice.error_message();
  EXPECT_EQ(twice.error_message().rfind("suspended_posting_id: ", 0), 0u) << twice.error_message();
  EXPECT_NE(twice.error_message().find("payment:" + source + ":B7"), std::string::npos)
      << twice.error_message();
  grpc::Status other = allocate("alloc-b8", "B8", 300, &response);
  ASSERT_TRUE(other.ok()) << other.error_message();
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -2800; }));
  // Refused before the suspense stream released it: B7 stays held (not parked in the transfers
  // account); only B8 was released.
  std::vector<std::string> released;
  for (const eventlog::Record& r :
       rentstream::testing::ReadTopic(host_->bus(), runtime::ServiceTopics::For("ledger").events)) {
    common::v1::Event ev;
    ASSERT_TRUE(ev.ParseFromString(r.value));
    if (ev.envelope().event_type() != "rentstream.ledger.v1.SuspenseReleased") continue;
    v1::SuspenseReleased e;
    ASSERT_TRUE(e.ParseFromString(ev.payload()));
    if (e.tenancy_ref() == tenancy_) released.push_back(e.suspended_posting_id());
  }
  EXPECT_EQ(released, std::vector<std::string>{"suspense:" + source + ":B8"});

  // The held copy is cleared by reversing it on the suspense stream; it can never be allocated
  // after, and a repeat of the reversal changes nothing.
  v1::ReverseHeldPaymentRequest reverse;
  reverse.mutable_context()->set_command_id("reverse-b7");
  v1::ReverseHeldPayment& c = *reverse.mutable_command();
  c.set_suspended_posting_id("suspense:" + source + ":B7");
  *c.mutable_amount() = app::ProtoPence(2500);
  *c.mutable_value_date() = app::ProtoDate(2026, 4, 12);
  c.set_reason("copy of payment:" + source + ":B7");
  v1::ReverseHeldPaymentResponse reversed;
  grpc::Status st = stub_->ReverseHeldPayment(Call().get(), reverse, &reversed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(reversed.result().event_types_size(), 1);
  EXPECT_EQ(reversed.result().event_types(0), "rentstream.ledger.v1.HeldPaymentReversed");
  reverse.mutable_context()->set_command_id("reverse-b7-again");
  st = stub_->ReverseHeldPayment(Call().get(), reverse, &reversed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(reversed.result().event_types_size(), 0);
  grpc::Status after = allocate("alloc-b7-after", "B7", 2500, &response);  // still refused
  EXPECT_EQ(after.error_code(), grpc::StatusCode::ALREADY_EXISTS) << after.error_message();
  // A held payment that bounced: reversed, then refused by the suspense stream's release.
  reverse.mutable_context()->set_command_id("reverse-b9");
  c.set_suspended_posting_id("suspense:" + source + ":B9");
  *c.mutable_amount() = app::ProtoPence(400);
  c.set_reason("card payment charged back");
  st = stub_->ReverseHeldPayment(Call().get(), reverse, &reversed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  grpc::Status bounced = allocate("alloc-b9", "B9", 400, &response);
  EXPECT_EQ(bounced.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << bounced.error_message();
  EXPECT_EQ(Balance(), -2800);
  // Nothing of this test is waiting any more; with the cleared ones, each says how it went.
  EXPECT_TRUE(held(false).empty());
  auto all = held(true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all["B7"].status(), v1::HELD_PAYMENT_STATUS_REVERSED);
  EXPECT_EQ(all["B8"].status(), v1::HELD_PAYMENT_STATUS_ALLOCATED);
  EXPECT_EQ(all["B8"].allocated_to(), tenancy_);
  EXPECT_EQ(all["B9"].status(), v1::HELD_PAYMENT_STATUS_REVERSED);
}

TEST_P(LedgerServiceTest, ImportPaymentsAnswersARetriedRequestTheSameWay) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-imp-rpc", &opened).ok());
  v1::ImportPaymentsRequest request;
  request.mutable_context()->set_command_id("imp-rpc-1");
  const std::string late_tenancy = "HA-NOBODY";  // no account yet
  for (int i = 0; i < 4; ++i) {
    v1::ImportPaymentLine& line = *request.add_lines();
    line.set_line_number(2 + i);
    line.set_tenancy_ref(i == 2 ? late_tenancy : tenancy_);
    v1::RecordPayment& p = *line.mutable_payment();
    p.set_method(v1::PAYMENT_METHOD_CARD);
    p.set_source("rpc-" + tenancy_);
    p.set_external_reference("C" + std::to_string(i));
    *p.mutable_received_date() = app::ProtoDate(2026, 4, 10);
    p.mutable_amount()->set_pence(i == 1 ? 0 : 1000);
  }
  v1::ImportPaymentsResponse first;
  ASSERT_TRUE(stub_->ImportPayments(Call().get(), request, &first).ok());
  ASSERT_EQ(first.lines_size(), 4);
  EXPECT_EQ(first.lines(0).status(), v1::IMPORT_LINE_STATUS_IMPORTED);
  EXPECT_EQ(first.lines(0).result().event_types(0), "rentstream.ledger.v1.PaymentReceived");
  EXPECT_EQ(first.lines(1).status(), v1::IMPORT_LINE_STATUS_REJECTED);
  EXPECT_EQ(first.lines(1).reason().rfind("amount:", 0), 0u) << first.lines(1).reason();
  EXPECT_EQ(first.lines(2).status(), v1::IMPORT_LINE_STATUS_SUSPENSE);
  EXPECT_EQ(first.lines(2).line_number(), 4);
  EXPECT_EQ(first.lines(3).status(), v1::IMPORT_LINE_STATUS_IMPORTED);
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -2000; }));

  // Retried (a lost answer): the same answers, nothing posted twice — the held line now goes
  // straight to suspense, and the line after it keeps its command id.
  v1::ImportPaymentsResponse retried;
  ASSERT_TRUE(stub_->ImportPayments(Call().get(), request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Balance(), -2000);

  // The file run again as a new request once the held line's account exists: that line is the
  // payment held in suspense (to be allocated from there), not a payment for the new account.
  {
    const std::string first_tenancy = tenancy_;
    tenancy_ = late_tenancy;
    v1::OpenAccountResponse late;
    ASSERT_TRUE(Open("open-imp-late", &late).ok());
    v1::ImportPaymentsRequest again = request;
    again.mutable_context()->set_command_id("imp-rpc-4");
    v1::ImportPaymentsResponse rerun;
    ASSERT_TRUE(stub_->ImportPayments(Call().get(), again, &rerun).ok());
    EXPECT_EQ(rerun.lines(0).status(), v1::IMPORT_LINE_STATUS_DUPLICATE);
    EXPECT_EQ(rerun.lines(2).status(), v1::IMPORT_LINE_STATUS_DUPLICATE);
    EXPECT_EQ(rerun.lines(3).status(), v1::IMPORT_LINE_STATUS_DUPLICATE);
    EXPECT_EQ(Balance(), 0) << "the held payment was posted to the new account as well";
    tenancy_ = first_tenancy;
  }
  EXPECT_EQ(Balance(), -2000);

  v1::ImportPaymentsRequest too_many;
  too_many.mutable_context()->set_command_id("imp-rpc-2");
  for (int i = 0; i < 10001; ++i) *too_many.add_lines() = request.lines(0);
  v1::ImportPaymentsResponse refused;
  grpc::Status st = stub_->ImportPayments(Call().get(), too_many, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("lines:", 0), 0u) << st.error_message();

  auto auditor = std::make_unique<grpc::ClientContext>();
  auditor->AddMetadata("x-rentstream-actor", "auditor-1");
  auditor->AddMetadata("x-rentstream-role", "auditor");
  request.mutable_context()->set_command_id("imp-rpc-3");
  st = stub_->ImportPayments(auditor.get(), request, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Balance(), -2000);
}

}  // namespace
}  // namespace rentstream::ledger
