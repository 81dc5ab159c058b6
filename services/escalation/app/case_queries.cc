#include "services/escalation/app/case_queries.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace rentstream::escalation::app {
namespace {

constexpr int kMaxPageSize = 500;

double WeeksOfRent(const CasePosition& p) {
  if (p.weekly_gross_rent.pence() <= 0) return 0;
  return static_cast<double>(p.tenant_owed.pence()) / p.weekly_gross_rent.pence();
}

int ActionWeight(v1::ActionKind kind) {
  switch (kind) {
    case v1::ACTION_KIND_RECOMMEND_WARRANT:
      return 7;
    case v1::ACTION_KIND_RECOMMEND_COURT_CLAIM:
      return 6;
    case v1::ACTION_KIND_RECOMMEND_NOTICE:
      return 5;
    case v1::ACTION_KIND_CHECK_DATA:
      return 4;
    case v1::ACTION_KIND_OFFICER_TASK:
      return 3;
    case v1::ACTION_KIND_PROPOSE_REFERRAL:
      return 2;
    case v1::ACTION_KIND_SEND:
      return 1;
    default:
      return 0;
  }
}

// Worklist order: priority descending, then tenancy reference ascending.
bool Before(const v1::WorklistItem& a, const v1::WorklistItem& b) {
  if (a.priority() != b.priority()) return a.priority() > b.priority();
  return a.tenancy_ref() < b.tenancy_ref();
}

}  // namespace

const v1::ActionDecision* PendingDecision(const CaseState& s) {
  if (!s.open() || s.decisions().empty()) return nullptr;
  const v1::ActionDecision& last = s.decisions(s.decisions_size() - 1);
  if (last.action().kind() == v1::ACTION_KIND_NO_ACTION ||
      last.action().kind() == v1::ACTION_KIND_UNSPECIFIED) {
    return nullptr;
  }
  return &last;
}

int64_t WorklistPriority(const v1::ActionDecision& d, const CaseState& s, core::Date today) {
  const double weeks = std::min(WeeksOfRent(PositionOn(s, today)), 999.0);
  return ActionWeight(d.action().kind()) * 1'000'000LL + static_cast<int64_t>(weeks * 1000);
}

v1::CaseView CaseViewOf(const std::string& tenancy_ref, const CaseState& s, uint64_t sequence,
                        core::Date today, std::optional<core::Date> next_review) {
  v1::CaseView v;
  v.set_tenancy_ref(tenancy_ref);
  v.set_stage(StageOf(s));
  v.set_open(s.open());
  v.set_patch(s.patch());
  v.set_tenancy_type(s.tenancy_type());
  v.set_jurisdiction(s.jurisdiction());
  const CasePosition p = PositionOn(s, today);
  v.mutable_balance()->set_pence(p.balance.pence());
  v.mutable_tenant_owed()->set_pence(p.tenant_owed.pence());
  v.mutable_benefit_expected()->set_pence(p.benefit_expected.pence());
  v.mutable_weekly_gross_rent()->set_pence(p.weekly_gross_rent.pence());
  v.set_weeks_of_rent(WeeksOfRent(p));
  *v.mutable_last_payment_date() = s.last_payment_date();
  *v.mutable_arrangement() = s.arrangement();
  for (const v1::Pause& pause : s.pauses()) {
    auto from = DateOf(pause.from());
    auto until = DateOf(pause.until());
    if (from && *from <= today && (!until || today <= *until)) *v.add_active_pauses() = pause;
  }
  for (int i = s.contacts_size() - 1; i >= 0 && v.recent_contacts_size() < 10; --i) {
    *v.add_recent_contacts() = s.contacts(i);
  }
  *v.mutable_notice() = s.notice();
  *v.mutable_court() = s.court();
  for (int i = s.decisions_size() - 1; i >= 0; --i) *v.add_recent_decisions() = s.decisions(i);
  if (next_review) *v.mutable_next_review() = ProtoDateOf(*next_review);
  v.set_sequence(sequence);
  return v;
}

absl::StatusOr<WorklistBuilder> WorklistBuilder::For(const v1::ListWorklistRequest& request,
                                                     core::Date today) {
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be 0..", kMaxPageSize));
  }
  WorklistBuilder b(request, today);
  if (!request.page_token().empty()) {
    std::vector<std::string> parts = absl::StrSplit(request.page_token(), absl::MaxSplits('|', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &b.cursor_priority_) || parts[1].empty()) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
    b.has_cursor_ = true;
    b.cursor_ref_ = parts[1];
  }
  return b;
}

WorklistBuilder::WorklistBuilder(const v1::ListWorklistRequest& request, core::Date today)
    : request_(request), today_(today) {
  if (request.page_size() > 0) page_size_ = request.page_size();
}

void WorklistBuilder::Offer(const std::string& tenancy_ref, const CaseState& s) {
  const v1::ActionDecision* d = PendingDecision(s);
  if (d == nullptr) return;
  if (!request_.patch().empty() && s.patch() != request_.patch()) return;
  if (!request_.officer_id().empty() && s.last_officer_id() != request_.officer_id()) return;
  if (request_.action() != v1::ACTION_KIND_UNSPECIFIED && d->action().kind() != request_.action()) {
    return;
  }
  v1::WorklistItem item;
  item.set_tenancy_ref(tenancy_ref);
  item.set_patch(s.patch());
  item.set_stage(StageOf(s));
  *item.mutable_decision() = *d;
  const CasePosition p = PositionOn(s, today_);
  item.mutable_tenant_owed()->set_pence(p.tenant_owed.pence());
  item.set_weeks_of_rent(WeeksOfRent(p));
  item.set_priority(WorklistPriority(*d, s, today_));
  Keep(std::move(item));
}

void WorklistBuilder::Merge(const v1::ListWorklistResponse& part) {
  for (const v1::WorklistItem& item : part.items()) Keep(item);
  // Its items beyond its page come after its last, so after this page's last too (this page
  // holds its whole page, or better items): the next page has them.
  if (!part.next_page_token().empty()) more_elsewhere_ = true;
}

void WorklistBuilder::Keep(v1::WorklistItem item) {
  if (has_cursor_) {
    v1::WorklistItem cursor;
    cursor.set_priority(cursor_priority_);
    cursor.set_tenancy_ref(cursor_ref_);
    if (!Before(cursor, item)) return;
  }
  // Keep only the best page_size + 1 (one more tells whether there is a next page).
  auto at = std::lower_bound(items_.begin(), items_.end(), item, Before);
  if (items_.size() > static_cast<size_t>(page_size_) && at == items_.end()) return;
  items_.insert(at, std::move(item));
  if (items_.size() > static_cast<size_t>(page_size_) + 1) items_.pop_back();
}

v1::ListWorklistResponse WorklistBuilder::Page() {
  v1::ListWorklistResponse out;
  const bool more = items_.size() > static_cast<size_t>(page_size_) || more_elsewhere_;
  if (items_.size() > static_cast<size_t>(page_size_)) items_.resize(page_size_);
  for (v1::WorklistItem& item : items_) *out.add_items() = std::move(item);
  if (more && out.items_size() > 0) {
    const v1::WorklistItem& last = out.items(out.items_size() - 1);
    out.set_next_page_token(absl::StrCat(last.priority(), "|", last.tenancy_ref()));
  }
  return out;
}

}  // namespace rentstream::escalation::app
