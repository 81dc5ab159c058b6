#pragma once
// Sample counter commands for runtime tests, as a client would put them on the command topic.

#include <cstdint>
#include <string>

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

}  // namespace rentstream::testing
