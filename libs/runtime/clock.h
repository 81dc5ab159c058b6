#pragma once
// Time enters the system as an event (architecture §4): a scheduler — `rentstream tick`, a
// Kubernetes CronJob, or the embedded host — puts one BusinessDayOpened command on every
// partition of a service's command topic. Its command id is derived from the service and the
// date, so sending the same day twice is handled once per partition.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"
#include "libs/eventlog/event_bus.h"

namespace rentstream::runtime {

// "tick:<service>:<YYYY-MM-DD>".
std::string TickCommandId(const std::string& service, core::Date date);

// One record per partition of `rentstream.<service>.commands.v1`, with `working_day` filled
// from the England & Wales calendar (OUT_OF_RANGE outside the years it covers).
absl::StatusOr<std::vector<eventlog::OutgoingRecord>> TickRecords(const std::string& service,
                                                                  core::Date date,
                                                                  int32_t partitions);

// Appends the tick to every partition of the service's command topic.
absl::Status OpenBusinessDay(eventlog::EventBus& bus, const std::string& service, core::Date date);

}  // namespace rentstream::runtime
