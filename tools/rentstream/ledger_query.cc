#include "tools/rentstream/ledger_query.h"

#include <grpcpp/grpcpp.h>

#include <google/protobuf/util/json_util.h>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "libs/core/civil_date.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/statement_format.h"

namespace rentstream::cli {
namespace {

bool ParseDay(const std::string& text, const char* flag, common::v1::Date* out) {
  auto d = core::Date::Parse(text);
  if (!d.ok()) {
    std::fprintf(stderr, "%s: %s\n", flag, std::string(d.status().message()).c_str());
    return false;
  }
  *out = ledger::app::ToProto(*d);
  return true;
}

std::unique_ptr<ledger::v1::LedgerService::Stub> Connect(const std::string& address) {
  return ledger::v1::LedgerService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

void Deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

}  // namespace

int RunLedgerStatement(const StatementOptions& o) {
  ledger::v1::GetStatementRequest request;
  request.set_tenancy_ref(o.tenancy);
  if (!ParseDay(o.from, "--from", request.mutable_from()) ||
      !ParseDay(o.to, "--to", request.mutable_to())) {
    return 2;
  }
  if (o.format == "pdf" && o.out.empty()) {
    std::fprintf(stderr, "--out: a PDF statement needs a file\n");
    return 2;
  }
  ledger::v1::GetStatementResponse response;
  grpc::ClientContext ctx;
  Deadline(ctx);
  grpc::Status st = Connect(o.ledger_address)->GetStatement(&ctx, request, &response);
  if (!st.ok()) {
    std::fprintf(stderr, "statement: %s\n", st.error_message().c_str());
    return 1;
  }
  ledger::Statement s;
  s.tenancy_ref = response.tenancy_ref();
  s.from = *ledger::app::DateFromProto(response.from(), "from");
  s.to = *ledger::app::DateFromProto(response.to(), "to");
  s.opening_balance = ledger::app::MoneyFromProto(response.opening_balance());
  for (const auto& l : response.lines()) {
    s.lines.push_back({*ledger::app::DateFromProto(l.date(), "date"), l.description(),
                       ledger::app::MoneyFromProto(l.debit()),
                       ledger::app::MoneyFromProto(l.credit()),
                       ledger::app::MoneyFromProto(l.balance())});
  }
  s.closing_balance = ledger::app::MoneyFromProto(response.closing_balance());
  std::string document;
  if (o.format == "json") {
    document = ledger::app::StatementJson(s) + "\n";
  } else if (o.format == "csv") {
    document = ledger::app::StatementCsv(s);
  } else {
    document = ledger::app::StatementPdf(s, o.landlord);
  }
  if (o.out.empty()) {
    std::fwrite(document.data(), 1, document.size(), stdout);
    return 0;
  }
  std::ofstream out(o.out, std::ios::binary);
  out << document;
  if (!out) {
    std::fprintf(stderr, "--out: cannot write %s\n", o.out.c_str());
    return 1;
  }
  std::fprintf(stderr, "statement of %s written to %s (%zu lines)\n", o.tenancy.c_str(),
               o.out.c_str(), s.lines.size());
  return 0;
}

int RunLedgerBalance(const BalanceOptions& o) {
  ledger::v1::GetBalanceRequest request;
  request.set_tenancy_ref(o.tenancy);
  if (!o.as_of.empty() && !ParseDay(o.as_of, "--as-of", request.mutable_as_of())) return 2;
  ledger::v1::GetBalanceResponse b;
  grpc::ClientContext ctx;
  Deadline(ctx);
  grpc::Status st = Connect(o.ledger_address)->GetBalance(&ctx, request, &b);
  if (!st.ok()) {
    std::fprintf(stderr, "balance: %s\n", st.error_message().c_str());
    return 1;
  }
  auto pounds = [](const common::v1::Money& m) {
    return core::Money::FromPence(m.pence()).Format();
  };
  if (o.json) {
    nlohmann::ordered_json j;
    j["tenancy_ref"] = o.tenancy;
    j["balance_pence"] = b.balance().pence();
    j["weeks_of_gross_rent"] = b.weeks_of_gross_rent();
    j["weekly_gross_rent_pence"] = b.weekly_gross_rent().pence();
    j["benefit_expected_pence"] = b.benefit_expected().pence();
    j["tenant_owed_pence"] = b.tenant_owed().pence();
    j["tenant_owed_weeks"] = b.tenant_owed_weeks();
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: balance %s (%.2f weeks of %s), benefit expected %s, tenant owes %s\n",
                o.tenancy.c_str(), pounds(b.balance()).c_str(), b.weeks_of_gross_rent(),
                pounds(b.weekly_gross_rent()).c_str(), pounds(b.benefit_expected()).c_str(),
                pounds(b.tenant_owed()).c_str());
  }
  return 0;
}

namespace {

// An answer as JSON on stdout, every field named as in the proto (zero values too).
void PrintJson(const google::protobuf::Message& response) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(response, &json, print);
  std::printf("%s\n", json.c_str());
}

}  // namespace

int RunLedgerSuspense(const SuspenseOptions& o) {
  // Every page, printed as one answer: the payments of all of them, the totals and sequence of
  // the last.
  ledger::v1::ListSuspenseRequest request;
  request.set_include_cleared(o.all);
  auto stub = Connect(o.ledger_address);
  google::protobuf::RepeatedPtrField<ledger::v1::HeldPayment> payments;
  ledger::v1::ListSuspenseResponse page;
  do {
    page.Clear();
    grpc::ClientContext ctx;
    Deadline(ctx);
    grpc::Status st = stub->ListSuspense(&ctx, request, &page);
    if (!st.ok()) {
      std::fprintf(stderr, "suspense: %s\n", st.error_message().c_str());
      return 1;
    }
    request.set_page_token(page.next_page_token());
    for (ledger::v1::HeldPayment& p : *page.mutable_payments()) *payments.Add() = std::move(p);
  } while (!request.page_token().empty());
  page.mutable_payments()->Swap(&payments);
  PrintJson(page);
  return 0;
}

int RunLedgerKpis(const KpiOptions& o) {
  ledger::v1::GetKpisRequest request;
  request.set_patch(o.patch);
  if (!o.as_of.empty() && !ParseDay(o.as_of, "--as-of", request.mutable_as_of())) return 2;
  ledger::v1::GetKpisResponse response;
  grpc::ClientContext ctx;
  Deadline(ctx);
  grpc::Status st = Connect(o.ledger_address)->GetKpis(&ctx, request, &response);
  if (!st.ok()) {
    std::fprintf(stderr, "kpis: %s\n", st.error_message().c_str());
    return 1;
  }
  PrintJson(response);
  return 0;
}

}  // namespace rentstream::cli
