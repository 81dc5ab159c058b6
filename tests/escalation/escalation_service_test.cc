// The escalation service with the ledger running, on the real broker: ledger events open and
// close cases, the policy's recommendation comes with its rule, version and inputs, officers'
// commands change it, the worklist and stage counts see it, bad commands name the field, and a
// payment file imported into the ledger closes the case.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "libs/eventlog/kafka_bus.h"
#include "libs/runtime/service_host.h"
#include "libs/testing/free_port.h"
#include "rentstream/escalation/v1/escalation_service.grpc.pb.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/escalation/app/escalation_logic.h"
#include "services/escalation/app/escalation_service.h"
#include "services/escalation/app/policy_files.h"
#include "services/escalation/app/policy_registry.h"
#include "services/escalation/app/policy_simulation.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"
#include "tests/runtime/bus_fixture.h"
#include "tools/rentstream/demo.h"
#include "tools/rentstream/ledger_import.h"

namespace rentstream::escalation {
namespace {

namespace lv1 = ::rentstream::ledger::v1;
using rentstream::testing::KafkaEnvironment;
using rentstream::testing::WaitFor;

// One service process: its host serving gRPC on a free port, in a thread.
class RunningService {
 public:
  RunningService(const std::string& service, runtime::StreamLogic& logic,
                 runtime::HostConfig config, std::vector<std::string> inputs,
                 std::function<std::unique_ptr<grpc::Service>(runtime::ServiceHost&)> make_api)
      : logic_(logic) {
    auto host = runtime::ServiceHost::Create(service, config, logic_, std::move(inputs));
    EXPECT_TRUE(host.ok()) << host.status();
    if (!host.ok()) return;
    host_ = std::move(*host);
    api_ = make_api(*host_);
    std::promise<int> port;
    thread_ = std::thread([&] {
      status_ = host_->Serve({api_.get()}, [&](int grpc_port, int) { port.set_value(grpc_port); });
    });
    port_ = port.get_future().get();
  }
  ~RunningService() {
    if (host_) host_->RequestStop();
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(status_.ok()) << status_;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  runtime::ServiceHost& host() { return *host_; }

 private:
  runtime::StreamLogic& logic_;
  std::unique_ptr<runtime::ServiceHost> host_;
  std::unique_ptr<grpc::Service> api_;
  std::thread thread_;
  absl::Status status_;
  int port_ = 0;
};

class EscalationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The service reads its own copy of the shipped policies (the test edits it).
    std::filesystem::create_directories(dir_.Sub("policies"));
    for (const auto& entry : std::filesystem::directory_iterator(RS_POLICY_DIR)) {
      if (entry.path().extension() == ".yaml") {
        std::filesystem::copy_file(entry.path(),
                                   dir_.Sub("policies/" + entry.path().filename().string()));
      }
    }
    auto registry = app::PolicyRegistry::Open(dir_.Sub("policies"));
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = std::move(*registry);
    reviewer_ = [this] { return registry_->reviewer(); };
    escalation_logic_ = std::make_unique<app::EscalationLogic>(reviewer_);
    ledger_ = Start("ledger", ledger_logic_, {}, [](runtime::ServiceHost& h) {
      return std::unique_ptr<grpc::Service>(new ledger::app::LedgerService(h));
    });
    escalation_ = Start("escalation", *escalation_logic_, {app::EscalationLogic::kLedgerEvents},
                        [this](runtime::ServiceHost& h) {
                          return std::unique_ptr<grpc::Service>(
                              new app::EscalationService(h, reviewer_, registry_.get()));
                        });
    ledger_stub_ = lv1::LedgerService::NewStub(
        grpc::CreateChannel(ledger_->address(), grpc::InsecureChannelCredentials()));
    stub_ = v1::EscalationService::NewStub(
        grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    escalation_.reset();
    ledger_.reset();
  }

  // `port` > 0: a replica listening there, its instance id the port, asking the others at
  // 127.0.0.1:{instance} (HostConfig::peer_address).
  std::unique_ptr<RunningService> Start(
      const std::string& service, runtime::StreamLogic& logic, std::vector<std::string> inputs,
      std::function<std::unique_ptr<grpc::Service>(runtime::ServiceHost&)> make_api, int port = 0) {
    runtime::HostConfig config;
    config.bus = "kafka";
    config.bootstrap = KafkaEnvironment::broker().bootstrap();
    config.data_dir = dir_.Sub(service + (port > 0 ? "-" + std::to_string(port) : ""));
    config.grpc_listen = "127.0.0.1:" + std::to_string(port);
    if (port > 0) {
      config.instance_id = std::to_string(port);
      config.peer_address = "127.0.0.1:{instance}";
    }
    config.metrics_listen = "127.0.0.1:0";
    config.partitions = 3;
    config.static_membership = false;
    config.kafka_session_timeout_ms = 6000;
    config.command_deadline_ms = 30000;
    return std::make_unique<RunningService>(service, logic, config, std::move(inputs),
                                            std::move(make_api));
  }

  static std::unique_ptr<grpc::ClientContext> Call() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    ctx->AddMetadata("x-rentstream-actor", "officer-7");
    return ctx;
  }

  // A secure tenancy, £100 a week, charged for the last eight rent weeks and this one.
  void OpenAccountInArrears(const std::string& tenancy = kTenancy,
                            const std::string& patch = "PATCH-E") {
    lv1::OpenAccountRequest open;
    open.mutable_context()->set_command_id("open-" + tenancy);
    open.mutable_context()->set_tenancy_ref(tenancy);
    lv1::OpenAccount& c = *open.mutable_command();
    c.set_tenancy_type(lv1::TENANCY_TYPE_SECURE);
    c.set_jurisdiction(lv1::JURISDICTION_ENGLAND);
    c.set_patch(patch);
    c.add_tenant_ids("person-1");
    *c.mutable_start_date() = ProtoDateOf(first_week_);
    c.mutable_schedule()->set_frequency(lv1::FREQUENCY_WEEKLY);
    *c.mutable_schedule()->mutable_anchor() = ProtoDateOf(first_week_);
    lv1::RentRate& rate = *c.mutable_schedule()->add_rates();
    *rate.mutable_effective_from() = ProtoDateOf(first_week_);
    lv1::ChargeLine& line = *rate.add_lines();
    line.set_kind(lv1::CHARGE_KIND_NET_RENT);
    line.set_code("RNT");
    line.mutable_amount()->set_pence(10000);
    lv1::OpenAccountResponse opened;
    grpc::Status st = ledger_stub_->OpenAccount(Call().get(), open, &opened);
    ASSERT_TRUE(st.ok()) << st.error_message();
    lv1::PostChargesRequest charge;
    charge.mutable_context()->set_command_id("charge-" + tenancy);
    charge.mutable_context()->set_tenancy_ref(tenancy);
    *charge.mutable_command()->mutable_from() = ProtoDateOf(first_week_);
    *charge.mutable_command()->mutable_to() = ProtoDateOf(today_);
    lv1::PostChargesResponse charged;
    st = ledger_stub_->PostCharges(Call().get(), charge, &charged);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(charged.result().event_ids_size(), 9);
  }

  std::optional<v1::CaseView> Case() {
    v1::GetCaseRequest r;
    r.set_tenancy_ref(kTenancy);
    v1::GetCaseResponse response;
    if (!stub_->GetCase(Call().get(), r, &response).ok()) return std::nullopt;
    return response.case_view();
  }
  std::string LatestRule() {
    auto c = Case();
    if (!c || c->recent_decisions().empty()) return "";
    return c->recent_decisions(0).rule_id();
  }

  static constexpr const char* kTenancy = "HA-700001";
  rentstream::testing::TempDir dir_;
  const core::Date today_ = core::LondonDateOf(std::time(nullptr));
  const core::Date first_week_ = today_.RentWeekStart().AddDays(-8 * 7);
  ledger::app::LedgerLogic ledger_logic_;
  std::unique_ptr<app::PolicyRegistry> registry_;
  app::ReviewerSource reviewer_;
  std::unique_ptr<app::EscalationLogic> escalation_logic_;
  std::unique_ptr<RunningService> ledger_;
  std::unique_ptr<RunningService> escalation_;
  std::unique_ptr<lv1::LedgerService::Stub> ledger_stub_;
  std::unique_ptr<v1::EscalationService::Stub> stub_;
};

TEST_F(EscalationServiceTest, LedgerEventsDriveTheCaseAndAPaymentFileClosesIt) {
  OpenAccountInArrears();

  // Eight weeks owed (after this week's grace): the Pre-Action Protocol letter is recommended.
  ASSERT_TRUE(WaitFor([&] { return LatestRule() == "pre_action_letter"; }))
      << (Case() ? Case()->DebugString() : "no case");
  v1::CaseView c = *Case();
  EXPECT_TRUE(c.open());
  EXPECT_EQ(c.stage(), v1::CASE_STAGE_MONITORING);
  EXPECT_EQ(c.balance().pence(), 90000);
  EXPECT_EQ(c.tenant_owed().pence(), 90000);
  EXPECT_EQ(c.patch(), "PATCH-E");
  const v1::ActionDecision& decision = c.recent_decisions(0);
  EXPECT_EQ(decision.policy_id(), "england-default");
  EXPECT_EQ(decision.action().kind(), v1::ACTION_KIND_SEND);
  EXPECT_EQ(decision.action().template_id(), "pre_action_letter");
  EXPECT_FALSE(decision.inputs().empty());

  // The worklist and the counts see it.
  v1::ListWorklistRequest list;
  list.set_patch("PATCH-E");
  v1::ListWorklistResponse worklist;
  ASSERT_TRUE(stub_->ListWorklist(Call().get(), list, &worklist).ok());
  ASSERT_EQ(worklist.items_size(), 1);
  EXPECT_EQ(worklist.items(0).tenancy_ref(), kTenancy);
  EXPECT_NEAR(worklist.items(0).weeks_of_rent(), 9.0, 1e-9);
  v1::CountCasesByStageRequest count;
  count.set_patch("PATCH-E");
  v1::CountCasesByStageResponse counts;
  ASSERT_TRUE(stub_->CountCasesByStage(Call().get(), count, &counts).ok());
  ASSERT_EQ(counts.counts_size(), 1);
  EXPECT_EQ(counts.counts(0).stage(), v1::CASE_STAGE_MONITORING);

  // A bad command is refused naming the field; nothing is recorded.
  v1::RecordContactRequest bad;
  bad.mutable_context()->set_command_id("contact-bad");
  bad.mutable_context()->set_tenancy_ref(kTenancy);
  bad.mutable_command()->mutable_contact()->set_kind("carrier_pigeon");
  bad.mutable_command()->mutable_contact()->set_channel(v1::CHANNEL_LETTER);
  bad.mutable_command()->mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_DELIVERED);
  *bad.mutable_command()->mutable_contact()->mutable_date() = ProtoDateOf(today_);
  v1::RecordContactResponse refused;
  grpc::Status st = stub_->RecordContact(Call().get(), bad, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("contact.kind", 0), 0u) << st.error_message();

  // The letter is sent (as the notifications service will record it): the recommendation moves
  // on to "nothing yet" — the next step waits 14 days — and the stage to contact.
  v1::RecordContactRequest sent = bad;
  sent.mutable_context()->set_command_id("contact-1");
  sent.mutable_command()->mutable_contact()->set_kind("pre_action_letter");
  v1::RecordContactResponse recorded;
  st = stub_->RecordContact(Call().get(), sent, &recorded);
  ASSERT_TRUE(st.ok()) << st.error_message();
  c = *Case();
  EXPECT_EQ(c.stage(), v1::CASE_STAGE_CONTACT);
  ASSERT_FALSE(c.recent_decisions().empty());
  EXPECT_EQ(c.recent_decisions(0).action().kind(), v1::ACTION_KIND_NO_ACTION);
  EXPECT_EQ(c.recent_contacts(0).kind(), "pre_action_letter");
  ASSERT_TRUE(stub_->ListWorklist(Call().get(), list, &worklist).ok());
  EXPECT_EQ(worklist.items_size(), 0);

  // A payment file imported into the ledger clears the arrears: the case closes.
  const std::string file = dir_.Sub("payments.csv");
  std::ofstream(file) << "date,amount,reference,method,tenancy_ref\n"
                      << today_.ToIso() << ",900.00,BT-1,"
                      << "bank_transfer," << kTenancy << "\n";
  cli::ImportOptions options;
  options.ledger_address = ledger_->address();
  options.source = "bank-test";
  auto report = cli::ImportPaymentFile(file, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->imported, 1);
  ASSERT_TRUE(WaitFor([&] {
    auto now = Case();
    return now && !now->open();
  })) << Case()->DebugString();
  c = *Case();
  EXPECT_EQ(c.stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(c.balance().pence(), 0);
  EXPECT_EQ(c.last_payment_date().year(), today_.year());

  // What-if on the recorded history with the same policies: every decision is reproduced.
  eventlog::KafkaBusOptions bus_options;
  bus_options.bootstrap = KafkaEnvironment::broker().bootstrap();
  auto bus = eventlog::KafkaBus::Connect(bus_options);
  ASSERT_TRUE(bus.ok()) << bus.status();
  auto policies = app::LoadPolicyDir(dir_.Sub("policies"));
  ASSERT_TRUE(policies.ok()) << policies.status();
  app::SimulationOptions window{today_.AddDays(-30), today_, kTenancy};
  auto ledger_events = cli::ReadEvents(**bus, "ledger");
  ASSERT_TRUE(ledger_events.ok()) << ledger_events.status();
  auto escalation_events = cli::ReadEvents(**bus, "escalation");
  ASSERT_TRUE(escalation_events.ok()) << escalation_events.status();
  auto replay = app::SimulatePolicy(*ledger_events, *escalation_events, **policies, window);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_GE(replay->total.recorded, 2);  // the letter, then "nothing yet" once it was sent
  EXPECT_EQ(replay->total.same, replay->total.recorded);
  EXPECT_EQ(replay->total.different + replay->total.only_recorded + replay->total.only_simulated,
            0);
}

// A policy change is an audited event; a malformed policy is refused with file:line and the
// versions in use stay.
TEST_F(EscalationServiceTest, PolicyReloadIsAuditedAndAMalformedFileKeepsThePreviousVersions) {
  auto reload = [&](const char* role, v1::ReloadPoliciesResponse* response) {
    auto ctx = Call();
    ctx->AddMetadata("x-rentstream-role", role);
    v1::ReloadPoliciesRequest r;
    return stub_->ReloadPolicies(ctx.get(), r, response);
  };
  v1::ReloadPoliciesResponse first;
  EXPECT_EQ(reload("officer", &first).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status st = reload("team_leader", &first);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_GE(first.policies_size(), 4);  // england v1 + v2, wales, scotland
  // The first adoption records every version (unless the start-up already did: then none).
  for (const std::string& type : first.result().event_types()) {
    EXPECT_EQ(type, "rentstream.escalation.v1.PolicyAdopted");
  }
  v1::ReloadPoliciesResponse same;
  ASSERT_TRUE(reload("team_leader", &same).ok());
  // The same set is the same command: its first outcome again, nothing new recorded.
  EXPECT_EQ(
      std::vector<std::string>(same.result().event_ids().begin(), same.result().event_ids().end()),
      std::vector<std::string>(first.result().event_ids().begin(),
                               first.result().event_ids().end()));

  // A malformed new version: refused with the file and line; the set in force stays.
  std::ofstream(dir_.Sub("policies/zz-broken.yaml"))
      << "id: broken\nversion: 1\neffective_from: 2026-01-01\njurisdiction: england\n"
      << "tenancy_types: [secure]\nrules:\n  - id: r1\n    precedence: 1\n"
      << "    trigger: \"arrears >= \"\n    action: {kind: no_action}\n";
  v1::ReloadPoliciesResponse refused;
  st = reload("team_leader", &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("zz-broken.yaml:9"), std::string::npos) << st.error_message();
  EXPECT_EQ(registry_->adopted().size(), static_cast<size_t>(first.policies_size()));

  // Fixed: the new version is adopted and recorded once.
  std::ofstream(dir_.Sub("policies/zz-broken.yaml"))
      << "id: extra\nversion: 1\neffective_from: 2026-01-01\njurisdiction: england\n"
      << "tenancy_types: [licence]\nrules:\n  - id: r1\n    precedence: 1\n"
      << "    trigger: \"arrears >= £10.00\"\n    action: {kind: create_task, task: look}\n";
  v1::ReloadPoliciesResponse fixed;
  st = reload("team_leader", &fixed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(fixed.policies_size(), first.policies_size() + 1);
  ASSERT_EQ(fixed.result().event_types_size(), 1);
  EXPECT_EQ(fixed.result().event_types(0), "rentstream.escalation.v1.PolicyAdopted");
}

// Two replicas of the escalation service, each serving some partitions: a case, the worklist and
// the stage counts are answered by either — the case by the replica serving its tenancy, the
// scans from both replicas' parts (docs/operations.md, "Queries and replicas").
TEST_F(EscalationServiceTest, EveryQueryIsAnsweredByEitherOfTwoReplicas) {
  escalation_.reset();  // two replicas instead
  auto port_a = rentstream::testing::PickFreeLoopbackPort();
  auto port_b = rentstream::testing::PickFreeLoopbackPort();
  ASSERT_TRUE(port_a.ok() && port_b.ok() && *port_a != *port_b);
  std::vector<std::unique_ptr<RunningService>> replicas;
  for (int port : {*port_a, *port_b}) {
    replicas.push_back(Start(
        "escalation", *escalation_logic_, {app::EscalationLogic::kLedgerEvents},
        [this](runtime::ServiceHost& h) {
          return std::unique_ptr<grpc::Service>(
              new app::EscalationService(h, reviewer_, registry_.get()));
        },
        port));
  }
  // Each serves some partitions and together all (a progress poll on the hosts' own state).
  const auto split = [&] {
    const size_t a = replicas[0]->host().PartitionsServed().size();
    const size_t b = replicas[1]->host().PartitionsServed().size();
    return a > 0 && b > 0 && a + b == 3;
  };
  ASSERT_TRUE(WaitFor(split)) << "the two replicas never split the partitions";

  const std::string tenancy = "HA-700002";
  OpenAccountInArrears(tenancy, "PATCH-R");
  for (const auto& replica : replicas) {
    SCOPED_TRACE("asked of " + replica->address());
    auto stub = v1::EscalationService::NewStub(
        grpc::CreateChannel(replica->address(), grpc::InsecureChannelCredentials()));
    v1::GetCaseRequest get;
    get.set_tenancy_ref(tenancy);
    v1::GetCaseResponse got;
    ASSERT_TRUE(WaitFor([&] {
      got.Clear();
      return stub->GetCase(Call().get(), get, &got).ok() &&
             !got.case_view().recent_decisions().empty() &&
             got.case_view().recent_decisions(0).rule_id() == "pre_action_letter";
    })) << got.DebugString();
    EXPECT_EQ(got.case_view().balance().pence(), 90000);

    v1::ListWorklistRequest list;
    list.set_patch("PATCH-R");
    v1::ListWorklistResponse worklist;
    grpc::Status st = stub->ListWorklist(Call().get(), list, &worklist);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(worklist.items_size(), 1);
    EXPECT_EQ(worklist.items(0).tenancy_ref(), tenancy);

    v1::CountCasesByStageRequest count;
    count.set_patch("PATCH-R");
    v1::CountCasesByStageResponse counts;
    st = stub->CountCasesByStage(Call().get(), count, &counts);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(counts.counts_size(), 1);
    EXPECT_EQ(counts.counts(0).cases(), 1);
  }

  // A reload asked of one replica reloads both (each reads the same folder here): answered OK
  // with the versions in force; a replica that loaded others would fail the call.
  auto stub = v1::EscalationService::NewStub(
      grpc::CreateChannel(replicas[0]->address(), grpc::InsecureChannelCredentials()));
  auto leader = Call();
  leader->AddMetadata("x-rentstream-role", "team_leader");
  v1::ReloadPoliciesRequest reload;
  reload.set_command_id("reload-on-both");
  v1::ReloadPoliciesResponse reloaded;
  grpc::Status st = stub->ReloadPolicies(leader.get(), reload, &reloaded);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_FALSE(reloaded.policies().empty());
}

}  // namespace
}  // namespace rentstream::escalation
