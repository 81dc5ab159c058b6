#include "libs/runtime/envelope.h"

#include "absl/strings/str_cat.h"

namespace rentstream::runtime {

google::protobuf::Timestamp TimestampFromMicros(int64_t us) {
  google::protobuf::Timestamp t;
  int64_t seconds = us / 1000000;
  int64_t rem = us % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --seconds;
  }
  t.set_seconds(seconds);
  t.set_nanos(static_cast<int32_t>(rem * 1000));
  return t;
}

int64_t MicrosFromTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

core::EnvelopeFields ToFields(const common::v1::EventEnvelope& e) {
  core::EnvelopeFields f;
  f.event_id = e.event_id();
  f.tenancy_ref = e.tenancy_ref();
  f.sequence = e.sequence();
  f.event_type = e.event_type();
  f.schema_version = e.schema_version();
  f.occurred_at_us = MicrosFromTimestamp(e.occurred_at());
  f.recorded_at_us = MicrosFromTimestamp(e.recorded_at());
  f.actor_id = e.actor().id();
  f.actor_role = e.actor().role();
  f.command_id = e.command_id();
  f.causation_id = e.causation_id();
  f.correlation_id = e.correlation_id();
  f.service = e.service();
  f.prev_hash = e.prev_hash();
  f.hash = e.hash();
  return f;
}

common::v1::Event SealEvent(const std::string& service, const std::string& tenancy,
                            uint64_t sequence, const std::string& last_hash, const NewEvent& event,
                            const Causation& cause, int64_t recorded_at_us,
                            core::UuidV7Generator& ids) {
  common::v1::Event out;
  common::v1::EventEnvelope& e = *out.mutable_envelope();
  e.set_event_id(ids.Next().ToString());
  e.set_tenancy_ref(tenancy);
  e.set_sequence(sequence + 1);
  e.set_event_type(event.event_type);
  e.set_schema_version(event.schema_version);
  *e.mutable_occurred_at() = cause.occurred_at;
  *e.mutable_recorded_at() = TimestampFromMicros(recorded_at_us);
  *e.mutable_actor() = cause.actor;
  e.set_command_id(cause.command_id);
  e.set_causation_id(cause.causation_id);
  e.set_correlation_id(cause.correlation_id);
  e.set_service(service);
  e.set_prev_hash(sequence == 0 ? core::GenesisHash() : last_hash);
  out.set_payload(event.payload);
  e.set_hash(core::ComputeHash(ToFields(e), out.payload()));
  return out;
}

absl::Status VerifyLink(const common::v1::Event& event, uint64_t sequence,
                        const std::string& last_hash) {
  const common::v1::EventEnvelope& e = event.envelope();
  if (e.sequence() != sequence + 1) {
    return absl::DataLossError(absl::StrCat("stream ", e.tenancy_ref(), ": expected sequence ",
                                            sequence + 1, ", found ", e.sequence()));
  }
  const std::string& expected_prev = sequence == 0 ? core::GenesisHash() : last_hash;
  if (e.prev_hash() != expected_prev) {
    return absl::DataLossError(absl::StrCat("stream ", e.tenancy_ref(), " sequence ", e.sequence(),
                                            ": prev_hash does not link"));
  }
  if (core::ComputeHash(ToFields(e), event.payload()) != e.hash()) {
    return absl::DataLossError(absl::StrCat("stream ", e.tenancy_ref(), " sequence ", e.sequence(),
                                            ": hash does not match its content"));
  }
  return absl::OkStatus();
}

}  // namespace rentstream::runtime
