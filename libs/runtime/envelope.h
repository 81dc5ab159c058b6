#pragma once
// Builds and checks event envelopes: the bridge between the wire contract
// (rentstream.common.v1.EventEnvelope) and the canonical hash chain of libs/core.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/core/hash_chain.h"
#include "libs/core/uuid.h"
#include "libs/runtime/stream_logic.h"
#include "rentstream/common/v1/envelope.pb.h"

namespace rentstream::runtime {

// Who and what caused the events of one decision.
struct Causation {
  google::protobuf::Timestamp occurred_at;  // business time
  common::v1::Actor actor;
  std::string command_id;      // empty for events caused by another service's event or a tick
  std::string causation_id;    // the command id or the causing event id
  std::string correlation_id;  // shared by everything one original request started
  std::string command_type;    // for CommandRejected
};

core::EnvelopeFields ToFields(const common::v1::EventEnvelope& envelope);

// Wraps `event` in an envelope that continues the stream after (`sequence`, `last_hash`).
common::v1::Event SealEvent(const std::string& service, const std::string& tenancy,
                            uint64_t sequence, const std::string& last_hash, const NewEvent& event,
                            const Causation& cause, int64_t recorded_at_us,
                            core::UuidV7Generator& ids);

// Checks that `event` is the next link after (`sequence`, `last_hash`) and that its hash is right.
absl::Status VerifyLink(const common::v1::Event& event, uint64_t sequence,
                        const std::string& last_hash);

google::protobuf::Timestamp TimestampFromMicros(int64_t us);
int64_t MicrosFromTimestamp(const google::protobuf::Timestamp& t);

}  // namespace rentstream::runtime
