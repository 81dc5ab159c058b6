// escalation_bench: the escalation service on the exactly-once runtime, and its case review on one
// core without the bus (per second of the thread's CPU time). Prints `bench: <name> <value> <unit>`
// lines (docs/performance.md):
//   escalation_review_cases_per_s        CaseReviewer::Review on in-memory cases, one core (the
//                                        full path: facts, pause book, arrangement, policy)
//   escalation_facts_of_cases_per_s      FactsOf alone
//   escalation_policy_eval_cases_per_s   policy Select + Evaluate on the same facts (baseline)
//   escalation_review_ratio              review rate / policy evaluation rate
//   escalation_next_review_cases_per_s   NextReview (the host asks it after every decision)
//   escalation_seed_ledger_events_per_s_<bus>   ledger events consumed while opening N cases
//   escalation_seed_events_out_per_s_<bus>      escalation events produced meanwhile
//   escalation_tick_due_cases_per_s_<bus>       one business-day tick over N cases, 5% due
//   escalation_tick_seconds_<bus>, escalation_tick_reviewed_<bus>
// --cases N (default 100000; issue 5 states its figure for 1,000,000), --only kafka|local|review
// (review: the one-core figures alone, for profiling), --cache-streams N (the processor's stream
// cache; default the runtime's 200,000).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>
#include <thread>

#include "bench/bench_report.h"
#include "libs/eventlog/kafka_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/runtime/clock.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/processor_metrics.h"
#include "libs/runtime/topics.h"
#include "libs/testing/kafka_broker.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/escalation/app/escalation_logic.h"
#include "services/escalation/app/policy_files.h"
#include "services/escalation/policy/case_facts.h"
#include "services/ledger/app/ledger_codec.h"

namespace rentstream::bench {
namespace {

namespace lv1 = ::rentstream::ledger::v1;
namespace ev1 = ::rentstream::escalation::v1;
namespace pol = ::rentstream::escalation::policy;
using escalation::CaseReviewer;
using escalation::CaseState;

constexpr int kPartitions = 4;
// A Monday under england-default v2. Cases opened 28 days before it are due on it (the
// four-week backstop of NextReview); the rest opened 7, 14 or 21 days before it are not.
constexpr core::Date kTickDay = core::Date::FromDaysSinceEpoch(20619);  // 2026-06-15
constexpr int kDueOneIn = 20;                                           // 5%

std::string Tenancy(int i) { return "HA-" + std::to_string(100000 + i); }

// ---------------------------------------------------------------------------------------------
// Seeding: the ledger's public events for case i, sealed as the ledger seals them.

// Case i's account starts `weeks_back` weeks before its first charge run, which posts every
// period up to the run's Monday at once; so it owes `weeks_back` weeks after this week's grace.
struct SeedCase {
  core::Date run_day;  // the charge run (business date of every event): the case opens then
  int weeks_back;
  int64_t rent_pence;
  bool half_benefit;  // Housing Benefit covers half of each charge (still owed: the other half)
};

SeedCase SeedOf(int i) {
  const bool due = i % kDueOneIn == 0;
  return {kTickDay.AddDays(due ? -28 : -7 * (1 + i % 3)), 1 + (i / kDueOneIn) % 3,
          8000 + (static_cast<int64_t>(i) * 7919) % 8001, i % 10 == 3};
}

runtime::Causation LedgerCause(core::Date day, const std::string& command_id) {
  runtime::Causation c;
  c.occurred_at = runtime::TimestampFromMicros((day.days_since_epoch() * 86400 + 6 * 3600) *
                                               int64_t{1000000});  // 07:00 in London (BST)
  c.actor.set_id("ledger");
  c.actor.set_role(common::v1::ACTOR_ROLE_SERVICE);
  c.command_id = command_id;
  c.causation_id = command_id;
  c.correlation_id = command_id;
  return c;
}

lv1::ChargePosted Charge(const std::string& tenancy, core::Date week, const SeedCase& s) {
  lv1::ChargePosted c;
  c.set_account_kind(lv1::ACCOUNT_KIND_RENT);
  *c.mutable_period_start() = escalation::ProtoDateOf(week);
  *c.mutable_period_end() = escalation::ProtoDateOf(week.AddDays(6));
  lv1::ChargeLine* line = c.add_lines();
  line->set_kind(lv1::CHARGE_KIND_NET_RENT);
  line->set_code("RNT");
  line->mutable_amount()->set_pence(s.rent_pence);
  lv1::Posting* p = c.mutable_posting();
  p->set_posting_id("charge:" + tenancy + ":rent:" + week.ToIso());
  *p->mutable_value_date() = escalation::ProtoDateOf(week);
  lv1::JournalLine* debit = p->add_lines();
  debit->mutable_account()->mutable_tenant()->set_tenancy_ref(tenancy);
  debit->mutable_account()->mutable_tenant()->set_kind(lv1::ACCOUNT_KIND_RENT);
  debit->mutable_amount()->set_pence(s.rent_pence);
  lv1::JournalLine* credit = p->add_lines();
  credit->mutable_account()->set_control(lv1::CONTROL_ACCOUNT_RENT_INCOME);
  credit->mutable_amount()->set_pence(-s.rent_pence);
  c.mutable_weekly_gross_rent()->set_pence(s.rent_pence);
  if (s.half_benefit) {
    c.mutable_benefit_covered()->set_pence(s.rent_pence / 2);
  }
  return c;
}

// AccountOpened, then the charge run's ChargePosted for each week, hash-chained per tenancy.
void AppendLedgerEvents(int i, core::UuidV7Generator& ids,
                        std::vector<eventlog::OutgoingRecord>& out) {
  const std::string tenancy = Tenancy(i);
  const SeedCase s = SeedOf(i);
  const core::Date start = s.run_day.AddDays(-7 * s.weeks_back);
  std::vector<runtime::NewEvent> events;
  lv1::AccountOpened open;
  open.set_tenancy_ref(tenancy);
  open.set_tenancy_type(i % 4 == 1 ? lv1::TENANCY_TYPE_ASSURED : lv1::TENANCY_TYPE_SECURE);
  open.set_jurisdiction(lv1::JURISDICTION_ENGLAND);
  open.set_patch("PATCH-" + std::to_string(i % 12));
  open.add_tenant_ids("person-" + std::to_string(i));
  *open.mutable_start_date() = escalation::ProtoDateOf(start);
  open.mutable_schedule()->set_frequency(lv1::FREQUENCY_WEEKLY);
  *open.mutable_schedule()->mutable_anchor() = escalation::ProtoDateOf(start);
  lv1::RentRate* rate = open.mutable_schedule()->add_rates();
  *rate->mutable_effective_from() = escalation::ProtoDateOf(start);
  lv1::ChargeLine* line = rate->add_lines();
  line->set_kind(lv1::CHARGE_KIND_NET_RENT);
  line->set_code("RNT");
  line->mutable_amount()->set_pence(s.rent_pence);
  events.push_back(runtime::NewEvent::Of(open));
  for (int w = 0; w <= s.weeks_back; ++w) {
    events.push_back(runtime::NewEvent::Of(Charge(tenancy, start.AddDays(7 * w), s)));
  }
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  uint64_t sequence = 0;
  std::string last_hash;
  const std::string topic = runtime::ServiceTopics::For("ledger").events;
  for (size_t k = 0; k < events.size(); ++k) {
    const runtime::Causation cause =
        LedgerCause(s.run_day, k == 0 ? "open-" + std::to_string(i)
                                      : runtime::TickCommandId("ledger", s.run_day));
    common::v1::Event e =
        runtime::SealEvent("ledger", tenancy, sequence, last_hash, events[k], cause, now_us, ids);
    sequence = e.envelope().sequence();
    last_hash = e.envelope().hash();
    eventlog::OutgoingRecord r;
    r.topic = topic;
    r.key = tenancy;
    r.headers = {{"rs-event-type", e.envelope().event_type()},
                 {"rs-sequence", std::to_string(sequence)}};
    r.value = e.SerializeAsString();
    out.push_back(std::move(r));
  }
}

uint64_t AppendSeed(eventlog::EventBus& bus, int n) {
  auto appender = bus.NewAppender("escalation-bench");
  Check(appender.status(), "appender");
  core::UuidV7Generator ids = core::UuidV7Generator::SystemDefault();
  std::vector<eventlog::OutgoingRecord> chunk;
  uint64_t total = 0;
  for (int i = 0; i < n; ++i) {
    AppendLedgerEvents(i, ids, chunk);
    if (chunk.size() >= 5000 || i == n - 1) {
      total += chunk.size();
      Check((*appender)->Append(chunk), "append");
      chunk.clear();
    }
  }
  return total;
}

// Streams due on `day` (next review in (0, day]), over every partition, paging the index.
uint64_t CountDue(runtime::StreamStore& store, core::Date day) {
  uint64_t due = 0;
  for (int p = 0; p < kPartitions; ++p) {
    std::optional<runtime::StreamStore::DueCursor> after;
    for (;;) {
      auto page = store.DueStreamsAfter(p, day.days_since_epoch(), 10000, after);
      Check(page.status(), "due streams");
      if (page->empty()) break;
      due += page->size();
      after = runtime::StreamStore::DueCursor{page->back().day, page->back().tenancy};
    }
  }
  return due;
}

uint64_t CountOpen(runtime::StreamStore& store) {
  uint64_t open = 0;
  Check(store.ForEachStream([&](const runtime::v1::StreamRecord& r) {
    CaseState s;
    open += s.ParseFromString(r.state()) && s.open();
    return true;
  }),
        "streams");
  return open;
}

void RunBus(eventlog::EventBus& bus, const std::string& name, const std::string& state_dir, int n,
            const CaseReviewer& reviewer, size_t cache_streams) {
  using escalation::app::EscalationLogic;
  Check(bus.DeclareTopics(runtime::TopicsToDeclare("ledger", {}, kPartitions, 1)), "ledger topics");
  Check(bus.DeclareTopics(runtime::TopicsToDeclare(
            EscalationLogic::kService, {EscalationLogic::kLedgerEvents}, kPartitions, 1)),
        "escalation topics");
  const auto append_start = Clock::now();
  const uint64_t inputs = AppendSeed(bus, n);
  std::printf("seeded %llu ledger events for %d cases in %.1f s (untimed)\n",
              static_cast<unsigned long long>(inputs), n, Seconds(append_start));

  auto store = runtime::StreamStore::Open(state_dir);
  Check(store.status(), "store");
  EscalationLogic logic(reviewer);
  runtime::MetricsRegistry registry;
  runtime::ProcessorMetrics metrics(registry, EscalationLogic::kService);
  runtime::ProcessorOptions options;
  options.service = EscalationLogic::kService;
  options.subscriptions = {EscalationLogic::kLedgerEvents};
  options.static_membership = false;
  options.max_batch_records = 2000;
  if (cache_streams > 0) options.max_cached_streams = cache_streams;
  runtime::ProcessorHost host(bus, **store, logic, options, &metrics);
  runtime::Counter& out = registry.GetCounter(
      "rentstream_records_out_total", "Records produced in committed transactions",
      {{"service", EscalationLogic::kService},
       {"topic", runtime::ServiceTopics::For(EscalationLogic::kService).events}});
  std::atomic<bool> stop{false};
  const auto seed_start = Clock::now();
  std::thread runner([&] { Check(host.Run(stop), "run"); });
  while (host.committed_inputs() < inputs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // progress poll, not sync
  }
  const double seed_seconds = Seconds(seed_start);
  const double seeded_out = out.value();
  Report("escalation_seed_ledger_events_per_s_" + name, inputs / seed_seconds, "events/s");
  Report("escalation_seed_events_out_per_s_" + name, seeded_out / seed_seconds, "events/s");
  const uint64_t open = CountOpen(**store);
  const uint64_t due = CountDue(**store, kTickDay);
  const uint64_t due_before = CountDue(**store, kTickDay.AddDays(-1));
  std::printf("cases open %llu of %d; due on %s: %llu (%.2f%%); due before it: %llu\n",
              static_cast<unsigned long long>(open), n, kTickDay.ToIso().c_str(),
              static_cast<unsigned long long>(due), 100.0 * due / n,
              static_cast<unsigned long long>(due_before));
  std::fflush(stdout);

  // The tick: reviewed page by page (continuations on the command topic); done when no case is
  // due on the day any more.
  const auto tick_start = Clock::now();
  Check(runtime::OpenBusinessDay(bus, EscalationLogic::kService, kTickDay), "tick");
  for (bool pending = true; pending;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // progress poll, not sync
    pending = false;
    for (int p = 0; p < kPartitions && !pending; ++p) {
      auto left = (*store)->DueStreams(p, kTickDay.days_since_epoch(), 1);
      pending = !left.ok() || !left->empty();
    }
    if (Seconds(tick_start) > 1800) {
      std::fprintf(stderr, "tick: cases still due after 30 minutes\n");
      std::exit(1);
    }
  }
  const double tick_seconds = Seconds(tick_start);
  Report("escalation_tick_due_cases_per_s_" + name, due / tick_seconds, "cases/s");
  Report("escalation_tick_seconds_" + name, tick_seconds, "s");
  Report("escalation_tick_reviewed_" + name, static_cast<double>(due), "cases");
  std::printf("tick produced %.0f escalation events\n", out.value() - seeded_out);
  stop = true;
  runner.join();
}

// ---------------------------------------------------------------------------------------------
// The review on one core: in-memory cases with varied arrears, contacts, notices, court dates,
// arrangements and pauses, each reviewed once a week earlier so it carries a decision.

std::vector<CaseState> MakeCases(int n, const CaseReviewer& reviewer) {
  std::mt19937 rng(42);
  auto pick = [&](int k) { return static_cast<int>(rng() % k); };
  const core::Date today = kTickDay;
  static constexpr const char* kKinds[] = {"sms_first",           "letter_one",        "letter_two",
                                           "phone_call",          "pre_action_letter", "home_visit",
                                           "court_warning_letter"};
  std::vector<CaseState> cases;
  cases.reserve(n);
  for (int i = 0; i < n; ++i) {
    CaseState s;
    s.set_tenancy_known(true);
    s.set_jurisdiction(lv1::JURISDICTION_ENGLAND);
    const bool secure = pick(3) != 0;
    s.set_tenancy_type(secure ? lv1::TENANCY_TYPE_SECURE : lv1::TENANCY_TYPE_ASSURED);
    const int64_t rent = 8000 + pick(8000);
    s.set_weekly_gross_rent_pence(rent);
    s.set_balance_pence(pick(4) == 0 ? 1 + pick(rent) : rent * (1 + pick(20)) + pick(rent));
    if (pick(5) == 0) s.set_benefit_expected_pence(pick(static_cast<int>(rent * 2)));
    const bool this_week = pick(2) == 0;
    *s.mutable_rent_week_start() =
        escalation::ProtoDateOf(today.RentWeekStart().AddDays(this_week ? 0 : -7));
    s.set_charged_this_week_pence(rent);
    if (pick(3) == 0) s.set_paid_this_week_pence(pick(static_cast<int>(rent)));
    if (pick(5) != 0)
      *s.mutable_last_payment_date() = escalation::ProtoDateOf(today.AddDays(-pick(60)));
    s.set_open(true);
    *s.mutable_opened_on() = escalation::ProtoDateOf(today.AddDays(-30 - pick(300)));
    int back = 200;
    for (int c = pick(6); c > 0; --c) {
      back = pick(back + 1);
      ev1::Contact* contact = s.add_contacts();
      contact->set_kind(kKinds[pick(7)]);
      contact->set_channel(pick(2) == 0 ? ev1::CHANNEL_LETTER : ev1::CHANNEL_SMS);
      *contact->mutable_date() = escalation::ProtoDateOf(today.AddDays(-7 - back));
      contact->set_outcome(pick(10) == 0 ? ev1::CONTACT_OUTCOME_FAILED
                                         : ev1::CONTACT_OUTCOME_DELIVERED);
    }
    if (pick(4) == 0) {
      s.mutable_notice()->set_kind(secure ? ev1::NOTICE_KIND_NOSP : ev1::NOTICE_KIND_SECTION_8);
      *s.mutable_notice()->mutable_served_date() =
          escalation::ProtoDateOf(today.AddDays(-7 - pick(400)));
    }
    if (pick(8) == 0) {
      *s.mutable_court()->mutable_court_date() =
          escalation::ProtoDateOf(today.AddDays(30 - pick(300)));
    }
    if (pick(5) == 0) {
      ev1::Arrangement* a = s.mutable_arrangement();
      a->set_arrangement_id("arr-" + std::to_string(i));
      a->set_kind(ev1::ARRANGEMENT_KIND_INFORMAL);
      a->mutable_amount()->set_pence(500 + pick(2000));
      a->set_frequency(lv1::FREQUENCY_WEEKLY);
      const core::Date start = today.RentWeekStart().AddDays(-7 * (1 + pick(20)));
      *a->mutable_start_date() = escalation::ProtoDateOf(start);
      *a->mutable_agreed_date() = escalation::ProtoDateOf(start);
      a->mutable_starting_balance()->set_pence(s.balance_pence() + pick(20000));
      a->set_tolerance_days(3);
      a->set_state(ev1::ARRANGEMENT_STATE_LIVE);
    }
    if (pick(20) == 0) {
      ev1::Pause* p = s.add_pauses();
      p->set_pause_id("pause-" + std::to_string(i));
      const bool bs = pick(2) == 0;
      p->set_kind(bs ? ev1::PAUSE_KIND_BREATHING_SPACE_STANDARD : ev1::PAUSE_KIND_OFFICER);
      const core::Date from = today.AddDays(-pick(50));
      *p->mutable_from() = escalation::ProtoDateOf(from);
      *p->mutable_until() = escalation::ProtoDateOf(from.AddDays(bs ? 59 : 20));
      p->set_actor_id("officer-1");
    }
    s.set_vulnerable(pick(30) == 0);
    s.set_last_evaluated_day(today.AddDays(-7).days_since_epoch());
    // A review a week ago, so the case carries the decision in force (as a live case does).
    for (const escalation::CaseEvent& e : reviewer.Review(s, today.AddDays(-7), true)) {
      escalation::Evolve(s, e, "");
    }
    cases.push_back(std::move(s));
  }
  return cases;
}

// This thread's CPU time: the one-core figures are per CPU second, so that other work on the
// shared machine does not count against them.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Runs `body` over the cases until at least `min_cases` are done and a CPU second has passed.
template <typename Body>
double Rate(int count, int64_t min_cases, Body body) {
  int64_t done = 0;
  const double start = ThreadCpuSeconds();
  double seconds = 0;
  while (done < min_cases || seconds < 1.0) {
    for (int i = 0; i < count; ++i) body(i);
    done += count;
    seconds = ThreadCpuSeconds() - start;
  }
  return static_cast<double>(done) / seconds;
}

void RunReview(const CaseReviewer& reviewer, int n) {
  // Distinct cases, cycled: the rate is CPU work, not a cache-miss test of a million protos.
  const int count = std::min(n, 200000);
  std::vector<CaseState> cases = MakeCases(count, reviewer);
  const core::Date today = kTickDay;
  std::vector<pol::CaseFacts> facts;
  facts.reserve(count);
  for (const CaseState& s : cases) facts.push_back(escalation::FactsOf(s, today));
  int64_t observed = 0;  // keeps the work observable
  const double review = Rate(count, n, [&](int i) {
    observed += static_cast<int64_t>(reviewer.Review(cases[i], today, true).size());
  });
  const double facts_rate = Rate(count, n, [&](int i) {
    observed += static_cast<int64_t>(escalation::FactsOf(cases[i], today).contacts.size());
  });
  const double eval = Rate(count, n, [&](int i) {
    const pol::CaseFacts& f = facts[i];
    const pol::Policy* p = reviewer.policies().Select(f.jurisdiction, f.tenancy_type, f.today);
    observed += p != nullptr && !pol::Evaluate(*p, f)->rule_id.empty();
  });
  const double next = Rate(count, n, [&](int i) {
    observed += reviewer.NextReview(cases[i]).value_or(core::Date()).days_since_epoch() & 1;
  });
  std::printf("review: %d distinct cases, at least %d reviews each figure\n", count, n);
  Report("escalation_review_cases_per_s", review, "cases/cpu_s");
  Report("escalation_facts_of_cases_per_s", facts_rate, "cases/cpu_s");
  Report("escalation_policy_eval_cases_per_s", eval, "cases/cpu_s");
  Report("escalation_review_ratio", review / eval, "x_policy_eval");
  Report("escalation_next_review_cases_per_s", next, "cases/cpu_s");
  if (observed < 0) std::printf("unreachable\n");
}

int Main(int argc, char** argv) {
  int n = 100000;
  size_t cache_streams = 0;  // 0: the runtime's default
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--cases" && i + 1 < argc) n = std::atoi(argv[++i]);
    if (std::string(argv[i]) == "--only" && i + 1 < argc) only = argv[++i];
    if (std::string(argv[i]) == "--cache-streams" && i + 1 < argc) {
      cache_streams = std::strtoull(argv[++i], nullptr, 10);
    }
  }
  auto policies = escalation::app::LoadPolicyDir(RS_POLICY_DIR);
  Check(policies.status(), "policies");
  const CaseReviewer reviewer(**policies);
  RunReview(reviewer, n);
  if (only == "review") return 0;

  std::string tmpl =
      (std::filesystem::temp_directory_path() / "rs-escalation-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  const std::string dir = tmpl;
  if (only != "local") {
    auto broker = testing::KafkaBroker::Start();
    Check(broker.status(), "broker");
    eventlog::KafkaBusOptions options;
    options.bootstrap = (*broker)->bootstrap();
    auto kafka = eventlog::KafkaBus::Connect(options);
    Check(kafka.status(), "kafka");
    RunBus(**kafka, "kafka", dir + "/state-kafka", n, reviewer, cache_streams);
  }
  if (only != "kafka") {
    auto local = eventlog::LocalBus::Open(dir + "/log");
    Check(local.status(), "local");
    RunBus(**local, "local", dir + "/state-local", n, reviewer, cache_streams);
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace rentstream::bench

int main(int argc, char** argv) { return rentstream::bench::Main(argc, argv); }
