#include "tools/rentstream/ledger_import.h"

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
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

  ImportReport report;
  report.file = path;
  report.source = options.source;

  // The lines go in requests of `lines_per_request`, a few in flight, sent while the rest of the
  // file is read (the service starts on the first request, not after the whole file is parsed;
  // at most `concurrency` requests wait to be sent, so a file of any size takes bounded memory).
  // Each request has its own id, kept across retries, so a request retried after a lost answer
  // posts nothing twice.
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  auto channel =
      grpc::CreateCustomChannel(options.ledger_address, grpc::InsecureChannelCredentials(), args);
  auto stub = ledger::v1::LedgerService::NewStub(channel);
  core::UuidV7Generator ids = core::UuidV7Generator::SystemDefault();
  const size_t per_request = static_cast<size_t>(std::max(1, options.lines_per_request));
  const size_t concurrency = static_cast<size_t>(std::max(1, options.concurrency));

  std::mutex mu;  // guards the queue, `read_all`, `report` and `failure`
  std::condition_variable queue_changed;
  std::deque<ledger::v1::ImportPaymentsRequest> queue;
  bool read_all = false;
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
  auto tally = [&](const ledger::v1::ImportPaymentsRequest& request, const grpc::Status& st,
                   const ledger::v1::ImportPaymentsResponse& response) {
    if (!st.ok()) {
      if (failure.ok()) {
        failure = absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
      }
      for (const ledger::v1::ImportPaymentLine& line : request.lines())
        report.rejected.push_back(
            {line.line_number(), absl::StrCat("not imported: ", st.error_message())});
      return;
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
  };
  std::vector<std::thread> workers;
  for (size_t w = 0; w < concurrency; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        ledger::v1::ImportPaymentsRequest request;
        {
          std::unique_lock lock(mu);
          queue_changed.wait(lock, [&] { return !queue.empty() || read_all; });
          if (queue.empty()) return;  // read_all
          request = std::move(queue.front());
          queue.pop_front();
        }
        queue_changed.notify_all();  // room for the reader
        ledger::v1::ImportPaymentsResponse response;
        const grpc::Status st = send(request, response);
        std::lock_guard lock(mu);
        tally(request, st, response);
      }
    });
  }

  // The reader: lines parsed into the next request, each full request queued.
  ledger::PaymentFileLines lines(in);
  ledger::PaymentFileParser parser;
  ledger::ParsedPaymentFile parsed;
  auto enqueue = [&] {
    ledger::v1::ImportPaymentsRequest r;
    if (!parsed.payments.empty()) {
      r.mutable_context()->set_command_id(absl::StrCat("impf-", ids.Next().ToString()));
      r.mutable_context()->set_correlation_id(r.context().command_id());
    }
    for (ledger::PaymentLine& p : parsed.payments) {
      ledger::v1::ImportPaymentLine& line = *r.add_lines();
      line.set_line_number(p.line_number);
      line.set_tenancy_ref(std::move(p.tenancy_ref));
      ledger::v1::RecordPayment& c = *line.mutable_payment();
      c.set_method(MethodToProto(p.method));
      c.set_source(options.source);
      c.set_external_reference(std::move(p.reference));
      *c.mutable_received_date() = ToProto(p.date);
      c.mutable_amount()->set_pence(p.amount.pence());
    }
    std::unique_lock lock(mu);
    report.lines_read += static_cast<int>(parsed.payments.size());
    for (ledger::LineError& e : parsed.errors)
      report.rejected.push_back({e.line_number, std::move(e.reason)});
    parsed.payments.clear();
    parsed.errors.clear();
    if (r.lines_size() == 0) return;
    queue_changed.wait(lock, [&] { return queue.size() < concurrency; });
    queue.push_back(std::move(r));
    lock.unlock();
    queue_changed.notify_all();
  };
  absl::string_view line;
  bool too_long = false;
  while (!parser.stopped() && lines.Next(line, too_long)) {
    parser.AddLine(line, too_long, parsed);
    if (parsed.payments.size() >= per_request) enqueue();
  }
  parser.Finish(parsed);
  enqueue();
  {
    std::lock_guard lock(mu);
    read_all = true;
  }
  queue_changed.notify_all();
  for (std::thread& t : workers) t.join();
  std::sort(report.rejected.begin(), report.rejected.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  if (lines.failed()) {
    return absl::DataLossError(
        absl::StrCat(path, ": reading failed after ", report.lines_read,
                     " payment lines (those were sent); run the import again (nothing is posted "
                     "twice)\n",
                     report.ToJson()));
  }
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
