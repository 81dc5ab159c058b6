#include "libs/core/hash_chain.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace rentstream::core {
namespace {

constexpr char kCanonicalVersion[] = "rentstream.hash.v1";

void PutU64(std::string& out, uint64_t v) {
  char bytes[8];  // big-endian, appended at once
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xFF);
  out.append(bytes, sizeof bytes);
}

// Tag byte, 8-byte length, bytes: no two different field lists encode to the same bytes.
void PutBytes(std::string& out, char tag, absl::string_view bytes) {
  out.push_back(tag);
  PutU64(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

void PutInt(std::string& out, char tag, uint64_t v) {
  out.push_back(tag);
  PutU64(out, v);
}

ChainVerdict Bad(size_t index, const EnvelopeFields& e, ChainProblem problem, std::string detail) {
  return ChainVerdict{false, index, e.sequence, problem, std::move(detail)};
}

// OpenSSL 3 looks a digest up in its provider tables on every EVP_Digest(EVP_sha256()) and
// allocates a context each time: ~half the cost of hashing an event's few hundred bytes. The
// digest is fetched once per process and each thread keeps one context.
const EVP_MD* FetchedSha256() {
  static const EVP_MD* const kMd = [] {
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md != nullptr ? md : EVP_sha256();  // no default provider: the implicit fetch
  }();
  return kMd;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string CanonicalBytes(const EnvelopeFields& f, absl::string_view payload) {
  std::string out;
  out.reserve(256 + payload.size());
  AppendCanonicalBytes(out, f, payload);
  return out;
}

void AppendCanonicalBytes(std::string& out, const EnvelopeFields& f, absl::string_view payload) {
  PutBytes(out, 'V', kCanonicalVersion);
  PutBytes(out, 'i', f.event_id);
  PutBytes(out, 't', f.tenancy_ref);
  PutInt(out, 's', f.sequence);
  PutBytes(out, 'e', f.event_type);
  PutInt(out, 'v', f.schema_version);
  PutInt(out, 'o', static_cast<uint64_t>(f.occurred_at_us));
  PutInt(out, 'r', static_cast<uint64_t>(f.recorded_at_us));
  PutBytes(out, 'a', f.actor_id);
  PutInt(out, 'R', static_cast<uint64_t>(static_cast<int64_t>(f.actor_role)));
  PutBytes(out, 'c', f.command_id);
  PutBytes(out, 'C', f.causation_id);
  PutBytes(out, 'X', f.correlation_id);
  PutBytes(out, 'S', f.service);
  PutBytes(out, 'p', f.prev_hash);
  PutBytes(out, 'P', payload);
}

std::string Sha256(absl::string_view data) {
  thread_local DigestContext context;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (context.ctx == nullptr || EVP_DigestInit_ex2(context.ctx, FetchedSha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, digest, &len) != 1) {
    // No context (out of memory): the one-shot path; a hash that cannot be computed at all
    // stops the process rather than seal an event with garbage.
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
      std::abort();
    }
  }
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string ToHex(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

std::string ComputeHash(const EnvelopeFields& fields, absl::string_view payload) {
  // Every event is sealed here (and verified): the bytes go into a buffer each thread keeps,
  // not a fresh allocation of a few hundred bytes per event.
  thread_local std::string canonical;
  canonical.clear();
  AppendCanonicalBytes(canonical, fields, payload);
  std::string hash = Sha256(canonical);
  // A buffer grown by one huge payload is not kept for the thread's life.
  if (canonical.capacity() > (64u << 10)) std::string().swap(canonical);
  return hash;
}

const std::string& GenesisHash() {
  static const std::string* const kGenesis = new std::string(32, '\0');
  return *kGenesis;
}

void Seal(EnvelopeFields& fields, absl::string_view payload) {
  fields.hash = ComputeHash(fields, payload);
}

ChainVerdict VerifyChain(std::span<const ChainedEvent> events,
                         std::optional<std::string> expected_prev, uint64_t first_sequence) {
  std::string prev = expected_prev.has_value() ? *expected_prev : GenesisHash();
  uint64_t want_sequence = first_sequence;
  for (size_t i = 0; i < events.size(); ++i) {
    const EnvelopeFields& e = events[i].envelope;
    if (i > 0 && e.tenancy_ref != events[0].envelope.tenancy_ref) {
      return Bad(i, e, ChainProblem::kWrongStream,
                 absl::StrCat("event of stream ", e.tenancy_ref, " inside stream ",
                              events[0].envelope.tenancy_ref));
    }
    if (e.sequence != want_sequence) {
      return Bad(i, e, ChainProblem::kSequenceGap,
                 absl::StrCat("expected sequence ", want_sequence, ", found ", e.sequence));
    }
    if (e.prev_hash != prev) {
      return Bad(i, e, ChainProblem::kBrokenLink,
                 absl::StrCat("sequence ", e.sequence,
                              ": prev_hash does not match the previous event's hash"));
    }
    if (ComputeHash(e, events[i].payload) != e.hash) {
      return Bad(i, e, ChainProblem::kHashMismatch,
                 absl::StrCat("sequence ", e.sequence, ": content does not match its hash"));
    }
    prev = e.hash;
    ++want_sequence;
  }
  return ChainVerdict{};
}

}  // namespace rentstream::core
