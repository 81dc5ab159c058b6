#include "libs/eventlog/local_log_codec.h"

#include "absl/strings/str_cat.h"

namespace rentstream::eventlog::local_log {
namespace {

void PutBe(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t GetBe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

void PutString(std::string& out, absl::string_view s) {
  PutBe(out, s.size(), 4);
  out.append(s.data(), s.size());
}

// A bounds-checked reader over encoded bytes.
class Cursor {
 public:
  explicit Cursor(absl::string_view bytes) : rest_(bytes) {}
  bool Number(int bytes, uint64_t& v) {
    if (rest_.size() < static_cast<size_t>(bytes)) return false;
    v = GetBe(rest_.data(), bytes);
    rest_.remove_prefix(static_cast<size_t>(bytes));
    return true;
  }
  bool String(std::string& s) {
    uint64_t n = 0;
    if (!Number(4, n) || rest_.size() < n) return false;
    s.assign(rest_.data(), n);
    rest_.remove_prefix(n);
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  absl::string_view rest_;
};

}  // namespace

std::string TopicKey(const std::string& topic) { return kTopicTag + topic; }

std::string EncodeTopic(const TopicSpec& spec) {
  std::string out;
  PutString(out, spec.name);
  PutBe(out, static_cast<uint32_t>(spec.partitions), 4);
  PutBe(out, spec.configs.size(), 4);
  for (const auto& [k, v] : spec.configs) {
    PutString(out, k);
    PutString(out, v);
  }
  return out;
}

bool DecodeTopic(absl::string_view bytes, TopicSpec& spec) {
  Cursor c(bytes);
  uint64_t partitions = 0, configs = 0;
  if (!c.String(spec.name) || !c.Number(4, partitions) || !c.Number(4, configs)) return false;
  spec.partitions = static_cast<int>(partitions);
  for (uint64_t i = 0; i < configs; ++i) {
    std::string k, v;
    if (!c.String(k) || !c.String(v)) return false;
    spec.configs[k] = v;
  }
  return c.done() && spec.partitions > 0;
}

bool IsValidTopicName(absl::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string PartitionFamily(const TopicPartition& tp) {
  return absl::StrCat("r/", tp.topic, "/", tp.partition);
}

std::string OffsetKey(int64_t offset) {
  std::string out;
  PutBe(out, static_cast<uint64_t>(offset), 8);
  return out;
}

int64_t OffsetOfKey(const rocksdb::Slice& key) {
  if (key.size() < 8) return -1;
  return static_cast<int64_t>(GetBe(key.data() + key.size() - 8, 8));
}

std::string Layout1RecordKey(const TopicPartition& tp, int64_t offset) {
  std::string out = kLayout1RecordTag + tp.topic;
  out.push_back('\0');
  PutBe(out, static_cast<uint32_t>(tp.partition), 4);
  PutBe(out, static_cast<uint64_t>(offset), 8);
  return out;
}

bool DecodeLayout1RecordKey(const rocksdb::Slice& key, TopicPartition& tp, int64_t& offset) {
  absl::string_view k(key.data(), key.size());
  // tag, a topic of at least one byte, \0, partition, offset
  if (k.size() < 1 + 1 + 1 + 4 + 8 || k[0] != kLayout1RecordTag[0]) return false;
  const size_t zero = k.size() - 13;
  if (k[zero] != '\0') return false;
  tp.topic.assign(k.data() + 1, zero - 1);
  tp.partition = static_cast<int32_t>(GetBe(k.data() + zero + 1, 4));
  offset = static_cast<int64_t>(GetBe(k.data() + zero + 5, 8));
  return tp.partition >= 0 && offset >= 0 && tp.topic.find('\0') == std::string::npos;
}

std::string EncodeRecord(const OutgoingRecord& r, int64_t timestamp_ms) {
  std::string out;
  size_t size = 24 + r.key.size() + r.value.size();
  for (const auto& [k, v] : r.headers) size += 8 + k.size() + v.size();
  out.reserve(size);
  PutBe(out, static_cast<uint64_t>(timestamp_ms), 8);
  PutString(out, r.key);
  PutString(out, r.value);
  PutBe(out, r.headers.size(), 4);
  for (const auto& [k, v] : r.headers) {
    PutString(out, k);
    PutString(out, v);
  }
  return out;
}

bool DecodeRecord(absl::string_view bytes, Record& out) {
  Cursor c(bytes);
  uint64_t ts = 0, headers = 0;
  if (!c.Number(8, ts) || !c.String(out.key) || !c.String(out.value) || !c.Number(4, headers)) {
    return false;
  }
  out.timestamp_ms = static_cast<int64_t>(ts);
  out.headers.clear();
  for (uint64_t i = 0; i < headers; ++i) {
    std::string k, v;
    if (!c.String(k) || !c.String(v)) return false;
    out.headers.emplace_back(std::move(k), std::move(v));
  }
  return c.done();
}

std::string GroupKey(const std::string& group, const TopicPartition& tp) {
  std::string out = kGroupTag + group;
  out.push_back('\0');
  out += tp.topic;
  out.push_back('\0');
  PutBe(out, static_cast<uint32_t>(tp.partition), 4);
  return out;
}

std::string EncodeOffset(int64_t offset) {
  std::string out;
  PutBe(out, static_cast<uint64_t>(offset), 8);
  return out;
}

bool DecodeGroupEntry(const rocksdb::Slice& key, const rocksdb::Slice& value, std::string& group,
                      TopicPartition& tp, int64_t& offset) {
  absl::string_view k(key.data(), key.size());
  if (k.empty() || k[0] != kGroupTag[0] || value.size() != 8 || k.size() < 1 + 2 + 4) return false;
  k.remove_prefix(1);
  const size_t first = k.find('\0');
  if (first == absl::string_view::npos) return false;
  group.assign(k.data(), first);
  absl::string_view rest = k.substr(first + 1);
  if (rest.size() < 5 || rest[rest.size() - 5] != '\0') return false;
  tp.topic.assign(rest.data(), rest.size() - 5);
  tp.partition = static_cast<int32_t>(GetBe(rest.data() + rest.size() - 4, 4));
  offset = static_cast<int64_t>(GetBe(value.data(), 8));
  return true;
}

}  // namespace rentstream::eventlog::local_log
