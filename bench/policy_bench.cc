// policy_bench: escalation policy evaluations per second on one core. Prints
// `bench: <name> <value> <unit>` lines (docs/performance.md):
//   policy_eval_hackney_cases_per_s          full decisions (rule, action, rendered inputs)
//   policy_firing_rule_hackney_cases_per_s   the allocation-free hot path (rule index only)
//   policy_eval_england_default_cases_per_s  full decisions, england-default v2
//   policy_load_hackney_us                   loading + compiling the Hackney policy
// The cases are a fixed pseudo-random mix of arrears, contacts, notices, court states and
// arrangements, so every rule's path is exercised.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "bench/bench_report.h"
#include "services/escalation/policy/loader.h"

namespace rentstream::bench {
namespace {

using namespace escalation::policy;  // NOLINT: bench

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Policy LoadLast(const std::string& file) {
  auto p = LoadPolicies(ReadFile(std::string(RS_POLICY_DIR) + "/" + file), file);
  if (!p.ok()) {
    std::fprintf(stderr, "%s\n", p.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(p->back());
}

std::vector<CaseFacts> MakeCases(int n, TenancyType type) {
  std::mt19937 rng(42);
  auto pick = [&](int k) { return static_cast<int>(rng() % k); };
  core::Date today = *core::Date::Parse("2026-06-15");
  std::vector<CaseFacts> cases;
  for (int i = 0; i < n; ++i) {
    CaseFacts f;
    f.today = today;
    f.tenancy_type = type;
    f.weekly_rent = core::Money::FromPence(9000 + pick(6000));
    int64_t owed = pick(4) == 0 ? pick(1500) : pick(150000);
    f.balance = f.tenant_owed_arrears = f.collectable_arrears = core::Money::FromPence(owed);
    f.payments_this_week = core::Money::FromPence(pick(3) == 0 ? pick(10000) : 0);
    if (pick(5) != 0) f.last_payment_date = today.AddDays(-pick(60));
    static constexpr ContactKind kKinds[] = {
        ContactKind::kSmsFirst,  ContactKind::kLetterOne,         ContactKind::kLetterTwo,
        ContactKind::kPhoneCall, ContactKind::kCourtBreachLetter, ContactKind::kPreActionLetter};
    for (int c = pick(6); c > 0; --c) {
      f.contacts.push_back({kKinds[pick(6)], Channel::kLetter, today.AddDays(-pick(200)), false});
    }
    if (pick(4) == 0) f.notice = {NoticeKind::kNosp, today.AddDays(-pick(700)), {}, {}};
    if (pick(6) == 0) {
      f.court.hearing_date = today.AddDays(-pick(400) + 30);
      f.court.outcome = static_cast<CourtOutcome>(pick(9));
    }
    if (pick(5) == 0) {
      f.arrangement = {static_cast<ArrangementKind>(1 + pick(2)),
                       static_cast<ArrangementStatus>(1 + pick(4)), today.AddDays(-pick(300))};
    }
    if (pick(20) == 0) f.pauses[pick(kPauseReasonCount)] = {true, today.AddDays(pick(30) - 10)};
    cases.push_back(std::move(f));
  }
  return cases;
}

// Runs `body` over the cases for about a second; returns cases per second.
template <typename Body>
double Rate(const std::vector<CaseFacts>& cases, Body body) {
  int64_t done = 0;
  auto start = Clock::now();
  double seconds = 0;
  while (seconds < 1.0) {
    for (const CaseFacts& f : cases) body(f);
    done += static_cast<int64_t>(cases.size());
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return static_cast<double>(done) / seconds;
}

int Main() {
  std::string hackney_text = ReadFile(std::string(RS_POLICY_DIR) + "/examples/hackney-2020.yaml");
  auto load_start = Clock::now();
  constexpr int kLoads = 200;
  for (int i = 0; i < kLoads; ++i) {
    if (!LoadPolicy(hackney_text, "hackney-2020.yaml").ok()) return 1;
  }
  double load_us =
      std::chrono::duration<double, std::micro>(Clock::now() - load_start).count() / kLoads;

  Policy hackney = LoadLast("examples/hackney-2020.yaml");
  Policy england = LoadLast("england-default.yaml");
  std::vector<CaseFacts> secure = MakeCases(4096, TenancyType::kSecure);
  std::vector<CaseFacts> assured = MakeCases(4096, TenancyType::kAssured);
  int64_t fired = 0;  // keeps the work observable
  double full =
      Rate(secure, [&](const CaseFacts& f) { fired += !Evaluate(hackney, f)->rule_id.empty(); });
  double fast = Rate(secure, [&](const CaseFacts& f) { fired += *FiringRule(hackney, f) >= 0; });
  double england_rate =
      Rate(assured, [&](const CaseFacts& f) { fired += !Evaluate(england, f)->rule_id.empty(); });
  Report("policy_eval_hackney_cases_per_s", full, "cases/s");
  Report("policy_firing_rule_hackney_cases_per_s", fast, "cases/s");
  Report("policy_eval_england_default_cases_per_s", england_rate, "cases/s");
  Report("policy_load_hackney_us", load_us, "us");
  if (fired < 0) std::printf("unreachable\n");
  return 0;
}

}  // namespace
}  // namespace rentstream::bench

int main() { return rentstream::bench::Main(); }
