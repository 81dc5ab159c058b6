#include "services/escalation/app/ledger_observer.h"

#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/app/ledger_codec.h"

namespace rentstream::escalation::app {
namespace {

namespace lv1 = ::rentstream::ledger::v1;

template <typename Payload>
std::optional<Payload> Parse(const common::v1::Event& e) {
  Payload p;
  if (e.envelope().event_type() != Payload::descriptor()->full_name() ||
      !p.ParseFromString(e.payload())) {
    return std::nullopt;
  }
  return p;
}

// The rent account's change in a posting, and whether its other side is a benefit.
struct RentMovement {
  int64_t change = 0;
  bool touches_rent = false;
  bool benefit = false;
  bool universal_credit = false;
};

RentMovement RentMovementOf(const lv1::Posting& posting, const std::string& tenancy_ref) {
  RentMovement m;
  for (const lv1::JournalLine& line : posting.lines()) {
    const lv1::AccountRef& a = line.account();
    if (a.has_tenant() && a.tenant().tenancy_ref() == tenancy_ref &&
        a.tenant().kind() == lv1::ACCOUNT_KIND_RENT) {
      m.change += line.amount().pence();
      m.touches_rent = true;
    } else if (a.account_case() == lv1::AccountRef::kControl) {
      m.benefit |= a.control() == lv1::CONTROL_ACCOUNT_HOUSING_BENEFIT ||
                   a.control() == lv1::CONTROL_ACCOUNT_UNIVERSAL_CREDIT;
      m.universal_credit |= a.control() == lv1::CONTROL_ACCOUNT_UNIVERSAL_CREDIT;
    }
  }
  return m;
}

v1::TenancyObserved Tenancy(const common::v1::Event& e, lv1::TenancyType type,
                            lv1::Jurisdiction jurisdiction, const std::string& patch, int tenants) {
  v1::TenancyObserved t;
  t.set_ledger_event_id(e.envelope().event_id());
  t.set_tenancy_type(type);
  t.set_jurisdiction(jurisdiction);
  t.set_patch(patch);
  t.set_tenant_count(tenants);
  return t;
}

}  // namespace

std::optional<CaseEvent> ObserveLedgerEvent(const common::v1::Event& e) {
  if (auto opened = Parse<lv1::AccountOpened>(e)) {
    return Tenancy(e, opened->tenancy_type(), opened->jurisdiction(), opened->patch(),
                   opened->tenant_ids_size());
  }
  if (auto changed = Parse<lv1::AccountDetailsChanged>(e)) {
    // Jurisdiction never changes after opening; 0 keeps the recorded one (see Evolve).
    return Tenancy(e, changed->tenancy_type(), lv1::JURISDICTION_UNSPECIFIED, changed->patch(),
                   changed->tenant_ids_size());
  }
  const std::optional<lv1::Posting> posting = ledger::app::PostingOf(e);
  if (!posting) return std::nullopt;
  const RentMovement m = RentMovementOf(*posting, e.envelope().tenancy_ref());
  const std::string& type = e.envelope().event_type();
  const bool ended = type == lv1::TenancyTerminated::descriptor()->full_name();
  if (!m.touches_rent && !ended) return std::nullopt;

  v1::LedgerActivityObserved a;
  a.set_ledger_event_id(e.envelope().event_id());
  a.set_ledger_event_type(type);
  a.set_ledger_sequence(e.envelope().sequence());
  *a.mutable_value_date() = posting->value_date();
  a.mutable_balance_change()->set_pence(m.change);
  a.set_tenancy_ended(ended);
  const bool received = type == lv1::PaymentReceived::descriptor()->full_name() ||
                        type == lv1::SuspenseAllocated::descriptor()->full_name() ||
                        type == lv1::TransferredIn::descriptor()->full_name();
  a.set_payment(received && m.change < 0);
  if (m.benefit) {
    // A benefit payment (or its reversal) settles (or reopens) what the benefit was expected to
    // pay.
    a.mutable_benefit_expected_change()->set_pence(m.change);
    if (m.universal_credit) a.mutable_uc_expected_change()->set_pence(m.change);
  }
  if (auto charge = Parse<lv1::ChargePosted>(e)) {
    *a.mutable_weekly_gross_rent() = charge->weekly_gross_rent();
    a.mutable_benefit_expected_change()->set_pence(charge->benefit_covered().pence());
    a.mutable_uc_expected_change()->set_pence(charge->universal_credit_covered().pence());
  }
  return a;
}

}  // namespace rentstream::escalation::app
