#include "libs/runtime/clock.h"

#include "absl/strings/str_cat.h"
#include "libs/core/bank_holidays.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/topics.h"
#include "rentstream/common/v1/clock.pb.h"
#include "rentstream/common/v1/command.pb.h"

namespace rentstream::runtime {

std::string TickCommandId(const std::string& service, core::Date date) {
  return absl::StrCat("tick:", service, ":", date.ToIso());
}

absl::StatusOr<std::vector<eventlog::OutgoingRecord>> TickRecords(const std::string& service,
                                                                  core::Date date,
                                                                  int32_t partitions) {
  auto working = core::IsWorkingDay(date);
  if (!working.ok()) return working.status();
  common::v1::BusinessDayOpened tick;
  tick.mutable_date()->set_year(date.year());
  tick.mutable_date()->set_month(date.month());
  tick.mutable_date()->set_day(date.day());
  tick.set_working_day(*working);
  common::v1::Command command;
  common::v1::CommandEnvelope& env = *command.mutable_envelope();
  env.set_command_id(TickCommandId(service, date));
  env.set_command_type(common::v1::BusinessDayOpened::descriptor()->full_name());
  env.set_schema_version(1);
  // Business time of the tick: London midnight of the day.
  *env.mutable_occurred_at() = TimestampFromMicros(core::LondonMidnight(date) * 1000000);
  env.mutable_actor()->set_id("clock");
  env.mutable_actor()->set_role(common::v1::ACTOR_ROLE_SCHEDULER);
  env.set_correlation_id(env.command_id());
  command.set_payload(tick.SerializeAsString());
  const std::string value = command.SerializeAsString();
  std::vector<eventlog::OutgoingRecord> out;
  for (int32_t p = 0; p < partitions; ++p) {
    eventlog::OutgoingRecord r;
    r.topic = ServiceTopics::For(service).commands;
    r.key = "";
    r.value = value;
    r.partition = p;
    r.headers = {{"rs-command-id", env.command_id()}};
    out.push_back(std::move(r));
  }
  return out;
}

absl::Status OpenBusinessDay(eventlog::EventBus& bus, const std::string& service, core::Date date) {
  const std::string topic = ServiceTopics::For(service).commands;
  auto partitions = bus.PartitionCount(topic);
  if (!partitions.ok()) return partitions.status();
  auto records = TickRecords(service, date, *partitions);
  if (!records.ok()) return records.status();
  auto appender = bus.NewAppender(absl::StrCat("rentstream-clock-", service));
  if (!appender.ok()) return appender.status();
  return (*appender)->Append(*records);
}

}  // namespace rentstream::runtime
