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
  if (auto forwarded = runtime::ForwardQuery(host_, *context, c.tenancy_ref(),
                                             &v1::LedgerService::Stub::AllocateFromSuspense,
                                             *request, response)) {
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
  // Authorized before the suspense stream is read for it (once: both steps submit as it).
  auto caller = runtime::AuthorizeCommand(host_, *context);
  if (!caller.ok()) return ToGrpc(caller.status());
  // The check below reads the suspense stream: a replica not serving its partition has the
  // request answered by the one that does (the commands go through the bus from either).
  if (auto forwarded =
          runtime::ForwardQuery(host_, *context, kSuspenseStream,
                                &v1::LedgerService::Stub::ImportPayments, *request, response)) {
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
  auto paid = runtime::SubmitBatched(host_, *context, *caller, request_id, "payments",
                                     std::move(payments), correlation, &to_tenancy);
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
  auto suspended = runtime::SubmitBatched(host_, *context, *caller, request_id, "suspense",
                                          std::move(held), correlation, &to_suspense);
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

}  // namespace rentstream::ledger::app
