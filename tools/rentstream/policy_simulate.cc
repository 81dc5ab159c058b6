#include "tools/rentstream/policy_simulate.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/escalation/app/policy_files.h"
#include "services/escalation/app/policy_simulation.h"
#include "tools/rentstream/demo.h"

namespace rentstream::cli {
namespace {

namespace app = escalation::app;
using core::Date;

bool ParseDay(const std::string& text, const char* flag, Date* out) {
  absl::StatusOr<Date> d = Date::Parse(text);
  if (!d.ok()) {
    std::fprintf(stderr, "%s: not a date \"%s\" (YYYY-MM-DD)\n", flag, text.c_str());
    return false;
  }
  *out = *d;
  return true;
}

// The window's flags checked here so the message names the flag to fix.
bool ParseWindow(const PolicySimulateOptions& o, app::SimulationOptions* out) {
  if (!ParseDay(o.from, "--from", &out->from) || !ParseDay(o.to, "--to", &out->to)) return false;
  if (out->from > out->to) {
    std::fprintf(stderr, "--to: %s is before --from %s\n", o.to.c_str(), o.from.c_str());
    return false;
  }
  if (out->to >= out->from.AddMonths(app::kMaxSimulationMonths)) {
    std::fprintf(stderr, "--to: %s is too late: simulate at most %d years (--to before %s)\n",
                 o.to.c_str(), app::kMaxSimulationMonths / 12,
                 out->from.AddMonths(app::kMaxSimulationMonths).ToIso().c_str());
    return false;
  }
  out->tenancy = o.tenancy;
  out->max_differences = static_cast<size_t>(o.max_differences);
  return true;
}

// Every event of a service's topic. A LocalBus directory must exist: opening one creates it, and
// a mistyped path would otherwise read as "no history".
absl::StatusOr<std::vector<common::v1::Event>> ReadTopic(const std::string& bus_kind,
                                                         const std::string& location,
                                                         const std::string& service) {
  if (bus_kind == "local" && !std::filesystem::is_directory(location)) {
    return absl::NotFoundError(absl::StrCat(location, ": no LocalBus log directory"));
  }
  auto bus = OpenCliBus(bus_kind, location);
  if (!bus.ok()) return bus.status();
  return ReadEvents(**bus, service);
}

std::string KindText(escalation::v1::ActionKind kind) {
  std::string name = escalation::v1::ActionKind_Name(kind);
  constexpr std::string_view kPrefix = "ACTION_KIND_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

std::string ActionText(const std::optional<app::DecisionSummary>& d) {
  if (!d) return "-";
  std::string text =
      absl::StrCat(d->rule_id.empty() ? "(no rule)" : d->rule_id, " [", KindText(d->kind));
  if (!d->template_id.empty()) absl::StrAppend(&text, " ", d->template_id);
  return absl::StrCat(text, "]");
}

nlohmann::json DecisionJson(const std::optional<app::DecisionSummary>& d) {
  if (!d) return nullptr;
  return {{"day", d->day.ToIso()},       {"rule_id", d->rule_id},
          {"action", KindText(d->kind)}, {"template", d->template_id},
          {"policy_id", d->policy_id},   {"policy_version", d->policy_version}};
}

nlohmann::json TallyJson(const app::DecisionTally& t) {
  return {{"recorded", t.recorded},
          {"simulated", t.simulated},
          {"same", t.same},
          {"different", t.different},
          {"only_recorded", t.only_recorded},
          {"only_simulated", t.only_simulated}};
}

std::string PolicyNames(const escalation::policy::PolicySet& set) {
  std::vector<std::string> names;
  for (const escalation::policy::Policy* p : set.All()) {
    names.push_back(absl::StrCat(p->header.id, " v", p->header.version, " from ",
                                 p->header.effective_from.ToIso()));
  }
  return absl::StrJoin(names, ", ");
}

void PrintJson(const app::SimulationReport& r, const std::string& policies) {
  nlohmann::json out = {
      {"from", r.from.ToIso()},      {"to", r.to.ToIso()},
      {"policies", policies},        {"tenancies_replayed", r.tenancies_replayed},
      {"total", TallyJson(r.total)}, {"differences_not_listed", r.differences_not_listed}};
  out["tenancies"] = nlohmann::json::array();
  for (const app::TenancySimulation& t : r.tenancies) {
    out["tenancies"].push_back({{"tenancy", t.tenancy},
                                {"ledger_derived", t.ledger_derived},
                                {"tally", TallyJson(t.tally)}});
  }
  out["differences"] = nlohmann::json::array();
  for (const app::DecisionDifference& d : r.differences) {
    out["differences"].push_back({{"tenancy", d.tenancy},
                                  {"day", d.day.ToIso()},
                                  {"recorded", DecisionJson(d.recorded)},
                                  {"simulated", DecisionJson(d.simulated)}});
  }
  std::printf("%s\n", out.dump(2).c_str());
}

void PrintTally(const char* label, const app::DecisionTally& t) {
  std::printf(
      "%-14s recorded %lld, simulated %lld: same %lld, different %lld, only recorded "
      "%lld, only simulated %lld\n",
      label, static_cast<long long>(t.recorded), static_cast<long long>(t.simulated),
      static_cast<long long>(t.same), static_cast<long long>(t.different),
      static_cast<long long>(t.only_recorded), static_cast<long long>(t.only_simulated));
}

void PrintSummary(const app::SimulationReport& r, const std::string& policies) {
  std::printf("policy %s on %s to %s: %lld tenancies replayed, %zu with decisions\n",
              policies.c_str(), r.from.ToIso().c_str(), r.to.ToIso().c_str(),
              static_cast<long long>(r.tenancies_replayed), r.tenancies.size());
  // Only the tenancies where the policies part, and not thousands of them: --json has them all.
  constexpr int kMaxTenancyLines = 100;
  int differing = 0;
  for (const app::TenancySimulation& t : r.tenancies) {
    if (t.tally.same == t.tally.recorded && t.tally.same == t.tally.simulated) continue;
    if (++differing <= kMaxTenancyLines) PrintTally(t.tenancy.c_str(), t.tally);
  }
  if (differing > kMaxTenancyLines) {
    std::printf("... and %d more tenancies with differences\n", differing - kMaxTenancyLines);
  }
  PrintTally("total", r.total);
  if (!r.differences.empty()) std::printf("\ndifferences (tenancy, day: recorded -> simulated)\n");
  for (const app::DecisionDifference& d : r.differences) {
    std::printf("  %s %s: %s -> %s\n", d.tenancy.c_str(), d.day.ToIso().c_str(),
                ActionText(d.recorded).c_str(), ActionText(d.simulated).c_str());
  }
  if (r.differences_not_listed > 0) {
    std::printf("  ... and %lld more (raise --max-differences or use --json)\n",
                static_cast<long long>(r.differences_not_listed));
  }
}

}  // namespace

int RunPolicySimulate(const PolicySimulateOptions& o) {
  app::SimulationOptions window;
  if (!ParseWindow(o, &window)) return 2;
  auto policies = app::LoadPolicyFile(o.policy_file);
  if (!policies.ok()) {
    std::fprintf(stderr, "%s\n", std::string(policies.status().message()).c_str());
    return 2;
  }
  const std::string ledger_at = o.ledger_at.empty() ? o.at : o.ledger_at;
  std::vector<common::v1::Event> ledger, escalation;
  {
    // One LocalBus is held open by one process at a time: read one topic, close, read the next.
    auto read = ReadTopic(o.bus, ledger_at, "ledger");
    if (!read.ok()) return std::fprintf(stderr, "%s\n", read.status().ToString().c_str()), 2;
    ledger = std::move(*read);
    read = ReadTopic(o.bus, o.at, "escalation");
    if (!read.ok()) return std::fprintf(stderr, "%s\n", read.status().ToString().c_str()), 2;
    escalation = std::move(*read);
  }
  auto report = app::SimulatePolicy(ledger, escalation, **policies, window);
  if (!report.ok()) {
    std::fprintf(stderr, "simulate: %s\n", report.status().ToString().c_str());
    return 1;
  }
  const std::string names = PolicyNames(**policies);
  if (o.json) {
    PrintJson(*report, names);
  } else {
    std::printf("read %zu ledger events and %zu escalation events\n", ledger.size(),
                escalation.size());
    PrintSummary(*report, names);
  }
  return 0;
}

}  // namespace rentstream::cli
