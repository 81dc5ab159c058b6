#pragma once
// Who may make a correction: the ledger's role policy for postings that move money with no
// payment or charge behind them, and which commands make one.

#include <optional>
#include <type_traits>

#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger {

// Who may make a correction — a posting that moves money with no payment or charge behind it
// (domain §2: corrections never edit history; misallocations have led to wrongful arrears
// accusations). A person — an officer, a team leader or an income manager — may make any; of
// the machines, only an integration may reverse a payment (a direct debit returned in the bank's
// file, posted or held in suspense). Other commands are not limited here (auditors are refused
// at the edge; write-off approvals check their own authority). Refused: PERMISSION_DENIED on
// `actor`, recorded like any refusal.
enum class Correction { kReversal, kRefund, kAdjustment, kTransfer, kAllocation, kWriteOffRequest };
std::optional<Refusal> CheckCorrectionRole(const Actor& actor, Correction correction);

// The correction a command of type T makes, if it makes one (CheckCorrectionRole).
template <typename T>
constexpr std::optional<Correction> CorrectionOf() {
  if constexpr (std::is_same_v<T, ReversePayment> || std::is_same_v<T, ReverseHeldPayment>) {
    return Correction::kReversal;
  } else if constexpr (std::is_same_v<T, IssueRefund>) {
    return Correction::kRefund;
  } else if constexpr (std::is_same_v<T, PostAdjustment>) {
    return Correction::kAdjustment;
  } else if constexpr (std::is_same_v<T, TransferOut> || std::is_same_v<T, TransferIn>) {
    return Correction::kTransfer;
  } else if constexpr (std::is_same_v<T, ReleaseFromSuspense> ||
                       std::is_same_v<T, ReceiveFromSuspense>) {
    return Correction::kAllocation;
  } else if constexpr (std::is_same_v<T, RequestWriteOff>) {
    return Correction::kWriteOffRequest;
  } else {
    return std::nullopt;
  }
}

}  // namespace rentstream::ledger
