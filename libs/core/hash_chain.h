#pragma once
// The tamper-evident audit trail (architecture §6). Each event's hash is SHA-256 over a canonical
// byte encoding of its envelope (every field except the hash itself, prev_hash included) and its
// payload bytes, so each event commits to the whole history of its stream before it. Editing,
// deleting, inserting or reordering an event breaks the chain at that point.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/strings/string_view.h"

namespace rentstream::core {

// The envelope fields that are hashed, independent of the protobuf encoding (whose bytes are not
// canonical across versions). Times are microseconds since the Unix epoch.
struct EnvelopeFields {
  std::string event_id;
  std::string tenancy_ref;
  uint64_t sequence = 0;
  std::string event_type;
  uint32_t schema_version = 0;
  int64_t occurred_at_us = 0;
  int64_t recorded_at_us = 0;
  std::string actor_id;
  int32_t actor_role = 0;
  std::string command_id;
  std::string causation_id;
  std::string correlation_id;
  std::string service;
  std::string prev_hash;  // 32 raw bytes
  std::string hash;       // 32 raw bytes; not part of the canonical bytes
};

// The canonical bytes, for anyone re-implementing verification: a sequence of fields, each one
// tag byte followed by either an 8-byte big-endian unsigned integer (numbers; signed values in
// two's complement) or an 8-byte big-endian length and the raw bytes (strings). In order:
//   'V' "rentstream.hash.v1", 'i' event_id, 't' tenancy_ref, 's' sequence, 'e' event_type,
//   'v' schema_version, 'o' occurred_at_us, 'r' recorded_at_us, 'a' actor_id, 'R' actor_role,
//   'c' command_id, 'C' causation_id, 'X' correlation_id, 'S' service, 'p' prev_hash,
//   'P' payload.
std::string CanonicalBytes(const EnvelopeFields& fields, absl::string_view payload);
// The same bytes appended to `out`.
void AppendCanonicalBytes(std::string& out, const EnvelopeFields& fields,
                          absl::string_view payload);
// Raw 32-byte SHA-256 digest.
std::string Sha256(absl::string_view data);
std::string ToHex(absl::string_view bytes);
std::string ComputeHash(const EnvelopeFields& fields, absl::string_view payload);
// prev_hash of the first event of every stream: 32 zero bytes.
const std::string& GenesisHash();
// Sets fields.hash from the fields and payload.
void Seal(EnvelopeFields& fields, absl::string_view payload);

struct ChainedEvent {
  EnvelopeFields envelope;
  std::string payload;
};

enum class ChainProblem {
  kNone = 0,
  kWrongStream,   // an event of another tenancy in the chain
  kSequenceGap,   // sequence is not previous + 1 (deleted, inserted or reordered events)
  kBrokenLink,    // prev_hash is not the previous event's hash
  kHashMismatch,  // the event's content does not match its hash (edited)
};

struct ChainVerdict {
  bool ok = true;
  size_t index = 0;       // position in the input of the first bad event
  uint64_t sequence = 0;  // its recorded sequence
  ChainProblem problem = ChainProblem::kNone;
  std::string detail;
};

// Verifies a stream's events in order. By default the chain must start at sequence 1 from the
// genesis hash; to verify a suffix pass the sequence of its first event and the hash of the
// event before it.
ChainVerdict VerifyChain(std::span<const ChainedEvent> events,
                         std::optional<std::string> expected_prev = std::nullopt,
                         uint64_t first_sequence = 1);

}  // namespace rentstream::core
