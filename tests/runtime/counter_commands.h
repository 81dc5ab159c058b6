#pragma once
// Sample counter commands for runtime tests, as a client would put them on the command topic.

#include <cstdint>
#include <string>
#include <vector>

#include "libs/runtime/envelope.h"
#include "rentstream/common/v1/command.pb.h"
#include "rentstream/sample/v1/counter.pb.h"

namespace rentstream::testing {

inline common::v1::Command IncrementCommand(const std::string& tenancy, const std::string& id,
                                            int64_t amount) {
  common::v1::Command c;
  auto& env = *c.mutable_envelope();
  env.set_command_id(id);
  env.set_tenancy_ref(tenancy);
  env.set_command_type(sample::v1::Increment::descriptor()->full_name());
  env.set_schema_version(1);
  *env.mutable_occurred_at() = runtime::TimestampFromMicros(1795585116000000);
  env.mutable_actor()->set_id("officer-1");
  env.mutable_actor()->set_role(common::v1::ACTOR_ROLE_OFFICER);
  sample::v1::Increment inc;
  inc.set_amount(amount);
  c.set_payload(inc.SerializeAsString());
  return c;
}

// A CommandBatch of `items` (their actors cleared: the batch's applies) keyed by the first's
// tenancy.
inline common::v1::Command CommandBatchOf(const std::string& id,
                                          const std::vector<common::v1::Command>& items) {
  common::v1::CommandBatch batch;
  for (const common::v1::Command& c : items) {
    common::v1::Command& item = *batch.add_commands();
    item = c;
    item.mutable_envelope()->clear_actor();  // the batch's actor applies
  }
  common::v1::Command c;
  auto& env = *c.mutable_envelope();
  env.set_command_id(id);
  env.set_tenancy_ref(items.front().envelope().tenancy_ref());
  env.set_command_type(common::v1::CommandBatch::descriptor()->full_name());
  env.set_schema_version(1);
  *env.mutable_occurred_at() = runtime::TimestampFromMicros(1795585116000000);
  env.mutable_actor()->set_id("import-1");
  env.mutable_actor()->set_role(common::v1::ACTOR_ROLE_INTEGRATION);
  c.set_payload(batch.SerializeAsString());
  return c;
}

}  // namespace rentstream::testing
