// Ledger events: domain events to the contract's payloads and back (for folding).
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>

#include "absl/strings/str_cat.h"
#include "services/ledger/app/codec_internal.h"
#include "services/ledger/app/ledger_codec.h"

namespace rentstream::ledger::app {

using namespace internal;  // NOLINT: the codec's own helpers

namespace {

runtime::NewEvent PostingMadeToEvent(const PostingMade& e) {
  const v1::AccountKind kind = EnumToProto<v1::AccountKind>(e.account_kind);
  switch (e.kind) {
    case PostingMade::Kind::kRefund: {
      v1::RefundIssued p;
      p.set_account_kind(kind);
      p.set_reason(e.description);
      *p.mutable_posting() = PostingToProto(e.posting);
      return runtime::NewEvent::Of(p);
    }
    case PostingMade::Kind::kAdjustment: {
      v1::AdjustmentPosted p;
      p.set_account_kind(kind);
      p.set_reason_code(e.code);
      p.set_reason(e.description);
      *p.mutable_posting() = PostingToProto(e.posting);
      return runtime::NewEvent::Of(p);
    }
    case PostingMade::Kind::kSundryCharge: {
      v1::SundryChargePosted p;
      p.set_account_kind(kind);
      p.set_code(e.code);
      p.set_description(e.description);
      *p.mutable_posting() = PostingToProto(e.posting);
      return runtime::NewEvent::Of(p);
    }
    case PostingMade::Kind::kWriteOff:
      break;
  }
  v1::WriteOffApproved p;
  p.set_request_id(e.request_id);
  p.set_account_kind(kind);
  p.set_reason_code(e.code);
  p.set_reason(e.description);
  *p.mutable_posting() = PostingToProto(e.posting);
  return runtime::NewEvent::Of(p);
}

runtime::NewEvent TransferredOutToEvent(const TransferredOut& e) {
  v1::TransferredOut p;
  p.set_transfer_id(e.transfer_id);
  p.set_to_tenancy_ref(e.to_tenancy_ref);
  p.set_account_kind(EnumToProto<v1::AccountKind>(e.account_kind));
  p.set_to_account_kind(EnumToProto<v1::AccountKind>(e.to_account_kind));
  p.set_payment_posting_id(e.payment_posting_id);
  p.set_reason_code(e.reason_code);
  p.set_reason(e.reason);
  p.set_transferred_by(e.transferred_by);
  *p.mutable_posting() = PostingToProto(e.posting);
  return runtime::NewEvent::Of(p);
}

runtime::NewEvent TransferredInToEvent(const TransferredIn& e) {
  v1::TransferredIn p;
  p.set_transfer_id(e.transfer_id);
  p.set_from_tenancy_ref(e.from_tenancy_ref);
  p.set_from_posting_id(e.from_posting_id);
  p.set_account_kind(EnumToProto<v1::AccountKind>(e.account_kind));
  p.set_reason_code(e.reason_code);
  p.set_reason(e.reason);
  p.set_transferred_by(e.transferred_by);
  *p.mutable_posting() = PostingToProto(e.posting);
  return runtime::NewEvent::Of(p);
}

}  // namespace

runtime::NewEvent ToNewEvent(const LedgerEvent& event) {
  return std::visit(
      [](const auto& e) -> runtime::NewEvent {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, AccountOpened>) {
          v1::AccountOpened p;
          AccountInfoToProto(e.info, &p);
          *p.mutable_schedule() = ToProto(e.schedule);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, RentScheduleChanged>) {
          v1::RentScheduleChanged p;
          *p.mutable_schedule() = ToProto(e.schedule);
          p.set_reason(e.reason);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, ChargePosted>) {
          v1::ChargePosted p;
          p.set_account_kind(v1::ACCOUNT_KIND_RENT);
          *p.mutable_period_start() = ToProto(e.period_start);
          *p.mutable_period_end() = ToProto(e.period_end);
          LinesToProto(e.lines, p.mutable_lines());
          *p.mutable_posting() = PostingToProto(e.posting);
          *p.mutable_weekly_gross_rent() = ToProto(e.weekly_gross_rent);
          *p.mutable_benefit_covered() = ToProto(e.benefit_covered);
          *p.mutable_universal_credit_covered() = ToProto(e.universal_credit_covered);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, PaymentReceived>) {
          v1::PaymentReceived p;
          p.set_method(EnumToProto<v1::PaymentMethod>(e.method));
          p.set_source(e.source);
          p.set_external_reference(e.external_reference);
          *p.mutable_received_date() = ToProto(e.received_date);
          p.set_account_kind(EnumToProto<v1::AccountKind>(e.account_kind));
          *p.mutable_posting() = PostingToProto(e.posting);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, PaymentReversed>) {
          v1::PaymentReversed p;
          p.set_original_posting_id(e.original_posting_id);
          p.set_reason(e.reason);
          *p.mutable_posting() = PostingToProto(e.posting);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, PostingMade>) {
          return PostingMadeToEvent(e);
        } else if constexpr (std::is_same_v<T, WriteOffRequested>) {
          return runtime::NewEvent::Of(WriteOffToProto(e));
        } else if constexpr (std::is_same_v<T, WriteOffRejected>) {
          v1::WriteOffRejected p;
          p.set_request_id(e.request_id);
          p.set_reason(e.reason);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, ChargeCredited>) {
          v1::ChargeCredited p;
          *p.mutable_period_start() = ToProto(e.period_start);
          p.set_reason(e.reason);
          *p.mutable_posting() = PostingToProto(e.posting);
          if (e.period_end.has_value()) *p.mutable_period_end() = ToProto(*e.period_end);
          p.set_days_credited(e.days_credited);
          p.set_days_in_period(e.days_in_period);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, TransferredOut>) {
          return TransferredOutToEvent(e);
        } else if constexpr (std::is_same_v<T, TransferredIn>) {
          return TransferredInToEvent(e);
        } else if constexpr (std::is_same_v<T, PaymentSuspended>) {
          v1::PaymentSuspended p;
          p.set_method(EnumToProto<v1::PaymentMethod>(e.method));
          p.set_source(e.source);
          p.set_external_reference(e.external_reference);
          *p.mutable_received_date() = ToProto(e.received_date);
          p.set_raw_reference(e.raw_reference);
          *p.mutable_posting() = PostingToProto(e.posting);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, SuspenseReleased>) {
          v1::SuspenseReleased p;
          p.set_suspended_posting_id(e.suspended_posting_id);
          p.set_tenancy_ref(e.tenancy_ref);
          *p.mutable_posting() = PostingToProto(e.posting);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, HeldPaymentReversed>) {
          v1::HeldPaymentReversed p;
          p.set_suspended_posting_id(e.suspended_posting_id);
          p.set_reason(e.reason);
          *p.mutable_posting() = PostingToProto(e.posting);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, SuspenseAllocated>) {
          v1::SuspenseAllocated p;
          p.set_suspended_posting_id(e.suspended_posting_id);
          p.set_account_kind(EnumToProto<v1::AccountKind>(e.account_kind));
          *p.mutable_posting() = PostingToProto(e.posting);
          return runtime::NewEvent::Of(p);
        } else if constexpr (std::is_same_v<T, BenefitAwardChanged>) {
          v1::BenefitAwardChanged p;
          *p.mutable_award() = ToProto(e.award);
          p.set_reason(e.reason);
          return runtime::NewEvent::Of(p);
        } else {
          v1::TenancyTerminated p;
          *p.mutable_end_date() = ToProto(e.end_date);
          p.set_reason(e.reason);
          if (e.posting.has_value()) *p.mutable_posting() = PostingToProto(*e.posting);
          return runtime::NewEvent::Of(p);
        }
      },
      event);
}

absl::StatusOr<LedgerEvent> EventFromProto(const std::string& type, const std::string& payload) {
  auto parse = [&](google::protobuf::Message& m) -> absl::Status {
    if (!m.ParseFromString(payload))
      return absl::DataLossError(absl::StrCat(type, ": bad payload"));
    return absl::OkStatus();
  };
  if (type == v1::AccountOpened::descriptor()->full_name()) {
    v1::AccountOpened p;
    if (auto st = parse(p); !st.ok()) return st;
    v1::OpenAccount as_command;
    as_command.set_tenancy_type(p.tenancy_type());
    as_command.set_jurisdiction(p.jurisdiction());
    as_command.set_patch(p.patch());
    *as_command.mutable_tenant_ids() = p.tenant_ids();
    *as_command.mutable_start_date() = p.start_date();
    *as_command.mutable_schedule() = p.schedule();
    auto open = FromProto(as_command, p.tenancy_ref());
    if (!open.ok()) return open.status();
    return AccountOpened{open->info, open->schedule};
  }
  if (type == v1::RentScheduleChanged::descriptor()->full_name()) {
    v1::RentScheduleChanged p;
    if (auto st = parse(p); !st.ok()) return st;
    auto schedule = ScheduleFromProto(p.schedule(), "schedule");
    if (!schedule.ok()) return schedule.status();
    return RentScheduleChanged{std::move(*schedule), p.reason()};
  }
  if (type == v1::ChargePosted::descriptor()->full_name()) {
    v1::ChargePosted p;
    if (auto st = parse(p); !st.ok()) return st;
    auto start = DateFromProto(p.period_start(), "period_start");
    auto end = DateFromProto(p.period_end(), "period_end");
    auto posting = PostingFromProto(p.posting(), EntryKind::kCharge);
    if (!start.ok() || !end.ok() || !posting.ok()) return absl::DataLossError("ChargePosted");
    absl::Status st;
    auto lines = LinesFromProto(p.lines(), "lines", &st);
    if (!st.ok()) return st;
    return ChargePosted{*start,
                        *end,
                        std::move(lines),
                        std::move(*posting),
                        core::Money::FromPence(p.weekly_gross_rent().pence()),
                        core::Money::FromPence(p.benefit_covered().pence()),
                        core::Money::FromPence(p.universal_credit_covered().pence())};
  }
  if (type == v1::PaymentReceived::descriptor()->full_name()) {
    v1::PaymentReceived p;
    if (auto st = parse(p); !st.ok()) return st;
    auto method = EnumFromProto<PaymentMethod>(p.method(), 8, "method");
    auto received = DateFromProto(p.received_date(), "received_date");
    auto kind = KindFromProto(p.account_kind(), "account_kind");
    auto posting = PostingFromProto(p.posting(), EntryKind::kPayment);
    if (!method.ok() || !received.ok() || !kind.ok() || !posting.ok()) {
      return absl::DataLossError("PaymentReceived");
    }
    return PaymentReceived{*method,   p.source(), p.external_reference(),
                           *received, *kind,      std::move(*posting)};
  }
  if (type == v1::PaymentReversed::descriptor()->full_name()) {
    v1::PaymentReversed p;
    if (auto st = parse(p); !st.ok()) return st;
    auto posting =
        PostingFromProto(p.posting(), EntryKind::kPaymentReversal, p.original_posting_id());
    if (!posting.ok()) return absl::DataLossError("PaymentReversed");
    return PaymentReversed{p.original_posting_id(), p.reason(), std::move(*posting)};
  }
  if (type == v1::TenancyTerminated::descriptor()->full_name()) {
    v1::TenancyTerminated p;
    if (auto st = parse(p); !st.ok()) return st;
    auto end = DateFromProto(p.end_date(), "end_date");
    if (!end.ok()) return absl::DataLossError("TenancyTerminated");
    TenancyTerminated e{*end, p.reason(), std::nullopt};
    if (p.has_posting()) {
      auto posting = PostingFromProto(p.posting(), EntryKind::kTransfer);
      if (!posting.ok()) return absl::DataLossError("TenancyTerminated");
      e.posting = std::move(*posting);
    }
    return e;
  }
  if (type == v1::BenefitAwardChanged::descriptor()->full_name()) {
    v1::BenefitAwardChanged p;
    if (auto st = parse(p); !st.ok()) return st;
    auto award = AwardFromProto(p.award(), "award");
    if (!award.ok()) return absl::DataLossError("BenefitAwardChanged");
    return BenefitAwardChanged{*award, p.reason()};
  }
  // Postings made by corrections: the account kind and texts, and the posting itself.
  auto posting_made = [&](auto p, PostingMade::Kind kind, EntryKind entry, std::string code,
                          std::string description,
                          std::string request_id) -> absl::StatusOr<LedgerEvent> {
    auto account = KindFromProto(p.account_kind(), "account_kind");
    auto posting = PostingFromProto(p.posting(), entry);
    if (!account.ok() || !posting.ok()) return absl::DataLossError(type);
    return PostingMade{kind,
                       *account,
                       std::move(code),
                       std::move(description),
                       std::move(request_id),
                       std::move(*posting)};
  };
  if (type == v1::RefundIssued::descriptor()->full_name()) {
    v1::RefundIssued p;
    if (auto st = parse(p); !st.ok()) return st;
    return posting_made(p, PostingMade::Kind::kRefund, EntryKind::kRefund, "", p.reason(), "");
  }
  if (type == v1::AdjustmentPosted::descriptor()->full_name()) {
    v1::AdjustmentPosted p;
    if (auto st = parse(p); !st.ok()) return st;
    return posting_made(p, PostingMade::Kind::kAdjustment, EntryKind::kAdjustment, p.reason_code(),
                        p.reason(), "");
  }
  if (type == v1::SundryChargePosted::descriptor()->full_name()) {
    v1::SundryChargePosted p;
    if (auto st = parse(p); !st.ok()) return st;
    return posting_made(p, PostingMade::Kind::kSundryCharge, EntryKind::kCharge, p.code(),
                        p.description(), "");
  }
  if (type == v1::WriteOffApproved::descriptor()->full_name()) {
    v1::WriteOffApproved p;
    if (auto st = parse(p); !st.ok()) return st;
    return posting_made(p, PostingMade::Kind::kWriteOff, EntryKind::kWriteOff, p.reason_code(),
                        p.reason(), p.request_id());
  }
  if (type == v1::WriteOffRequested::descriptor()->full_name()) {
    v1::WriteOffRequested p;
    if (auto st = parse(p); !st.ok()) return st;
    auto e = WriteOffFromProto(p);
    if (!e.ok()) return absl::DataLossError(type);
    return *e;
  }
  if (type == v1::ChargeCredited::descriptor()->full_name()) {
    v1::ChargeCredited p;
    if (auto st = parse(p); !st.ok()) return st;
    auto start = DateFromProto(p.period_start(), "period_start");
    auto posting = PostingFromProto(p.posting(), EntryKind::kAdjustment);
    if (!start.ok() || !posting.ok()) return absl::DataLossError(type);
    ChargeCredited e{*start,       p.reason(),        std::move(*posting),
                     std::nullopt, p.days_credited(), p.days_in_period()};
    if (p.has_period_end()) {
      auto end = DateFromProto(p.period_end(), "period_end");
      if (!end.ok()) return absl::DataLossError(type);
      e.period_end = *end;
    }
    return e;
  }
  if (type == v1::TransferredOut::descriptor()->full_name()) {
    v1::TransferredOut p;
    if (auto st = parse(p); !st.ok()) return st;
    auto kind = KindFromProto(p.account_kind(), "account_kind");
    auto to_kind = KindFromProto(p.to_account_kind(), "to_account_kind");
    auto posting = PostingFromProto(p.posting(), EntryKind::kTransfer);
    if (!kind.ok() || !to_kind.ok() || !posting.ok() || posting->lines.size() != 2) {
      return absl::DataLossError(type);
    }
    return TransferredOut{p.transfer_id(), p.to_tenancy_ref(),     *kind,
                          *to_kind,        p.payment_posting_id(), p.reason_code(),
                          p.reason(),      p.transferred_by(),     std::move(*posting)};
  }
  if (type == v1::TransferredIn::descriptor()->full_name()) {
    v1::TransferredIn p;
    if (auto st = parse(p); !st.ok()) return st;
    auto kind = KindFromProto(p.account_kind(), "account_kind");
    auto posting = PostingFromProto(p.posting(), EntryKind::kTransfer);
    if (!kind.ok() || !posting.ok()) return absl::DataLossError(type);
    return TransferredIn{
        p.transfer_id(), p.from_tenancy_ref(), p.from_posting_id(), *kind,
        p.reason_code(), p.reason(),           p.transferred_by(),  std::move(*posting)};
  }
  if (type == v1::PaymentSuspended::descriptor()->full_name()) {
    v1::PaymentSuspended p;
    if (auto st = parse(p); !st.ok()) return st;
    auto method = EnumFromProto<PaymentMethod>(p.method(), 8, "method");
    auto received = DateFromProto(p.received_date(), "received_date");
    auto posting = PostingFromProto(p.posting(), EntryKind::kPayment);
    if (!method.ok() || !received.ok() || !posting.ok()) return absl::DataLossError(type);
    return PaymentSuspended{*method,   p.source(),        p.external_reference(),
                            *received, p.raw_reference(), std::move(*posting)};
  }
  if (type == v1::SuspenseReleased::descriptor()->full_name()) {
    v1::SuspenseReleased p;
    if (auto st = parse(p); !st.ok()) return st;
    auto posting = PostingFromProto(p.posting(), EntryKind::kSuspenseAllocation);
    if (!posting.ok()) return absl::DataLossError(type);
    return SuspenseReleased{p.suspended_posting_id(), p.tenancy_ref(), std::move(*posting)};
  }
  if (type == v1::HeldPaymentReversed::descriptor()->full_name()) {
    v1::HeldPaymentReversed p;
    if (auto st = parse(p); !st.ok()) return st;
    auto posting =
        PostingFromProto(p.posting(), EntryKind::kPaymentReversal, p.suspended_posting_id());
    if (!posting.ok()) return absl::DataLossError(type);
    return HeldPaymentReversed{p.suspended_posting_id(), p.reason(), std::move(*posting)};
  }
  if (type == v1::SuspenseAllocated::descriptor()->full_name()) {
    v1::SuspenseAllocated p;
    if (auto st = parse(p); !st.ok()) return st;
    auto kind = KindFromProto(p.account_kind(), "account_kind");
    auto posting = PostingFromProto(p.posting(), EntryKind::kSuspenseAllocation);
    if (!kind.ok() || !posting.ok()) return absl::DataLossError(type);
    return SuspenseAllocated{p.suspended_posting_id(), *kind, std::move(*posting)};
  }
  if (type == v1::WriteOffRejected::descriptor()->full_name()) {
    v1::WriteOffRejected p;
    if (auto st = parse(p); !st.ok()) return st;
    return WriteOffRejected{p.request_id(), p.reason()};
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown ledger event type ", type));
}

std::optional<v1::Posting> PostingOf(const common::v1::Event& event) {
  const google::protobuf::Descriptor* d =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          event.envelope().event_type());
  if (d == nullptr) return std::nullopt;
  const google::protobuf::FieldDescriptor* f = d->FindFieldByName("posting");
  if (f == nullptr || f->message_type() != v1::Posting::descriptor()) return std::nullopt;
  std::unique_ptr<google::protobuf::Message> m(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
  if (!m->ParseFromString(event.payload()) || !m->GetReflection()->HasField(*m, f)) {
    return std::nullopt;
  }
  v1::Posting posting;
  posting.CopyFrom(m->GetReflection()->GetMessage(*m, f));
  return posting;
}

}  // namespace rentstream::ledger::app
