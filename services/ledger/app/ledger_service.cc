#include "services/ledger/app/ledger_service.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/grpc_edge.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "services/ledger/app/codec_internal.h"
#include "services/ledger/app/ledger_codec.h"

namespace rentstream::ledger::app {

using runtime::ToGrpc;

grpc::Status LedgerService::Submit(grpc::ServerContext& context, const v1::CommandContext& c,
                                   const google::protobuf::Message& payload,
                                   v1::CommandResult* result) {
  auto outcome = runtime::SubmitCommand(host_, context, c.command_id(), c.tenancy_ref(), payload,
                                        c.correlation_id());
  if (!outcome.ok()) return ToGrpc(outcome.status());
  runtime::RecordOutcome(*outcome, result);
  return grpc::Status::OK;
}

grpc::Status LedgerService::OpenAccount(grpc::ServerContext* context,
                                        const v1::OpenAccountRequest* request,
                                        v1::OpenAccountResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::ChangeRentSchedule(grpc::ServerContext* context,
                                               const v1::ChangeRentScheduleRequest* request,
                                               v1::ChangeRentScheduleResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::PostCharges(grpc::ServerContext* context,
                                        const v1::PostChargesRequest* request,
                                        v1::PostChargesResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::RecordPayment(grpc::ServerContext* context,
                                          const v1::RecordPaymentRequest* request,
                                          v1::RecordPaymentResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::ReversePayment(grpc::ServerContext* context,
                                           const v1::ReversePaymentRequest* request,
                                           v1::ReversePaymentResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::TerminateTenancy(grpc::ServerContext* context,
                                             const v1::TerminateTenancyRequest* request,
                                             v1::TerminateTenancyResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::SetBenefitAward(grpc::ServerContext* context,
                                            const v1::SetBenefitAwardRequest* request,
                                            v1::SetBenefitAwardResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::EndBenefitAward(grpc::ServerContext* context,
                                            const v1::EndBenefitAwardRequest* request,
                                            v1::EndBenefitAwardResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::IssueRefund(grpc::ServerContext* context,
                                        const v1::IssueRefundRequest* request,
                                        v1::IssueRefundResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::PostAdjustment(grpc::ServerContext* context,
                                           const v1::PostAdjustmentRequest* request,
                                           v1::PostAdjustmentResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::PostSundryCharge(grpc::ServerContext* context,
                                             const v1::PostSundryChargeRequest* request,
                                             v1::PostSundryChargeResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::RequestWriteOff(grpc::ServerContext* context,
                                            const v1::RequestWriteOffRequest* request,
                                            v1::RequestWriteOffResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::ApproveWriteOff(grpc::ServerContext* context,
                                            const v1::ApproveWriteOffRequest* request,
                                            v1::ApproveWriteOffResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::RejectWriteOff(grpc::ServerContext* context,
                                           const v1::RejectWriteOffRequest* request,
                                           v1::RejectWriteOffResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status LedgerService::SuspendPayment(grpc::ServerContext* context,
                                           const v1::SuspendPaymentRequest* request,
                                           v1::SuspendPaymentResponse* response) {
  v1::CommandContext c = request->context();
  c.set_tenancy_ref(kSuspenseStream);
  return Submit(*context, c, request->command(), response->mutable_result());
}

grpc::Status LedgerService::ReverseHeldPayment(grpc::ServerContext* context,
                                               const v1::ReverseHeldPaymentRequest* request,
                                               v1::ReverseHeldPaymentResponse* response) {
  v1::CommandContext c = request->context();
  c.set_tenancy_ref(kSuspenseStream);
  return Submit(*context, c, request->command(), response->mutable_result());
}

grpc::Status LedgerService::AllocateFromSuspense(grpc::ServerContext* context,
                                                 const v1::AllocateFromSuspenseRequest* request,
                                                 v1::AllocateFromSuspenseResponse* response) {
  const v1::CommandContext& c = request->context();
  if (c.command_id().empty() || c.command_id().size() > 60) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "command_id: must be 1 to 60 characters");
  }
  // The same payment already recorded on the account (a file imported naming it, then again
  // naming no account or an unknown one): refused before the release, so that it stays held
  // rather than wait in the transfers account for a receipt the account refuses. Only a check
  // of the projection of the replica serving the account (a replica that does not has that one
  // answer the call): the account's decision refuses it in any case (never credited twice).
  if (auto caller = runtime::AuthorizeCommand(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  if (auto forwarded = runtime::ForwardQuery(
          host_, *context, c.tenancy_ref(),
          [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* forward) {
            return v1::LedgerService::NewStub(channel)->AllocateFromSuspense(forward, *request,
                                                                             response);
          })) {
    return *forwarded;
  }
  if (auto paid = PaymentPostingIdOfHeld(request->suspended_posting_id())) {
    runtime::KeyedRecords recorded;
    if (host_.LoadKeyed(c.tenancy_ref(), {PaymentKey(*paid)}, recorded).ok() && !recorded.empty()) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          absl::StrCat("suspended_posting_id: the payment held as ",
                                       request->suspended_posting_id(), " was already recorded on ",
                                       c.tenancy_ref(), " as ", *paid,
                                       " (the same source and reference): it stays held"));
    }
  }
  // Step 1 on the suspense stream (once), step 2 on the tenancy's; each with its own derived
  // command id, so a retry of the whole call repeats neither.
  v1::ReleaseFromSuspense release;
  release.set_suspended_posting_id(request->suspended_posting_id());
  release.set_tenancy_ref(c.tenancy_ref());
  *release.mutable_amount() = request->amount();
  *release.mutable_value_date() = request->value_date();
  v1::CommandContext release_context = c;
  release_context.set_command_id(c.command_id() + ":rel");
  release_context.set_tenancy_ref(kSuspenseStream);
  if (grpc::Status st = Submit(*context, release_context, release, response->mutable_release());
      !st.ok()) {
    return st;
  }
  v1::ReceiveFromSuspense receive;
  receive.set_suspended_posting_id(request->suspended_posting_id());
  *receive.mutable_amount() = request->amount();
  receive.set_account_kind(request->account_kind());
  *receive.mutable_value_date() = request->value_date();
  v1::CommandContext receive_context = c;
  receive_context.set_command_id(c.command_id() + ":rcv");
  return Submit(*context, receive_context, receive, response->mutable_receipt());
}

namespace {

constexpr int kMaxImportLines = 10000;

// An item's events as the ledger's CommandResult.
void ResultOf(const common::v1::CommandResult& from, v1::CommandResult* to) {
  to->set_sequence(from.sequence());
  *to->mutable_event_ids() = from.event_ids();
  *to->mutable_event_types() = from.event_types();
}

// "field: reason", as the gRPC status of a refused command says it.
std::string Reason(const common::v1::Rejection& r) {
  return std::string(runtime::RejectionToStatus(r).message());
}

// A line's answer from its command's: `accepted_as`, a duplicate, or rejected with the reason.
void Answer(const common::v1::BatchItemOutcome& item, v1::ImportLineStatus accepted_as,
            v1::ImportLineResult* result) {
  if (item.has_accepted()) {
    result->set_status(accepted_as);
    ResultOf(item.accepted(), result->mutable_result());
  } else if (item.rejected().code() == common::v1::REJECTION_CODE_ALREADY_EXISTS) {
    result->set_status(v1::IMPORT_LINE_STATUS_DUPLICATE);
  } else {
    result->set_status(v1::IMPORT_LINE_STATUS_REJECTED);
    result->set_reason(Reason(item.rejected()));
  }
}

}  // namespace

// Two passes of command batches: the payments to their tenancies, then whatever matched no
// account to the suspense stream. Each pass's ids derive from the request's command id.
grpc::Status LedgerService::ImportPayments(grpc::ServerContext* context,
                                           const v1::ImportPaymentsRequest* request,
                                           v1::ImportPaymentsResponse* response) {
  const std::string& request_id = request->context().command_id();
  if (auto id = core::CommandId::Parse(request_id); !id.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("context.", id.status().message()));
  }
  if (request->lines_size() > kMaxImportLines) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("lines: at most ", kMaxImportLines,
                                     " per request; this one has ", request->lines_size()));
  }
  // Authorized before the suspense stream is read for it.
  if (auto caller = runtime::AuthorizeCommand(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  // The check below reads the suspense stream: a replica not serving its partition has the
  // request answered by the one that does (the commands go through the bus from either).
  if (auto forwarded = runtime::ForwardQuery(
          host_, *context, kSuspenseStream,
          [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* forward) {
            return v1::LedgerService::NewStub(channel)->ImportPayments(forward, *request, response);
          })) {
    return *forwarded;
  }
  for (const v1::ImportPaymentLine& line : request->lines()) {
    v1::ImportLineResult& result = *response->add_lines();
    result.set_line_number(line.line_number());
  }
  // A line already held in suspense — its account did not exist when it was first imported —
  // is that payment, whatever account it names now (a payment file run again): it goes to the
  // suspense stream again, which answers a repeat of its request as before and refuses a second
  // hold as a duplicate, and is never posted to the account as well (it is allocated from
  // suspense).
  std::vector<std::string> held_keys;
  for (const v1::ImportPaymentLine& line : request->lines()) {
    if (line.tenancy_ref().empty()) continue;
    held_keys.push_back(SuspendedKey(
        SuspendedPostingId(line.payment().source(), line.payment().external_reference())));
  }
  runtime::KeyedRecords held_in_suspense;
  if (!held_keys.empty()) {
    if (absl::Status st = host_.LoadKeyed(kSuspenseStream, held_keys, held_in_suspense); !st.ok()) {
      return ToGrpc(absl::Status(
          st.code(),
          absl::StrCat("the import checks the payments held in suspense: ", st.message())));
    }
  }
  std::vector<int> to_tenancy, to_suspense;
  std::vector<common::v1::Command> payments;
  for (int i = 0, k = 0; i < request->lines_size(); ++i) {
    const v1::ImportPaymentLine& line = request->lines(i);
    if (line.tenancy_ref().empty() ||
        held_in_suspense.count(held_keys[static_cast<size_t>(k++)]) > 0) {
      to_suspense.push_back(i);
      continue;
    }
    to_tenancy.push_back(i);
    payments.push_back(runtime::BatchItem(line.tenancy_ref(), line.payment()));
  }
  const std::string& correlation = request->context().correlation_id();
  // Each command's id derives from its line's place in the request, whichever lines go with it.
  auto paid = runtime::SubmitBatched(host_, *context, request_id, "payments", std::move(payments),
                                     correlation, &to_tenancy);
  if (!paid.ok()) return ToGrpc(paid.status());
  for (size_t k = 0; k < to_tenancy.size(); ++k) {
    const common::v1::BatchItemOutcome& item = (*paid)[k];
    if (item.has_rejected() && item.rejected().code() == common::v1::REJECTION_CODE_NOT_FOUND &&
        item.rejected().field() == "tenancy_ref") {
      to_suspense.push_back(to_tenancy[k]);  // no such account: held, never dropped
      continue;
    }
    Answer(item, v1::IMPORT_LINE_STATUS_IMPORTED, response->mutable_lines(to_tenancy[k]));
  }
  if (to_suspense.empty()) return grpc::Status::OK;
  std::sort(to_suspense.begin(), to_suspense.end());
  std::vector<common::v1::Command> held;
  for (int i : to_suspense) {
    const v1::ImportPaymentLine& line = request->lines(i);
    v1::SuspendPayment suspend;
    suspend.set_method(line.payment().method());
    suspend.set_source(line.payment().source());
    suspend.set_external_reference(line.payment().external_reference());
    *suspend.mutable_received_date() = line.payment().received_date();
    *suspend.mutable_amount() = line.payment().amount();
    suspend.set_raw_reference(line.tenancy_ref());
    held.push_back(runtime::BatchItem(kSuspenseStream, suspend));
  }
  auto suspended = runtime::SubmitBatched(host_, *context, request_id, "suspense", std::move(held),
                                          correlation, &to_suspense);
  if (!suspended.ok()) return ToGrpc(suspended.status());
  for (size_t k = 0; k < to_suspense.size(); ++k) {
    Answer((*suspended)[k], v1::IMPORT_LINE_STATUS_SUSPENSE,
           response->mutable_lines(to_suspense[k]));
  }
  return grpc::Status::OK;
}

grpc::Status LedgerService::TransferBetweenAccounts(
    grpc::ServerContext* context, const v1::TransferBetweenAccountsRequest* request,
    v1::TransferBetweenAccountsResponse* response) {
  const v1::CommandContext& c = request->context();
  const v1::TransferOut& out = request->command();
  if (c.command_id().empty() || c.command_id().size() > 60) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "command_id: must be 1 to 60 characters");
  }
  // Step 1 on the source tenancy's stream, step 2 on the target's; each with its own derived
  // command id. The source refuses a second transfer with the same transfer_id (a retry of the
  // same one changes nothing) and the target receives it once, so a retry with a new command id
  // completes a transfer the target refused before, and never moves the money twice.
  v1::CommandContext out_context = c;
  out_context.set_command_id(c.command_id() + ":out");
  if (grpc::Status st = Submit(*context, out_context, out, response->mutable_transfer_out());
      !st.ok()) {
    return st;
  }
  v1::TransferIn in;
  in.set_transfer_id(out.transfer_id());
  in.set_from_tenancy_ref(c.tenancy_ref());
  in.set_account_kind(out.to_account_kind());
  *in.mutable_amount() = out.amount();
  *in.mutable_value_date() = out.value_date();
  in.set_reason_code(out.reason_code());
  in.set_reason(out.reason());
  v1::CommandContext in_context = c;
  in_context.set_command_id(c.command_id() + ":in");
  in_context.set_tenancy_ref(out.to_tenancy_ref());
  grpc::Status st = Submit(*context, in_context, in, response->mutable_transfer_in());
  if (st.ok()) return st;
  // The target refused (or did not answer in time): the money waits in the transfers account.
  std::string message = st.error_message();
  if (message.rfind("tenancy_ref:", 0) == 0 || message.rfind("account_kind:", 0) == 0) {
    message = "to_" + message;
  }
  return grpc::Status(st.error_code(),
                      absl::StrCat(message, " (transfer ", out.transfer_id(),
                                   " is held in the transfers account: retry with a new "
                                   "command_id once the target can receive it)"));
}

absl::StatusOr<TenancyLedger> LedgerService::Load(const std::string& tenancy_ref,
                                                  uint64_t* sequence) {
  runtime::SideRecords side;
  auto stored = host_.LoadStream(tenancy_ref, &side);
  if (!stored.ok()) return stored.status();
  auto not_found =
      absl::NotFoundError(absl::StrCat("tenancy_ref: no ledger account for ", tenancy_ref));
  if (!stored->has_value()) return not_found;
  state::v1::TenancyLedgerState state;
  if (!state.ParseFromString((*stored)->state())) {
    return absl::DataLossError("ledger state does not parse");
  }
  if (!state.opened()) return not_found;
  auto ledger = LedgerForQueries(state, tenancy_ref, side);
  if (!ledger.ok()) return ledger.status();
  *sequence = (*stored)->sequence();
  return ledger;
}

grpc::Status LedgerService::GetStatement(grpc::ServerContext* context,
                                         const v1::GetStatementRequest* request,
                                         v1::GetStatementResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  // Another replica's tenancy: its answer (docs/operations.md, "Queries and replicas").
  if (auto forwarded = runtime::ForwardQuery(
          host_, *context, request->tenancy_ref(),
          [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* forward) {
            return v1::LedgerService::NewStub(channel)->GetStatement(forward, *request, response);
          })) {
    return *forwarded;
  }
  uint64_t sequence = 0;
  auto ledger = Load(request->tenancy_ref(), &sequence);
  if (!ledger.ok()) return ToGrpc(ledger.status());
  auto kind = internal::KindFromProto(request->account_kind(), "account_kind");
  if (!kind.ok()) return ToGrpc(kind.status());
  auto from = DateFromProto(request->from(), "from");
  if (!from.ok()) return ToGrpc(from.status());
  auto to = DateFromProto(request->to(), "to");
  if (!to.ok()) return ToGrpc(to.status());
  auto statement = BuildStatement(*ledger, *kind, *from, *to);
  if (!statement.ok()) return ToGrpc(statement.status());
  response->set_tenancy_ref(statement->tenancy_ref);
  response->set_account_kind(request->account_kind());
  *response->mutable_from() = ToProto(statement->from);
  *response->mutable_to() = ToProto(statement->to);
  *response->mutable_opening_balance() = ToProto(statement->opening_balance);
  for (const StatementLine& l : statement->lines) {
    v1::StatementLine* line = response->add_lines();
    *line->mutable_date() = ToProto(l.date);
    line->set_description(l.description);
    *line->mutable_debit() = ToProto(l.debit);
    *line->mutable_credit() = ToProto(l.credit);
    *line->mutable_balance() = ToProto(l.balance);
  }
  *response->mutable_closing_balance() = ToProto(statement->closing_balance);
  return grpc::Status::OK;
}

namespace {

void KpisToProto(const LedgerKpis& k, v1::GetKpisResponse* response) {
  response->set_accounts(k.accounts);
  response->set_in_arrears(k.in_arrears);
  response->set_over_seven_weeks(k.over_seven_weeks);
  *response->mutable_current_arrears() = ToProto(k.current_arrears);
  *response->mutable_benefit_expected() = ToProto(k.benefit_expected);
  *response->mutable_annual_rent_debit() = ToProto(k.annual_rent_debit);
  response->set_arrears_percent_of_debit(k.arrears_percent_of_debit);
  *response->mutable_charged_52_weeks() = ToProto(k.charged_52_weeks);
  *response->mutable_collected_52_weeks() = ToProto(k.collected_52_weeks);
  response->set_collection_rate_percent(k.collection_rate_percent);
  *response->mutable_former_tenant_arrears() = ToProto(k.former_tenant_arrears);
  *response->mutable_written_off_52_weeks() = ToProto(k.written_off_52_weeks);
  static constexpr const char* kBands[] = {"0-4", "4-8", "8-13", "13+"};
  for (size_t i = 0; i < 4; ++i) {
    v1::AgedDebtBand* band = response->add_aged_debt();
    band->set_weeks(kBands[i]);
    band->set_accounts(k.aged_accounts[i]);
    *band->mutable_amount() = ToProto(k.aged_amount[i]);
  }
}

// Another replica's part of the KPIs (its sums; the percentages are made again from the whole).
absl::StatusOr<LedgerKpis> KpisFromProto(const v1::GetKpisResponse& p) {
  if (p.aged_debt_size() != 4) {
    return absl::DataLossError("a replica's KPIs: not the four aged-debt bands");
  }
  LedgerKpis k;
  k.accounts = p.accounts();
  k.in_arrears = p.in_arrears();
  k.over_seven_weeks = p.over_seven_weeks();
  k.current_arrears = MoneyFromProto(p.current_arrears());
  k.benefit_expected = MoneyFromProto(p.benefit_expected());
  k.annual_rent_debit = MoneyFromProto(p.annual_rent_debit());
  k.charged_52_weeks = MoneyFromProto(p.charged_52_weeks());
  k.collected_52_weeks = MoneyFromProto(p.collected_52_weeks());
  k.former_tenant_arrears = MoneyFromProto(p.former_tenant_arrears());
  k.written_off_52_weeks = MoneyFromProto(p.written_off_52_weeks());
  for (size_t i = 0; i < 4; ++i) {
    k.aged_accounts[i] = p.aged_debt(static_cast<int>(i)).accounts();
    k.aged_amount[i] = MoneyFromProto(p.aged_debt(static_cast<int>(i)).amount());
  }
  return k;
}

}  // namespace

grpc::Status LedgerService::GetKpis(grpc::ServerContext* context, const v1::GetKpisRequest* request,
                                    v1::GetKpisResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  core::Date as_of = core::LondonDateOf(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  if (request->has_as_of()) {
    auto date = DateFromProto(request->as_of(), "as_of");
    if (!date.ok()) return ToGrpc(date.status());
    as_of = *date;
  }
  // Every account: this replica's partitions here, the others' from the replicas serving them.
  auto plan = runtime::PlanScan(host_, *context, "GetKpis");
  if (!plan.ok()) return ToGrpc(plan.status());
  KpiAccumulator kpis(as_of);
  absl::Status failed;
  absl::Status st = host_.ForEachStreamWithSide(
      "GetKpis",
      [&](const runtime::v1::StreamRecord& record, const runtime::StreamStore::SideLoader& load) {
        state::v1::TenancyLedgerState state;
        if (!state.ParseFromString(record.state())) {
          failed = absl::DataLossError(absl::StrCat("ledger state of ", record.tenancy_ref()));
          return false;
        }
        if (!state.opened()) return true;
        if (!request->patch().empty() && state.account().patch() != request->patch()) return true;
        runtime::SideRecords side;
        if (failed = load(side); !failed.ok()) return false;
        auto ledger = LedgerForQueries(state, record.tenancy_ref(), side);
        if (!ledger.ok()) {
          failed = ledger.status();
          return false;
        }
        kpis.Add(*ledger);
        return true;
      },
      plan->only());
  if (!st.ok()) return ToGrpc(st);
  if (!failed.ok()) return ToGrpc(failed);
  // The other replicas count as of the same day (near midnight their clocks may differ).
  v1::GetKpisRequest same_day = *request;
  *same_day.mutable_as_of() = ToProto(as_of);
  for (const runtime::ScanPart& part : plan->peers) {
    v1::GetKpisResponse theirs;
    grpc::Status asked =
        v1::LedgerService::NewStub(part.channel)
            ->GetKpis(runtime::ScanPartContext(host_, *context, part).get(), same_day, &theirs);
    if (!asked.ok()) {
      return grpc::Status(
          asked.error_code(),
          absl::StrCat("GetKpis: the part of replica ", part.address, ": ", asked.error_message()));
    }
    auto sums = KpisFromProto(theirs);
    if (!sums.ok()) return ToGrpc(sums.status());
    kpis.Merge(*sums);
  }
  KpisToProto(kpis.Result(), response);
  return grpc::Status::OK;
}

grpc::Status LedgerService::ListSuspense(grpc::ServerContext* context,
                                         const v1::ListSuspenseRequest* request,
                                         v1::ListSuspenseResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  // Another replica's tenancy: its answer (docs/operations.md, "Queries and replicas").
  if (auto forwarded = runtime::ForwardQuery(
          host_, *context, kSuspenseStream,
          [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* forward) {
            return v1::LedgerService::NewStub(channel)->ListSuspense(forward, *request, response);
          })) {
    return *forwarded;
  }
  runtime::SideRecords side;
  auto stored = host_.LoadStream(kSuspenseStream, &side);
  if (!stored.ok()) return ToGrpc(stored.status());
  core::Money held_total;
  *response->mutable_held_total() = ToProto(held_total);
  if (!stored->has_value()) return grpc::Status::OK;  // nothing was ever held
  state::v1::TenancyLedgerState state;
  if (!state.ParseFromString((*stored)->state())) {
    return ToGrpc(absl::DataLossError("suspense stream state does not parse"));
  }
  auto suspense = LedgerForQueries(state, kSuspenseStream, side);
  if (!suspense.ok()) return ToGrpc(suspense.status());
  std::vector<std::pair<const std::string*, const TenancyLedger::Suspended*>> listed;
  for (const auto& [id, held] : suspense->suspended) {
    const bool cleared = held.reversed || !held.released_to.empty();
    if (!cleared) {
      auto sum = held_total.CheckedAdd(held.amount);
      if (!sum.ok()) return ToGrpc(absl::DataLossError("suspense total overflows"));
      held_total = *sum;
    }
    if (cleared && !request->include_cleared()) continue;
    listed.emplace_back(&id, &held);
  }
  std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->received_date, *a.first) <
           std::tie(b.second->received_date, *b.first);
  });
  for (const auto& [id, held] : listed) {
    v1::HeldPayment& out = *response->add_payments();
    out.set_suspended_posting_id(*id);
    *out.mutable_amount() = ToProto(held->amount);
    *out.mutable_received_date() = ToProto(held->received_date);
    if (held->method.has_value()) {
      out.set_method(internal::EnumToProto<v1::PaymentMethod>(*held->method));
    }
    out.set_raw_reference(held->raw_reference);
    out.set_status(held->reversed               ? v1::HELD_PAYMENT_STATUS_REVERSED
                   : !held->released_to.empty() ? v1::HELD_PAYMENT_STATUS_ALLOCATED
                                                : v1::HELD_PAYMENT_STATUS_HELD);
    out.set_allocated_to(held->released_to);
  }
  *response->mutable_held_total() = ToProto(held_total);
  response->set_sequence((*stored)->sequence());
  return grpc::Status::OK;
}

grpc::Status LedgerService::GetBalance(grpc::ServerContext* context,
                                       const v1::GetBalanceRequest* request,
                                       v1::GetBalanceResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  // Another replica's tenancy: its answer (docs/operations.md, "Queries and replicas").
  if (auto forwarded = runtime::ForwardQuery(
          host_, *context, request->tenancy_ref(),
          [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* forward) {
            return v1::LedgerService::NewStub(channel)->GetBalance(forward, *request, response);
          })) {
    return *forwarded;
  }
  uint64_t sequence = 0;
  auto ledger = Load(request->tenancy_ref(), &sequence);
  if (!ledger.ok()) return ToGrpc(ledger.status());
  auto kind_or = internal::KindFromProto(request->account_kind(), "account_kind");
  if (!kind_or.ok()) return ToGrpc(kind_or.status());
  const AccountKind kind = *kind_or;
  core::Money balance;
  core::Date as_of = core::Date::FromDaysSinceEpoch(0);
  if (request->has_as_of()) {
    auto date = DateFromProto(request->as_of(), "as_of");
    if (!date.ok()) return ToGrpc(date.status());
    as_of = *date;
  } else {
    // A query is an edge: "as of" defaults to today in London (decisions never read the clock).
    as_of = core::LondonDateOf(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  }
  balance = BalanceAsOf(*ledger, kind, as_of);
  *response->mutable_balance() = ToProto(balance);
  response->set_sequence(sequence);
  if (kind == AccountKind::kRent) {
    const ArrearsPosition position = ArrearsAsOf(*ledger, as_of);
    *response->mutable_benefit_expected() = ToProto(position.benefit_expected);
    *response->mutable_tenant_owed() = ToProto(position.tenant_owed);
    auto weekly = WeeklyGrossRentOn(ledger->schedule, std::max(as_of, ledger->schedule.anchor));
    if (weekly.ok() && weekly->pence() > 0) {
      *response->mutable_weekly_gross_rent() = ToProto(*weekly);
      response->set_weeks_of_gross_rent(static_cast<double>(balance.pence()) /
                                        static_cast<double>(weekly->pence()));
      response->set_tenant_owed_weeks(static_cast<double>(position.tenant_owed.pence()) /
                                      static_cast<double>(weekly->pence()));
    }
  }
  return grpc::Status::OK;
}

}  // namespace rentstream::ledger::app
