#include "services/ledger/app/ledger_codec.h"

#include "absl/strings/str_cat.h"

namespace rentstream::ledger::app {
namespace {

using core::Date;
using core::Money;

absl::Status Invalid(const std::string& field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// Domain enums list the contract's values in order, without the proto's UNSPECIFIED zero.
template <typename Proto, typename Domain>
Proto EnumToProto(Domain d) {
  return static_cast<Proto>(static_cast<int>(d) + 1);
}
template <typename Domain, typename Proto>
absl::StatusOr<Domain> EnumFromProto(Proto p, int count, const std::string& field) {
  const int v = static_cast<int>(p);
  if (v < 1 || v > count) return Invalid(field, absl::StrCat("unknown or unspecified value ", v));
  return static_cast<Domain>(v - 1);
}

// An unspecified account kind means the rent account.
absl::StatusOr<AccountKind> KindFromProto(v1::AccountKind k, const std::string& field) {
  if (k == v1::ACCOUNT_KIND_UNSPECIFIED) return AccountKind::kRent;
  return EnumFromProto<AccountKind>(k, 5, field);
}

v1::AccountRef AccountToProto(const AccountRef& a) {
  v1::AccountRef out;
  if (a.is_control) {
    out.set_control(EnumToProto<v1::ControlAccount>(a.control));
  } else {
    out.mutable_tenant()->set_tenancy_ref(a.tenancy);
    out.mutable_tenant()->set_kind(EnumToProto<v1::AccountKind>(a.kind));
  }
  return out;
}

absl::StatusOr<AccountRef> AccountFromProto(const v1::AccountRef& a) {
  if (a.has_tenant()) {
    auto kind = KindFromProto(a.tenant().kind(), "account.tenant.kind");
    if (!kind.ok()) return kind.status();
    return AccountRef::Tenant(a.tenant().tenancy_ref(), *kind);
  }
  auto control = EnumFromProto<ControlAccount>(a.control(), 13, "account.control");
  if (!control.ok()) return control.status();
  return AccountRef::Control(*control);
}

v1::Posting PostingToProto(const JournalEntry& e) {
  v1::Posting p;
  p.set_posting_id(e.id);
  *p.mutable_value_date() = ToProto(e.date);
  for (const JournalLine& l : e.lines) {
    v1::JournalLine* line = p.add_lines();
    *line->mutable_account() = AccountToProto(l.account);
    *line->mutable_amount() = ToProto(l.amount);
  }
  return p;
}

absl::StatusOr<JournalEntry> PostingFromProto(const v1::Posting& p, EntryKind kind,
                                              std::string reverses = "") {
  JournalEntry e;
  e.id = p.posting_id();
  e.kind = kind;
  e.reverses = std::move(reverses);
  auto date = DateFromProto(p.value_date(), "posting.value_date");
  if (!date.ok()) return date.status();
  e.date = *date;
  for (const v1::JournalLine& l : p.lines()) {
    auto account = AccountFromProto(l.account());
    if (!account.ok()) return account.status();
    e.lines.push_back({*account, MoneyFromProto(l.amount())});
  }
  return e;
}

std::vector<ChargeLine> LinesFromProto(const google::protobuf::RepeatedPtrField<v1::ChargeLine>& in,
                                       const std::string& field, absl::Status* status) {
  std::vector<ChargeLine> out;
  for (int i = 0; i < in.size(); ++i) {
    auto kind = EnumFromProto<ChargeKind>(in[i].kind(), 3, absl::StrCat(field, "[", i, "].kind"));
    if (!kind.ok()) {
      *status = kind.status();
      return {};
    }
    out.push_back({*kind, in[i].code(), MoneyFromProto(in[i].amount())});
  }
  return out;
}

void LinesToProto(const std::vector<ChargeLine>& lines,
                  google::protobuf::RepeatedPtrField<v1::ChargeLine>* out) {
  for (const ChargeLine& l : lines) {
    v1::ChargeLine* p = out->Add();
    p->set_kind(EnumToProto<v1::ChargeKind>(l.kind));
    p->set_code(l.code);
    *p->mutable_amount() = ToProto(l.amount);
  }
}

}  // namespace

common::v1::Date ToProto(Date date) {
  common::v1::Date d;
  d.set_year(date.year());
  d.set_month(date.month());
  d.set_day(date.day());
  return d;
}

absl::StatusOr<Date> DateFromProto(const common::v1::Date& d, const std::string& field) {
  auto date = Date::FromYmd(d.year(), d.month(), d.day());
  if (!date.ok()) return Invalid(field, date.status().message());
  return *date;
}

common::v1::Money ToProto(Money money) {
  common::v1::Money m;
  m.set_pence(money.pence());
  return m;
}

Money MoneyFromProto(const common::v1::Money& m) { return Money::FromPence(m.pence()); }

absl::StatusOr<RentSchedule> ScheduleFromProto(const v1::RentSchedule& p,
                                               const std::string& field) {
  RentSchedule s;
  auto frequency = EnumFromProto<Frequency>(p.frequency(), 4, field + ".frequency");
  if (!frequency.ok()) return frequency.status();
  s.frequency = *frequency;
  auto anchor = DateFromProto(p.anchor(), field + ".anchor");
  if (!anchor.ok()) return anchor.status();
  s.anchor = *anchor;
  for (int i = 0; i < p.rates_size(); ++i) {
    const std::string rf = absl::StrCat(field, ".rates[", i, "]");
    auto from = DateFromProto(p.rates(i).effective_from(), rf + ".effective_from");
    if (!from.ok()) return from.status();
    absl::Status st;
    std::vector<ChargeLine> lines = LinesFromProto(p.rates(i).lines(), rf + ".lines", &st);
    if (!st.ok()) return st;
    s.rates.push_back({*from, std::move(lines)});
  }
  for (int i = 0; i < p.rent_free_periods_size(); ++i) {
    auto d =
        DateFromProto(p.rent_free_periods(i), absl::StrCat(field, ".rent_free_periods[", i, "]"));
    if (!d.ok()) return d.status();
    s.rent_free_periods.push_back(*d);
  }
  return s;
}

v1::RentSchedule ToProto(const RentSchedule& s) {
  v1::RentSchedule p;
  p.set_frequency(EnumToProto<v1::Frequency>(s.frequency));
  *p.mutable_anchor() = ToProto(s.anchor);
  for (const RentRate& r : s.rates) {
    v1::RentRate* rate = p.add_rates();
    *rate->mutable_effective_from() = ToProto(r.effective_from);
    LinesToProto(r.lines, rate->mutable_lines());
  }
  for (Date d : s.rent_free_periods) *p.add_rent_free_periods() = ToProto(d);
  return p;
}

absl::StatusOr<OpenAccount> FromProto(const v1::OpenAccount& c, const std::string& tenancy_ref) {
  OpenAccount out;
  out.info.tenancy_ref = tenancy_ref;
  auto type = EnumFromProto<TenancyType>(c.tenancy_type(), 4, "tenancy_type");
  if (!type.ok()) return type.status();
  out.info.type = *type;
  auto jurisdiction = EnumFromProto<Jurisdiction>(c.jurisdiction(), 3, "jurisdiction");
  if (!jurisdiction.ok()) return jurisdiction.status();
  out.info.jurisdiction = *jurisdiction;
  out.info.patch = c.patch();
  out.info.tenant_ids.assign(c.tenant_ids().begin(), c.tenant_ids().end());
  auto start = DateFromProto(c.start_date(), "start_date");
  if (!start.ok()) return start.status();
  out.info.start_date = *start;
  auto schedule = ScheduleFromProto(c.schedule(), "schedule");
  if (!schedule.ok()) return schedule.status();
  out.schedule = std::move(*schedule);
  return out;
}

absl::StatusOr<ChangeRentSchedule> FromProto(const v1::ChangeRentSchedule& c) {
  auto schedule = ScheduleFromProto(c.schedule(), "schedule");
  if (!schedule.ok()) return schedule.status();
  return ChangeRentSchedule{std::move(*schedule), c.reason()};
}

absl::StatusOr<PostCharges> FromProto(const v1::PostCharges& c) {
  auto from = DateFromProto(c.from(), "from");
  if (!from.ok()) return from.status();
  auto to = DateFromProto(c.to(), "to");
  if (!to.ok()) return to.status();
  return PostCharges{*from, *to};
}

absl::StatusOr<RecordPayment> FromProto(const v1::RecordPayment& c) {
  RecordPayment out;
  auto method = EnumFromProto<PaymentMethod>(c.method(), 8, "method");
  if (!method.ok()) return method.status();
  out.method = *method;
  out.source = c.source();
  out.external_reference = c.external_reference();
  auto received = DateFromProto(c.received_date(), "received_date");
  if (!received.ok()) return received.status();
  out.received_date = *received;
  out.amount = MoneyFromProto(c.amount());
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  out.account_kind = *kind;
  return out;
}

absl::StatusOr<ReversePayment> FromProto(const v1::ReversePayment& c) {
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return ReversePayment{c.original_posting_id(), *date, c.reason()};
}

absl::StatusOr<TerminateTenancy> FromProto(const v1::TerminateTenancy& c) {
  auto date = DateFromProto(c.end_date(), "end_date");
  if (!date.ok()) return date.status();
  return TerminateTenancy{*date, c.reason()};
}

absl::StatusOr<BenefitAward> AwardFromProto(const v1::BenefitAward& p, const std::string& field) {
  BenefitAward a;
  auto kind = EnumFromProto<BenefitKind>(p.kind(), 2, field + ".kind");
  if (!kind.ok()) return kind.status();
  a.kind = *kind;
  auto frequency = EnumFromProto<Frequency>(p.frequency(), 4, field + ".frequency");
  if (!frequency.ok()) return frequency.status();
  a.frequency = *frequency;
  a.amount = MoneyFromProto(p.amount());
  auto from = DateFromProto(p.from(), field + ".from");
  if (!from.ok()) return from.status();
  a.from = *from;
  if (p.has_until()) {
    auto until = DateFromProto(p.until(), field + ".until");
    if (!until.ok()) return until.status();
    a.until = *until;
  }
  return a;
}

v1::BenefitAward ToProto(const BenefitAward& a) {
  v1::BenefitAward p;
  p.set_kind(EnumToProto<v1::BenefitKind>(a.kind));
  p.set_frequency(EnumToProto<v1::Frequency>(a.frequency));
  *p.mutable_amount() = ToProto(a.amount);
  *p.mutable_from() = ToProto(a.from);
  if (a.until.has_value()) *p.mutable_until() = ToProto(*a.until);
  return p;
}

absl::StatusOr<SetBenefitAward> FromProto(const v1::SetBenefitAward& c) {
  auto award = AwardFromProto(c.award(), "award");
  if (!award.ok()) return award.status();
  return SetBenefitAward{*award, c.reason()};
}

absl::StatusOr<EndBenefitAward> FromProto(const v1::EndBenefitAward& c) {
  auto kind = EnumFromProto<BenefitKind>(c.kind(), 2, "kind");
  if (!kind.ok()) return kind.status();
  auto last = DateFromProto(c.last_day(), "last_day");
  if (!last.ok()) return last.status();
  return EndBenefitAward{*kind, *last, c.reason()};
}

absl::StatusOr<IssueRefund> FromProto(const v1::IssueRefund& c) {
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return IssueRefund{*kind, MoneyFromProto(c.amount()), *date, c.reason()};
}

absl::StatusOr<PostAdjustment> FromProto(const v1::PostAdjustment& c) {
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return PostAdjustment{*kind, MoneyFromProto(c.amount()), *date, c.reason_code(), c.reason()};
}

absl::StatusOr<PostSundryCharge> FromProto(const v1::PostSundryCharge& c) {
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return PostSundryCharge{*kind, c.code(), c.description(), MoneyFromProto(c.amount()), *date};
}

absl::StatusOr<RequestWriteOff> FromProto(const v1::RequestWriteOff& c) {
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  return RequestWriteOff{c.request_id(), *kind, MoneyFromProto(c.amount()), c.reason_code(),
                         c.reason()};
}

absl::StatusOr<ApproveWriteOff> FromProto(const v1::ApproveWriteOff& c) {
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return ApproveWriteOff{c.request_id(), *date};
}

absl::StatusOr<RejectWriteOff> FromProto(const v1::RejectWriteOff& c) {
  return RejectWriteOff{c.request_id(), c.reason()};
}

absl::StatusOr<SuspendPayment> FromProto(const v1::SuspendPayment& c) {
  auto method = EnumFromProto<PaymentMethod>(c.method(), 8, "method");
  if (!method.ok()) return method.status();
  auto received = DateFromProto(c.received_date(), "received_date");
  if (!received.ok()) return received.status();
  return SuspendPayment{
      *method,          c.source(), c.external_reference(), *received, MoneyFromProto(c.amount()),
      c.raw_reference()};
}

absl::StatusOr<ReleaseFromSuspense> FromProto(const v1::ReleaseFromSuspense& c) {
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return ReleaseFromSuspense{c.suspended_posting_id(), c.tenancy_ref(), MoneyFromProto(c.amount()),
                             *date};
}

absl::StatusOr<ReceiveFromSuspense> FromProto(const v1::ReceiveFromSuspense& c) {
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return ReceiveFromSuspense{c.suspended_posting_id(), MoneyFromProto(c.amount()), *kind, *date};
}

Actor ActorFromProto(const common::v1::Actor& a) {
  Actor out;
  out.id = a.id();
  switch (a.role()) {
    case common::v1::ACTOR_ROLE_OFFICER:
      out.role = Role::kOfficer;
      break;
    case common::v1::ACTOR_ROLE_TEAM_LEADER:
      out.role = Role::kTeamLeader;
      break;
    case common::v1::ACTOR_ROLE_INCOME_MANAGER:
      out.role = Role::kIncomeManager;
      break;
    default:
      out.role = Role::kOther;
  }
  return out;
}

namespace {

v1::WriteOffRequested WriteOffToProto(const WriteOffRequested& e) {
  v1::WriteOffRequested p;
  p.set_request_id(e.request_id);
  p.set_account_kind(EnumToProto<v1::AccountKind>(e.account_kind));
  *p.mutable_amount() = ToProto(e.amount);
  p.set_reason_code(e.reason_code);
  p.set_reason(e.reason);
  p.set_requested_by(e.requested_by);
  return p;
}

absl::StatusOr<WriteOffRequested> WriteOffFromProto(const v1::WriteOffRequested& p) {
  auto kind = KindFromProto(p.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  return WriteOffRequested{p.request_id(),  *kind,      MoneyFromProto(p.amount()),
                           p.reason_code(), p.reason(), p.requested_by()};
}

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

}  // namespace

runtime::NewEvent ToNewEvent(const LedgerEvent& event) {
  return std::visit(
      [](const auto& e) -> runtime::NewEvent {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, AccountOpened>) {
          v1::AccountOpened p;
          p.set_tenancy_ref(e.info.tenancy_ref);
          p.set_tenancy_type(EnumToProto<v1::TenancyType>(e.info.type));
          p.set_jurisdiction(EnumToProto<v1::Jurisdiction>(e.info.jurisdiction));
          p.set_patch(e.info.patch);
          for (const std::string& t : e.info.tenant_ids) p.add_tenant_ids(t);
          *p.mutable_start_date() = ToProto(e.info.start_date);
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
    return ChargePosted{*start, *end, std::move(lines), std::move(*posting)};
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

void ToProto(const TenancyLedger& s, state::v1::TenancyLedgerState* out) {
  out->Clear();
  out->set_opened(s.opened);
  // The suspense stream is never opened: its held payments are all its state.
  for (const auto& [id, held] : s.suspended) {
    state::v1::SuspendedPayment* p = out->add_suspended();
    p->set_posting_id(id);
    *p->mutable_amount() = ToProto(held.amount);
    *p->mutable_received_date() = ToProto(held.received_date);
    p->set_released_to(held.released_to);
  }
  if (!s.opened) return;
  // The account details are kept in their event form (AccountOpened).
  runtime::NewEvent opened = ToNewEvent(AccountOpened{s.info, s.schedule});
  out->mutable_account()->ParseFromString(opened.payload);
  out->mutable_account()->clear_schedule();
  *out->mutable_schedule() = ToProto(s.schedule);
  out->set_ended(s.end_date.has_value());
  if (s.end_date.has_value()) *out->mutable_end_date() = ToProto(*s.end_date);
  for (const auto& [kind, balance] : s.balances) {
    state::v1::AccountBalance* b = out->add_balances();
    b->set_kind(EnumToProto<v1::AccountKind>(kind));
    *b->mutable_balance() = ToProto(balance);
  }
  for (int64_t day : s.charged_periods) out->add_charged_period_days(day);
  for (const auto& [id, p] : s.payments) {
    state::v1::PaymentRecord* r = out->add_payments();
    r->set_posting_id(id);
    *r->mutable_amount() = ToProto(p.amount);
    r->set_account_kind(EnumToProto<v1::AccountKind>(p.account_kind));
    r->set_contra(EnumToProto<v1::ControlAccount>(p.contra));
    *r->mutable_value_date() = ToProto(p.value_date);
    r->set_reversed(p.reversed);
  }
  for (const AccountMovement& m : s.movements) {
    state::v1::Movement* mv = out->add_movements();
    *mv->mutable_value_date() = ToProto(m.value_date);
    mv->set_account_kind(EnumToProto<v1::AccountKind>(m.account_kind));
    *mv->mutable_amount() = ToProto(m.amount);
    mv->set_posting_id(m.posting_id);
    mv->set_description(m.description);
  }
  for (const auto& [kind, award] : s.awards) *out->add_awards() = ToProto(award);
  for (const auto& [id, request] : s.pending_write_offs) {
    *out->add_pending_write_offs() = WriteOffToProto(request);
  }
  for (const std::string& id : s.closed_write_offs) out->add_closed_write_off_ids(id);
  for (const std::string& id : s.received_from_suspense) out->add_received_from_suspense(id);
}

absl::StatusOr<TenancyLedger> FromProto(const state::v1::TenancyLedgerState& p,
                                        const std::string& tenancy_ref) {
  TenancyLedger s;
  s.info.tenancy_ref = tenancy_ref;
  // The suspense stream is never opened; its held payments are all it has.
  for (const auto& held : p.suspended()) {
    auto date = DateFromProto(held.received_date(), "received_date");
    if (!date.ok()) return absl::DataLossError("suspended payment date");
    s.suspended[held.posting_id()] = {MoneyFromProto(held.amount()), *date, held.released_to()};
  }
  s.received_from_suspense.insert(p.received_from_suspense().begin(),
                                  p.received_from_suspense().end());
  if (!p.opened()) return s;
  auto corrupt = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("ledger state of ", tenancy_ref, ": ", what));
  };
  v1::OpenAccount details;
  details.set_tenancy_type(p.account().tenancy_type());
  details.set_jurisdiction(p.account().jurisdiction());
  details.set_patch(p.account().patch());
  *details.mutable_tenant_ids() = p.account().tenant_ids();
  *details.mutable_start_date() = p.account().start_date();
  *details.mutable_schedule() = p.schedule();
  auto open = FromProto(details, tenancy_ref);
  if (!open.ok()) return corrupt(open.status().message());
  s.opened = true;
  s.info = open->info;
  s.schedule = open->schedule;
  if (p.ended()) {
    auto end = DateFromProto(p.end_date(), "end_date");
    if (!end.ok()) return corrupt("end_date");
    s.end_date = *end;
  }
  for (const auto& b : p.balances()) {
    auto kind = KindFromProto(b.kind(), "kind");
    if (!kind.ok()) return corrupt("balance kind");
    s.balances[*kind] = MoneyFromProto(b.balance());
  }
  s.charged_periods.insert(p.charged_period_days().begin(), p.charged_period_days().end());
  for (const auto& r : p.payments()) {
    auto kind = KindFromProto(r.account_kind(), "account_kind");
    auto contra = EnumFromProto<ControlAccount>(r.contra(), 13, "contra");
    auto date = DateFromProto(r.value_date(), "value_date");
    if (!kind.ok() || !contra.ok() || !date.ok()) return corrupt("payment record");
    s.payments[r.posting_id()] = {MoneyFromProto(r.amount()), *kind, *contra, *date, r.reversed()};
  }
  for (const auto& m : p.movements()) {
    auto kind = KindFromProto(m.account_kind(), "account_kind");
    auto date = DateFromProto(m.value_date(), "value_date");
    if (!kind.ok() || !date.ok()) return corrupt("movement");
    s.movements.push_back(
        {*date, *kind, MoneyFromProto(m.amount()), m.posting_id(), m.description()});
  }
  for (const auto& a : p.awards()) {
    auto award = AwardFromProto(a, "award");
    if (!award.ok()) return corrupt("benefit award");
    s.awards[award->kind] = *award;
  }
  for (const auto& w : p.pending_write_offs()) {
    auto request = WriteOffFromProto(w);
    if (!request.ok()) return corrupt("write-off request");
    s.pending_write_offs[request->request_id] = *request;
  }
  s.closed_write_offs.insert(p.closed_write_off_ids().begin(), p.closed_write_off_ids().end());
  return s;
}

}  // namespace rentstream::ledger::app
