#include "services/escalation/app/case_queries.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rentstream::escalation::app {
namespace {

v1::WorklistItem Item(const std::string& tenancy, int64_t priority) {
  v1::WorklistItem item;
  item.set_tenancy_ref(tenancy);
  item.set_priority(priority);
  return item;
}

v1::ListWorklistResponse Part(std::vector<v1::WorklistItem> items, bool more) {
  v1::ListWorklistResponse part;
  for (v1::WorklistItem& item : items) *part.add_items() = std::move(item);
  if (more) part.set_next_page_token("elsewhere");
  return part;
}

std::vector<std::string> Refs(const v1::ListWorklistResponse& page) {
  std::vector<std::string> out;
  for (const v1::WorklistItem& item : page.items()) out.push_back(item.tenancy_ref());
  return out;
}

// Two replicas' pages of one request make the page one replica with every case would make:
// priority first, then the reference; a page's worth; the token after its last item.
TEST(WorklistMergeTest, PartsFromReplicasMakeThePageOneInstanceWouldMake) {
  v1::ListWorklistRequest request;
  request.set_page_size(3);
  auto page = WorklistBuilder::For(request, core::Date::FromDaysSinceEpoch(20000));
  ASSERT_TRUE(page.ok());
  page->Merge(Part({Item("HA-1", 90), Item("HA-4", 50), Item("HA-7", 10)}, /*more=*/true));
  page->Merge(Part({Item("HA-2", 90), Item("HA-3", 70)}, /*more=*/false));
  v1::ListWorklistResponse first = page->Page();
  EXPECT_EQ(Refs(first), (std::vector<std::string>{"HA-1", "HA-2", "HA-3"}));
  EXPECT_EQ(first.next_page_token(), "70|HA-3");

  // The next page, asked with that token: each part starts after it.
  request.set_page_token(first.next_page_token());
  auto next = WorklistBuilder::For(request, core::Date::FromDaysSinceEpoch(20000));
  ASSERT_TRUE(next.ok());
  next->Merge(Part({Item("HA-4", 50), Item("HA-7", 10), Item("HA-9", 5)}, /*more=*/false));
  next->Merge(Part({Item("HA-3", 70)}, /*more=*/false));  // at the cursor: not again
  v1::ListWorklistResponse second = next->Page();
  EXPECT_EQ(Refs(second), (std::vector<std::string>{"HA-4", "HA-7", "HA-9"}));
  EXPECT_EQ(second.next_page_token(), "");  // nothing after
}

// A part with more than its page says so: the merged page has a next page even when the parts'
// items just fill it.
TEST(WorklistMergeTest, APartWithMoreThanItsPageMeansANextPage) {
  v1::ListWorklistRequest request;
  request.set_page_size(3);
  auto page = WorklistBuilder::For(request, core::Date::FromDaysSinceEpoch(20000));
  ASSERT_TRUE(page.ok());
  page->Merge(Part({Item("HA-1", 90), Item("HA-2", 80), Item("HA-3", 70)}, /*more=*/true));
  page->Merge(Part({}, /*more=*/false));
  v1::ListWorklistResponse first = page->Page();
  EXPECT_EQ(Refs(first), (std::vector<std::string>{"HA-1", "HA-2", "HA-3"}));
  EXPECT_EQ(first.next_page_token(), "70|HA-3");
}

}  // namespace
}  // namespace rentstream::escalation::app
