#pragma once
// gRPC handlers of the ledger: commands go through the CommandGateway (never straight to the
// events topic); queries read this instance's projection.

#include "libs/runtime/service_host.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::app {

class LedgerService final : public v1::LedgerService::Service {
 public:
  explicit LedgerService(runtime::ServiceHost& host) : host_(host) {}

  grpc::Status OpenAccount(grpc::ServerContext* context, const v1::OpenAccountRequest* request,
                           v1::OpenAccountResponse* response) override;
  grpc::Status ChangeRentSchedule(grpc::ServerContext* context,
                                  const v1::ChangeRentScheduleRequest* request,
                                  v1::ChangeRentScheduleResponse* response) override;
  grpc::Status PostCharges(grpc::ServerContext* context, const v1::PostChargesRequest* request,
                           v1::PostChargesResponse* response) override;
  grpc::Status RecordPayment(grpc::ServerContext* context, const v1::RecordPaymentRequest* request,
                             v1::RecordPaymentResponse* response) override;
  grpc::Status ReversePayment(grpc::ServerContext* context,
                              const v1::ReversePaymentRequest* request,
                              v1::ReversePaymentResponse* response) override;
  grpc::Status TerminateTenancy(grpc::ServerContext* context,
                                const v1::TerminateTenancyRequest* request,
                                v1::TerminateTenancyResponse* response) override;
  grpc::Status SetBenefitAward(grpc::ServerContext* context,
                               const v1::SetBenefitAwardRequest* request,
                               v1::SetBenefitAwardResponse* response) override;
  grpc::Status EndBenefitAward(grpc::ServerContext* context,
                               const v1::EndBenefitAwardRequest* request,
                               v1::EndBenefitAwardResponse* response) override;
  grpc::Status IssueRefund(grpc::ServerContext* context, const v1::IssueRefundRequest* request,
                           v1::IssueRefundResponse* response) override;
  grpc::Status PostAdjustment(grpc::ServerContext* context,
                              const v1::PostAdjustmentRequest* request,
                              v1::PostAdjustmentResponse* response) override;
  grpc::Status PostSundryCharge(grpc::ServerContext* context,
                                const v1::PostSundryChargeRequest* request,
                                v1::PostSundryChargeResponse* response) override;
  grpc::Status RequestWriteOff(grpc::ServerContext* context,
                               const v1::RequestWriteOffRequest* request,
                               v1::RequestWriteOffResponse* response) override;
  grpc::Status ApproveWriteOff(grpc::ServerContext* context,
                               const v1::ApproveWriteOffRequest* request,
                               v1::ApproveWriteOffResponse* response) override;
  grpc::Status RejectWriteOff(grpc::ServerContext* context,
                              const v1::RejectWriteOffRequest* request,
                              v1::RejectWriteOffResponse* response) override;
  grpc::Status SuspendPayment(grpc::ServerContext* context,
                              const v1::SuspendPaymentRequest* request,
                              v1::SuspendPaymentResponse* response) override;
  grpc::Status ReverseHeldPayment(grpc::ServerContext* context,
                                  const v1::ReverseHeldPaymentRequest* request,
                                  v1::ReverseHeldPaymentResponse* response) override;
  grpc::Status AllocateFromSuspense(grpc::ServerContext* context,
                                    const v1::AllocateFromSuspenseRequest* request,
                                    v1::AllocateFromSuspenseResponse* response) override;
  grpc::Status ImportPayments(grpc::ServerContext* context,
                              const v1::ImportPaymentsRequest* request,
                              v1::ImportPaymentsResponse* response) override;
  grpc::Status TransferBetweenAccounts(grpc::ServerContext* context,
                                       const v1::TransferBetweenAccountsRequest* request,
                                       v1::TransferBetweenAccountsResponse* response) override;
  grpc::Status GetStatement(grpc::ServerContext* context, const v1::GetStatementRequest* request,
                            v1::GetStatementResponse* response) override;
  grpc::Status GetKpis(grpc::ServerContext* context, const v1::GetKpisRequest* request,
                       v1::GetKpisResponse* response) override;
  grpc::Status ListSuspense(grpc::ServerContext* context, const v1::ListSuspenseRequest* request,
                            v1::ListSuspenseResponse* response) override;
  grpc::Status GetBalance(grpc::ServerContext* context, const v1::GetBalanceRequest* request,
                          v1::GetBalanceResponse* response) override;

 private:
  // The tenancy's ledger from this instance's projection (NOT_FOUND when there is none).
  absl::StatusOr<TenancyLedger> Load(const std::string& tenancy_ref, uint64_t* sequence);
  grpc::Status Submit(grpc::ServerContext& context, const v1::CommandContext& command_context,
                      const google::protobuf::Message& payload, v1::CommandResult* result);

  runtime::ServiceHost& host_;
};

}  // namespace rentstream::ledger::app
