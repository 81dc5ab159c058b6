#include "services/ledger/app/ledger_codec.h"

#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "services/ledger/app/codec_internal.h"

namespace rentstream::ledger::app {

std::string FieldPath::ToString() const {
  std::string out = parent_ != nullptr ? parent_->ToString() : std::string();
  absl::StrAppend(&out, name_);
  if (index_ >= 0) absl::StrAppend(&out, "[", index_, "]");
  return out;
}

namespace internal {

absl::Status Invalid(const FieldPath& field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field.ToString(), ": ", why));
}

// An unspecified account kind means the rent account.
absl::StatusOr<AccountKind> KindFromProto(v1::AccountKind k, const FieldPath& field) {
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
                                              std::string reverses) {
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
                                       const FieldPath& field, absl::Status* status) {
  std::vector<ChargeLine> out;
  out.reserve(in.size());
  for (int i = 0; i < in.size(); ++i) {
    const FieldPath line(field, "", i);
    auto kind = EnumFromProto<ChargeKind>(in[i].kind(), 3, FieldPath(line, ".kind"));
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

}  // namespace internal

using namespace internal;  // NOLINT: the codec's own helpers

common::v1::Date ToProto(Date date) {
  common::v1::Date d;
  d.set_year(date.year());
  d.set_month(date.month());
  d.set_day(date.day());
  return d;
}

absl::StatusOr<Date> DateFromProto(const common::v1::Date& d, const FieldPath& field) {
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

common::v1::Date ProtoDate(int year, int month, int day) {
  common::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

common::v1::Money ProtoPence(int64_t pence) {
  common::v1::Money m;
  m.set_pence(pence);
  return m;
}

absl::StatusOr<RentSchedule> ScheduleFromProto(const v1::RentSchedule& p, const FieldPath& field) {
  RentSchedule s;
  auto frequency = EnumFromProto<Frequency>(p.frequency(), 4, FieldPath(field, ".frequency"));
  if (!frequency.ok()) return frequency.status();
  s.frequency = *frequency;
  auto anchor = DateFromProto(p.anchor(), FieldPath(field, ".anchor"));
  if (!anchor.ok()) return anchor.status();
  s.anchor = *anchor;
  s.rates.reserve(p.rates_size());
  for (int i = 0; i < p.rates_size(); ++i) {
    const FieldPath rate(field, ".rates", i);
    auto from = DateFromProto(p.rates(i).effective_from(), FieldPath(rate, ".effective_from"));
    if (!from.ok()) return from.status();
    absl::Status st;
    std::vector<ChargeLine> lines =
        LinesFromProto(p.rates(i).lines(), FieldPath(rate, ".lines"), &st);
    if (!st.ok()) return st;
    s.rates.push_back({*from, std::move(lines)});
  }
  for (int i = 0; i < p.rent_free_periods_size(); ++i) {
    auto d = DateFromProto(p.rent_free_periods(i), FieldPath(field, ".rent_free_periods", i));
    if (!d.ok()) return d.status();
    s.rent_free_periods.push_back(*d);
  }
  return s;
}

v1::RentSchedule ToProto(const RentSchedule& s) {
  v1::RentSchedule p;
  ToProto(s, &p);
  return p;
}

void ToProto(const RentSchedule& s, v1::RentSchedule* p) {
  p->set_frequency(EnumToProto<v1::Frequency>(s.frequency));
  *p->mutable_anchor() = ToProto(s.anchor);
  for (const RentRate& r : s.rates) {
    v1::RentRate* rate = p->add_rates();
    *rate->mutable_effective_from() = ToProto(r.effective_from);
    LinesToProto(r.lines, rate->mutable_lines());
  }
  for (Date d : s.rent_free_periods) *p->add_rent_free_periods() = ToProto(d);
}

absl::StatusOr<OpenAccount> FromProto(const v1::OpenAccount& c, const std::string& tenancy_ref) {
  return internal::AccountFromParts(c.tenancy_type(), c.jurisdiction(), c.patch(), c.tenant_ids(),
                                    c.start_date(), &c.schedule(), tenancy_ref);
}

void internal::AccountInfoToProto(const TenancyInfo& info, v1::AccountOpened* out) {
  out->set_tenancy_ref(info.tenancy_ref);
  out->set_tenancy_type(EnumToProto<v1::TenancyType>(info.type));
  out->set_jurisdiction(EnumToProto<v1::Jurisdiction>(info.jurisdiction));
  out->set_patch(info.patch);
  for (const std::string& t : info.tenant_ids) out->add_tenant_ids(t);
  *out->mutable_start_date() = ToProto(info.start_date);
}

absl::StatusOr<OpenAccount> internal::AccountFromParts(
    v1::TenancyType tenancy_type, v1::Jurisdiction jurisdiction, const std::string& patch,
    const google::protobuf::RepeatedPtrField<std::string>& tenant_ids,
    const common::v1::Date& start_date, const v1::RentSchedule* schedule_proto,
    const std::string& tenancy_ref) {
  OpenAccount out;
  out.info.tenancy_ref = tenancy_ref;
  auto type = EnumFromProto<TenancyType>(tenancy_type, 4, "tenancy_type");
  if (!type.ok()) return type.status();
  out.info.type = *type;
  auto jurisdiction_domain = EnumFromProto<Jurisdiction>(jurisdiction, 3, "jurisdiction");
  if (!jurisdiction_domain.ok()) return jurisdiction_domain.status();
  out.info.jurisdiction = *jurisdiction_domain;
  out.info.patch = patch;
  out.info.tenant_ids.assign(tenant_ids.begin(), tenant_ids.end());
  auto start = DateFromProto(start_date, "start_date");
  if (!start.ok()) return start.status();
  out.info.start_date = *start;
  if (schedule_proto == nullptr) return out;
  auto schedule = ScheduleFromProto(*schedule_proto, "schedule");
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

absl::StatusOr<BenefitAward> AwardFromProto(const v1::BenefitAward& p, const FieldPath& field) {
  BenefitAward a;
  auto kind = EnumFromProto<BenefitKind>(p.kind(), 2, FieldPath(field, ".kind"));
  if (!kind.ok()) return kind.status();
  a.kind = *kind;
  auto frequency = EnumFromProto<Frequency>(p.frequency(), 4, FieldPath(field, ".frequency"));
  if (!frequency.ok()) return frequency.status();
  a.frequency = *frequency;
  a.amount = MoneyFromProto(p.amount());
  auto from = DateFromProto(p.from(), FieldPath(field, ".from"));
  if (!from.ok()) return from.status();
  a.from = *from;
  if (p.has_until()) {
    auto until = DateFromProto(p.until(), FieldPath(field, ".until"));
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

absl::StatusOr<ReverseHeldPayment> FromProto(const v1::ReverseHeldPayment& c) {
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  std::optional<PaymentMethod> method;
  if (c.method() != v1::PAYMENT_METHOD_UNSPECIFIED) {
    auto named = EnumFromProto<PaymentMethod>(c.method(), 8, "method");
    if (!named.ok()) return named.status();
    method = *named;
  }
  return ReverseHeldPayment{c.suspended_posting_id(), MoneyFromProto(c.amount()), *date, c.reason(),
                            method};
}

absl::StatusOr<ReceiveFromSuspense> FromProto(const v1::ReceiveFromSuspense& c) {
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return ReceiveFromSuspense{c.suspended_posting_id(), MoneyFromProto(c.amount()), *kind, *date};
}

absl::StatusOr<TransferOut> FromProto(const v1::TransferOut& c) {
  if (auto ref = core::TenancyRef::Parse(c.to_tenancy_ref()); !ref.ok()) {
    return Invalid("to_tenancy_ref",
                   ref.status().message().substr(ref.status().message().find(": ") + 2));
  }
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto to_kind = KindFromProto(c.to_account_kind(), "to_account_kind");
  if (!to_kind.ok()) return to_kind.status();
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return TransferOut{c.transfer_id(),
                     c.to_tenancy_ref(),
                     *kind,
                     *to_kind,
                     MoneyFromProto(c.amount()),
                     *date,
                     c.payment_posting_id(),
                     c.reason_code(),
                     c.reason()};
}

absl::StatusOr<TransferIn> FromProto(const v1::TransferIn& c) {
  auto kind = KindFromProto(c.account_kind(), "account_kind");
  if (!kind.ok()) return kind.status();
  auto date = DateFromProto(c.value_date(), "value_date");
  if (!date.ok()) return date.status();
  return TransferIn{c.transfer_id(), c.from_tenancy_ref(), *kind,     MoneyFromProto(c.amount()),
                    *date,           c.reason_code(),      c.reason()};
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
    case common::v1::ACTOR_ROLE_INTEGRATION:
      out.role = Role::kIntegration;
      break;
    case common::v1::ACTOR_ROLE_SERVICE:
      out.role = Role::kService;
      break;
    case common::v1::ACTOR_ROLE_SCHEDULER:
      out.role = Role::kScheduler;
      break;
    case common::v1::ACTOR_ROLE_AUDITOR:
      out.role = Role::kAuditor;
      break;
    default:
      out.role = Role::kOther;
  }
  return out;
}

}  // namespace rentstream::ledger::app
