#pragma once
// Conversions shared by the ledger's codec files (internal to services/ledger/app).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/app/ledger_codec.h"

namespace rentstream::ledger::app::internal {

using core::Date;
using core::Money;

absl::Status Invalid(const FieldPath& field, absl::string_view why);

// Domain enums list the contract's values in order, without the proto's UNSPECIFIED zero.
template <typename Proto, typename Domain>
Proto EnumToProto(Domain d) {
  return static_cast<Proto>(static_cast<int>(d) + 1);
}
template <typename Domain, typename Proto>
absl::StatusOr<Domain> EnumFromProto(Proto p, int count, const FieldPath& field) {
  const int v = static_cast<int>(p);
  if (v < 1 || v > count) return Invalid(field, absl::StrCat("unknown or unspecified value ", v));
  return static_cast<Domain>(v - 1);
}

// An unspecified account kind means the rent account.
absl::StatusOr<AccountKind> KindFromProto(v1::AccountKind k, const FieldPath& field);
v1::AccountRef AccountToProto(const AccountRef& a);
absl::StatusOr<AccountRef> AccountFromProto(const v1::AccountRef& a);
v1::Posting PostingToProto(const JournalEntry& e);
absl::StatusOr<JournalEntry> PostingFromProto(const v1::Posting& p, EntryKind kind,
                                              std::string reverses = "");
std::vector<ChargeLine> LinesFromProto(const google::protobuf::RepeatedPtrField<v1::ChargeLine>& in,
                                       const FieldPath& field, absl::Status* status);
void LinesToProto(const std::vector<ChargeLine>& lines,
                  google::protobuf::RepeatedPtrField<v1::ChargeLine>* out);
// An account's details into an AccountOpened (all but its schedule).
void AccountInfoToProto(const TenancyInfo& info, v1::AccountOpened* out);
// An account's details from their parts: an OpenAccount command's, or a stored state's account
// (AccountOpened without its schedule) and schedule, without copying them into a command first.
// A null `schedule`: the details without one (a state decoded for a payment).
absl::StatusOr<OpenAccount> AccountFromParts(
    v1::TenancyType tenancy_type, v1::Jurisdiction jurisdiction, const std::string& patch,
    const google::protobuf::RepeatedPtrField<std::string>& tenant_ids,
    const common::v1::Date& start_date, const v1::RentSchedule* schedule,
    const std::string& tenancy_ref);
v1::WriteOffRequested WriteOffToProto(const WriteOffRequested& e);
absl::StatusOr<WriteOffRequested> WriteOffFromProto(const v1::WriteOffRequested& p);

}  // namespace rentstream::ledger::app::internal
