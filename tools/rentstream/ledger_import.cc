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

// A fresh command id per line and step. Idempotency comes from the ledger's own key, (source,
// reference): a repeated line, or the same file imported again, is refused as ALREADY_EXISTS and
// counted as a duplicate. (A deterministic command id would make the repeat look "accepted".)
std::string CommandId(core::UuidV7Generator& ids, char step) {
  return absl::StrCat("imp", std::string(1, step), "-", ids.Next().ToString());
}

ledger::v1::PaymentMethod MethodToProto(ledger::PaymentMethod m) {
  return static_cast<ledger::v1::PaymentMethod>(static_cast<int>(m) + 1);
}

enum class Result { kImported, kDuplicate, kSuspense, kRejected };

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

  auto channel = grpc::CreateChannel(options.ledger_address, grpc::InsecureChannelCredentials());
  auto stub = ledger::v1::LedgerService::NewStub(channel);
  core::UuidV7Generator ids = core::UuidV7Generator::SystemDefault();
  std::mutex mu;
  std::atomic<size_t> next{0};
  std::atomic<bool> unavailable{false};
  auto call = [&](grpc::ClientContext& ctx) {
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    ctx.AddMetadata("x-rentstream-actor", options.actor);
    ctx.AddMetadata("x-rentstream-role", "integration");
  };
  auto suspend = [&](const ledger::PaymentLine& p) -> std::pair<Result, std::string> {
    ledger::v1::SuspendPaymentRequest r;
    r.mutable_context()->set_command_id(CommandId(ids, 's'));
    ledger::v1::SuspendPayment& c = *r.mutable_command();
    c.set_method(MethodToProto(p.method));
    c.set_source(options.source);
    c.set_external_reference(p.reference);
    *c.mutable_received_date() = ToProto(p.date);
    c.mutable_amount()->set_pence(p.amount.pence());
    c.set_raw_reference(p.tenancy_ref);
    ledger::v1::SuspendPaymentResponse response;
    grpc::ClientContext ctx;
    call(ctx);
    grpc::Status st = stub->SuspendPayment(&ctx, r, &response);
    if (st.ok()) return {Result::kSuspense, ""};
    if (st.error_code() == grpc::StatusCode::ALREADY_EXISTS) return {Result::kDuplicate, ""};
    if (st.error_code() == grpc::StatusCode::UNAVAILABLE) unavailable = true;
    return {Result::kRejected, st.error_message()};
  };
  auto process = [&](const ledger::PaymentLine& p) -> std::pair<Result, std::string> {
    if (p.tenancy_ref.empty()) return suspend(p);
    ledger::v1::RecordPaymentRequest r;
    r.mutable_context()->set_command_id(CommandId(ids, 'p'));
    r.mutable_context()->set_tenancy_ref(p.tenancy_ref);
    ledger::v1::RecordPayment& c = *r.mutable_command();
    c.set_method(MethodToProto(p.method));
    c.set_source(options.source);
    c.set_external_reference(p.reference);
    *c.mutable_received_date() = ToProto(p.date);
    c.mutable_amount()->set_pence(p.amount.pence());
    ledger::v1::RecordPaymentResponse response;
    grpc::ClientContext ctx;
    call(ctx);
    grpc::Status st = stub->RecordPayment(&ctx, r, &response);
    if (st.ok()) return {Result::kImported, ""};
    switch (st.error_code()) {
      case grpc::StatusCode::ALREADY_EXISTS:
        return {Result::kDuplicate, ""};
      case grpc::StatusCode::NOT_FOUND:  // no such account: never dropped, held in suspense
        return suspend(p);
      case grpc::StatusCode::UNAVAILABLE:
        unavailable = true;
        [[fallthrough]];
      default:
        return {Result::kRejected, st.error_message()};
    }
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < std::max(1, options.concurrency); ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < parsed.payments.size(); i = next++) {
        const ledger::PaymentLine& p = parsed.payments[i];
        auto [result, reason] = process(p);
        std::lock_guard lock(mu);
        switch (result) {
          case Result::kImported:
            ++report.imported;
            break;
          case Result::kDuplicate:
            ++report.duplicate;
            break;
          case Result::kSuspense:
            ++report.suspense;
            break;
          case Result::kRejected:
            report.rejected.push_back({p.line_number, reason});
            break;
        }
      }
    });
  }
  for (std::thread& t : workers) t.join();
  std::sort(report.rejected.begin(), report.rejected.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  if (unavailable) {
    return absl::UnavailableError(
        absl::StrCat("the ledger at ", options.ledger_address,
                     " was unavailable for some lines; run the import again (nothing is posted "
                     "twice)\n",
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
