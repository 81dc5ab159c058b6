// The ledger's gRPC queries: balances and statements of a tenancy, the KPIs over every account
// and the suspense worklist — each read from the projection of the replica serving the
// partitions concerned (docs/operations.md, "Queries and replicas"). Commands are in
// ledger_service.cc.
#include "services/ledger/app/ledger_service.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/grpc_edge.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "services/ledger/app/codec_internal.h"
#include "services/ledger/app/ledger_codec.h"

namespace rentstream::ledger::app {

using runtime::ToGrpc;

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
  if (auto forwarded =
          runtime::ForwardQuery(host_, *context, request->tenancy_ref(),
                                &v1::LedgerService::Stub::GetStatement, *request, response)) {
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
    if (grpc::Status asked = runtime::AskScanPart(
            host_, *context, "GetKpis", part, &v1::LedgerService::Stub::GetKpis, same_day, &theirs);
        !asked.ok()) {
      return asked;
    }
    auto sums = KpisFromProto(theirs);
    if (!sums.ok()) return ToGrpc(sums.status());
    kpis.Merge(*sums);
  }
  KpisToProto(kpis.Result(), response);
  return grpc::Status::OK;
}

namespace {

constexpr int kDefaultSuspensePage = 1000;
constexpr int kMaxSuspensePage = 10000;

// Where a page of ListSuspense ends: its last payment's place in the list's order (received
// date, then suspended posting id) and the filter it was listed with.
struct SuspensePlace {
  bool include_cleared = false;
  core::Date received_date;
  std::string posting_id;
};

std::string SuspensePageToken(const SuspensePlace& last) {
  return absl::WebSafeBase64Escape(absl::StrCat(last.include_cleared ? "1" : "0", ":",
                                                last.received_date.days_since_epoch(), ":",
                                                last.posting_id));
}

absl::StatusOr<SuspensePlace> ParseSuspensePageToken(const std::string& token,
                                                     bool include_cleared) {
  const absl::Status invalid = absl::InvalidArgumentError(
      "page_token: not a token a ListSuspense answer gave (pass its next_page_token as it is)");
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return invalid;
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 2));
  int64_t days = 0;
  if (parts.size() != 3 || (parts[0] != "0" && parts[0] != "1") ||
      !absl::SimpleAtoi(parts[1], &days) || parts[2].empty()) {
    return invalid;
  }
  SuspensePlace place{parts[0] == "1", core::Date::FromDaysSinceEpoch(days), parts[2]};
  if (place.include_cleared != include_cleared) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: a page of the list with include_cleared ",
                     place.include_cleared ? "true" : "false", "; ask for the next with the same"));
  }
  return place;
}

}  // namespace

grpc::Status LedgerService::ListSuspense(grpc::ServerContext* context,
                                         const v1::ListSuspenseRequest* request,
                                         v1::ListSuspenseResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  if (request->page_size() < 0 || request->page_size() > kMaxSuspensePage) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("page_size: 0 (for ", kDefaultSuspensePage, ") to ",
                                     kMaxSuspensePage, "; got ", request->page_size()));
  }
  const size_t page_size =
      static_cast<size_t>(request->page_size() == 0 ? kDefaultSuspensePage : request->page_size());
  std::optional<SuspensePlace> after;
  if (!request->page_token().empty()) {
    auto place = ParseSuspensePageToken(request->page_token(), request->include_cleared());
    if (!place.ok()) return ToGrpc(place.status());
    after = *std::move(place);
  }
  // Another replica's tenancy: its answer (docs/operations.md, "Queries and replicas").
  if (auto forwarded =
          runtime::ForwardQuery(host_, *context, kSuspenseStream,
                                &v1::LedgerService::Stub::ListSuspense, *request, response)) {
    return *forwarded;
  }
  // The held payments only: not the stream's movements, which grow with every hold and release.
  runtime::SideRecords side;
  auto stored =
      host_.LoadStream(kSuspenseStream, &side, runtime::SideWanted{false, SuspendedKey("")});
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
  using Listed = std::pair<const std::string*, const TenancyLedger::Suspended*>;
  const auto place = [](const Listed& l) { return std::tie(l.second->received_date, *l.first); };
  std::vector<Listed> listed;
  uint32_t listed_total = 0;
  for (const auto& [id, held] : suspense->suspended) {
    const bool cleared = held.reversed || !held.released_to.empty();
    if (!cleared) {
      auto sum = held_total.CheckedAdd(held.amount);
      if (!sum.ok()) return ToGrpc(absl::DataLossError("suspense total overflows"));
      held_total = *sum;
    }
    if (cleared && !request->include_cleared()) continue;
    ++listed_total;
    const Listed l{&id, &held};
    if (after.has_value() && place(l) <= std::tie(after->received_date, after->posting_id)) {
      continue;  // on an earlier page
    }
    listed.push_back(l);
  }
  // The page, and whether anything comes after it.
  const bool more = listed.size() > page_size;
  const size_t shown = std::min(listed.size(), page_size);
  std::partial_sort(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(shown),
                    listed.end(),
                    [&](const Listed& a, const Listed& b) { return place(a) < place(b); });
  listed.resize(shown);
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
  if (more) {
    response->set_next_page_token(SuspensePageToken(
        {request->include_cleared(), listed.back().second->received_date, *listed.back().first}));
  }
  *response->mutable_held_total() = ToProto(held_total);
  response->set_sequence((*stored)->sequence());
  response->set_listed_total(listed_total);
  return grpc::Status::OK;
}

grpc::Status LedgerService::GetBalance(grpc::ServerContext* context,
                                       const v1::GetBalanceRequest* request,
                                       v1::GetBalanceResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  // Another replica's tenancy: its answer (docs/operations.md, "Queries and replicas").
  if (auto forwarded =
          runtime::ForwardQuery(host_, *context, request->tenancy_ref(),
                                &v1::LedgerService::Stub::GetBalance, *request, response)) {
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
