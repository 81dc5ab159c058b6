#include "tools/rentstream/ledger_import.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/core/uuid.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/import/payment_file.h"

namespace rentstream::cli {
namespace {

common::v1::Date ToProto(core::Date d) {
  common::v1::Date out;
  out.set_year(d.year());
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

ledger::v1::PaymentMethod MethodToProto(ledger::PaymentMethod m) {
  return static_cast<ledger::v1::PaymentMethod>(static_cast<int>(m) + 1);
}

}  // namespace

std::string ImportReport::ToJson() const {
  nlohmann::ordered_json j;
  j["file"] = file;
  j["source"] = source;
  j["lines_read"] = lines_read;
  j["imported"] = imported;
  j["duplicate"] = duplicate;
  j["suspense"] = suspense;
  j["rejected"] = nlohmann::json::array();
  for (const Rejected& r : rejected)
    j["rejected"].push_back({{"line", r.line}, {"reason", r.reason}});
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<ImportReport> ImportPaymentFile(const std::string& path,
                                               const ImportOptions& options) {
  if (options.source.empty()) return absl::InvalidArgumentError("--source: empty");
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const ledger::ParsedPaymentFile parsed = ledger::ParsePaymentFile(buffer.str());

  ImportReport report;
  report.file = path;
  report.source = options.source;
  report.lines_read = static_cast<int>(parsed.payments.size());
  for (const ledger::LineError& e : parsed.errors)
    report.rejected.push_back({e.line_number, e.reason});

  // The lines go in requests of `lines_per_request`, a few in flight; each request has its own
  // id, kept across retries, so a request retried after a lost answer posts nothing twice.
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  auto channel =
      grpc::CreateCustomChannel(options.ledger_address, grpc::InsecureChannelCredentials(), args);
  auto stub = ledger::v1::LedgerService::NewStub(channel);
  core::UuidV7Generator ids = core::UuidV7Generator::SystemDefault();
  const size_t per_request = static_cast<size_t>(std::max(1, options.lines_per_request));
  std::vector<ledger::v1::ImportPaymentsRequest> requests;
  for (size_t start = 0; start < parsed.payments.size(); start += per_request) {
    ledger::v1::ImportPaymentsRequest& r = requests.emplace_back();
    r.mutable_context()->set_command_id(absl::StrCat("impf-", ids.Next().ToString()));
    r.mutable_context()->set_correlation_id(r.context().command_id());
    for (size_t i = start; i < std::min(parsed.payments.size(), start + per_request); ++i) {
      const ledger::PaymentLine& p = parsed.payments[i];
      ledger::v1::ImportPaymentLine& line = *r.add_lines();
      line.set_line_number(p.line_number);
      line.set_tenancy_ref(p.tenancy_ref);
      ledger::v1::RecordPayment& c = *line.mutable_payment();
      c.set_method(MethodToProto(p.method));
      c.set_source(options.source);
      c.set_external_reference(p.reference);
      *c.mutable_received_date() = ToProto(p.date);
      c.mutable_amount()->set_pence(p.amount.pence());
    }
  }
  std::mutex mu;
  std::atomic<size_t> next{0};
  absl::Status failure;
  auto send = [&](const ledger::v1::ImportPaymentsRequest& request,
                  ledger::v1::ImportPaymentsResponse& response) {
    grpc::Status st;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
      ctx.AddMetadata("x-rentstream-actor", options.actor);
      ctx.AddMetadata("x-rentstream-role", "integration");
      response.Clear();
      st = stub->ImportPayments(&ctx, request, &response);
      // Lost or late answers are retried with the same id: the ledger answers them again.
      if (st.error_code() != grpc::StatusCode::UNAVAILABLE &&
          st.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        break;
      }
    }
    return st;
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < std::max(1, options.concurrency); ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < requests.size(); i = next++) {
        ledger::v1::ImportPaymentsResponse response;
        grpc::Status st = send(requests[i], response);
        std::lock_guard lock(mu);
        if (!st.ok()) {
          if (failure.ok()) {
            failure =
                absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
          }
          for (const ledger::v1::ImportPaymentLine& line : requests[i].lines())
            report.rejected.push_back(
                {line.line_number(), absl::StrCat("not imported: ", st.error_message())});
          continue;
        }
        for (const ledger::v1::ImportLineResult& line : response.lines()) {
          switch (line.status()) {
            case ledger::v1::IMPORT_LINE_STATUS_IMPORTED:
              ++report.imported;
              break;
            case ledger::v1::IMPORT_LINE_STATUS_DUPLICATE:
              ++report.duplicate;
              break;
            case ledger::v1::IMPORT_LINE_STATUS_SUSPENSE:
              ++report.suspense;
              break;
            default:
              report.rejected.push_back({line.line_number(), line.reason()});
              break;
          }
        }
      }
    });
  }
  for (std::thread& t : workers) t.join();
  std::sort(report.rejected.begin(), report.rejected.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  if (!failure.ok()) {
    return absl::Status(
        failure.code(),
        absl::StrCat("the ledger at ", options.ledger_address, " did not take some lines (",
                     failure.message(), "); run the import again (nothing is posted twice)\n",
                     report.ToJson()));
  }
  return report;
}

int RunLedgerImport(const std::string& path, const ImportOptions& options) {
  auto report = ImportPaymentFile(path, options);
  if (!report.ok()) {
    std::fprintf(stderr, "import: %s\n", report.status().ToString().c_str());
    return 2;
  }
  std::printf("%s\n", report->ToJson().c_str());
  return report->rejected.empty() ? 0 : 1;
}

}  // namespace rentstream::cli
