#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/hash_chain.h"
#include "libs/eventlog/event_bus.h"
#include "rentstream/common/v1/envelope.pb.h"

namespace rentstream::cli {

// The shipped policies (services/escalation/policies of the source tree this was built from).
std::string RentstreamPolicyDir();

// Every committed event of a service's events topic, all partitions; a topic that cannot be read
// (missing, or failing part-way) is an error, never a shorter history.
absl::StatusOr<std::vector<common::v1::Event>> ReadEvents(eventlog::EventBus& bus,
                                                          const std::string& service);
// The events grouped into their tenancy streams, ready for core::VerifyChain.
std::map<std::string, std::vector<core::ChainedEvent>> Streams(
    const std::vector<common::v1::Event>& events);

// The bus of `--bus local|kafka --at LOCATION`: a LocalBus log directory or Kafka bootstrap
// servers.
absl::StatusOr<std::unique_ptr<eventlog::EventBus>> OpenCliBus(const std::string& bus_kind,
                                                               const std::string& location);

// The 5-minute tour on the embedded default: the sample service on LocalBus in `data_dir`,
// driven over real gRPC, then its audit trail verified and tampered with.
int RunDemo(const std::string& data_dir, const std::string& policy_dir = RentstreamPolicyDir());

// Verifies every tenancy stream of a service's events topic on a LocalBus directory or a Kafka
// cluster, printing one line per stream with a problem and a summary.
int RunVerify(const std::string& bus, const std::string& location, const std::string& service);

// Audits the ledger's events on a LocalBus directory or a Kafka cluster for payments credited
// twice (ledger::app::FindCreditedTwice: recorded on two accounts, or recorded and allocated from
// suspense): one line each (or a JSON array with `json`); exit code 1 when there are any, 2 when
// the events cannot be read.
int RunLedgerCreditedTwice(const std::string& bus, const std::string& location, bool json);

// Opens a business day (YYYY-MM-DD) for a service: one BusinessDayOpened command on every
// partition of its command topic. Idempotent per (service, date). For cron and operators.
int RunTick(const std::string& bus, const std::string& location, const std::string& service,
            const std::string& date);

}  // namespace rentstream::cli
