#include "libs/runtime/stream_cache.h"

#include <algorithm>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/str_cat.h"

namespace rentstream::runtime {

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

StreamCache::StreamCache(StreamStore& store, const StreamLogic& logic, size_t max_clean_entries)
    : store_(store), logic_(logic), max_clean_(max_clean_entries) {}

absl::StatusOr<StreamEntry*> StreamCache::Load(int32_t partition, const std::string& tenancy) {
  auto it = entries_.find({partition, tenancy});
  if (it != entries_.end()) {
    it->second.last_used = ++uses_;
    return &it->second;
  }
  auto stored = store_.LoadStream(partition, tenancy);
  if (!stored.ok()) return stored.status();
  StreamEntry entry;
  entry.state = logic_.NewState();
  if (stored->has_value()) {
    entry.record = std::move(**stored);
    if (!entry.state->ParseFromString(entry.record.state())) {
      return absl::DataLossError(absl::StrCat("state of ", tenancy, " does not parse"));
    }
    entry.record.clear_state();
    entry.stored_review_day = entry.record.next_review_day();
  } else {
    entry.record.set_tenancy_ref(tenancy);
    entry.last_command_known = true;  // no events yet
  }
  entry.last_used = ++uses_;
  return &entries_.emplace(Key{partition, tenancy}, std::move(entry)).first->second;
}

absl::StatusOr<StreamEntry*> StreamCache::Touch(int32_t partition, const std::string& tenancy) {
  auto entry = Load(partition, tenancy);
  if (!entry.ok()) return entry.status();
  if (!(*entry)->dirty) {
    (*entry)->dirty = true;
    dirty_.push_back({partition, tenancy});
  }
  return *entry;
}

absl::StatusOr<const StreamEntry*> StreamCache::Peek(int32_t partition,
                                                     const std::string& tenancy) {
  auto entry = Load(partition, tenancy);
  if (!entry.ok()) return entry.status();
  return *entry;
}

absl::Status StreamCache::LoadKeyed(int32_t partition, const StreamEntry& entry,
                                    const std::vector<std::string>& keys, KeyedRecords& out) {
  std::vector<std::string> stored;
  for (const std::string& key : keys) {
    auto pending = entry.pending_keyed.find(key);
    if (pending != entry.pending_keyed.end()) {
      out[key] = pending->second;
    } else {
      stored.push_back(key);
    }
  }
  return store_.LoadKeyed(partition, entry.record.tenancy_ref(), stored, out);
}

absl::StatusOr<std::optional<common::v1::CommandOutcome>> StreamCache::FindOutcome(
    int32_t partition, const std::string& tenancy, const std::string& command_id) {
  auto it = outcomes_.find({partition, tenancy, command_id});
  if (it != outcomes_.end()) return std::optional<common::v1::CommandOutcome>(it->second);
  return store_.LoadOutcome(partition, tenancy, command_id);
}

absl::StatusOr<common::v1::CommandOutcome*> StreamCache::TouchOutcome(int32_t partition,
                                                                      const std::string& tenancy,
                                                                      const std::string& command_id,
                                                                      bool known_new) {
  OutcomeKey key{partition, tenancy, command_id};
  auto it = outcomes_.find(key);
  if (it != outcomes_.end()) return &it->second;
  absl::StatusOr<std::optional<common::v1::CommandOutcome>> stored = std::nullopt;
  if (!known_new) stored = store_.LoadOutcome(partition, tenancy, command_id);
  if (!stored.ok()) return stored.status();
  common::v1::CommandOutcome outcome;
  if (stored->has_value()) {
    outcome = std::move(**stored);
  } else {
    outcome.set_command_id(command_id);
    outcome.set_tenancy_ref(tenancy);
  }
  return &outcomes_.emplace(std::move(key), std::move(outcome)).first->second;
}

std::vector<std::string> StreamCache::DirtyDue(int32_t partition, int64_t day) const {
  std::vector<std::string> out;
  for (const Key& k : dirty_) {
    if (k.first != partition) continue;
    const StreamEntry& e = entries_.at(k);
    if (e.record.next_review_day() > 0 && e.record.next_review_day() <= day) {
      out.push_back(k.second);
    }
  }
  return out;
}

void StreamCache::Flush(StreamStore::Batch& batch) {
  for (const Key& k : dirty_) {
    StreamEntry& e = entries_.at(k);
    v1::StreamRecord record = e.record;
    record.set_state(DeterministicBytes(*e.state));
    batch.PutStream(k.first, record, e.stored_review_day);
    for (const auto& [sequence, records] : e.pending_history) {
      batch.PutHistory(k.first, k.second, sequence, records);
    }
    e.pending_history.clear();
    for (const auto& [key, value] : e.pending_keyed) batch.PutKeyed(k.first, k.second, key, value);
    e.pending_keyed.clear();
    e.stored_review_day = e.record.next_review_day();
    e.dirty = false;
  }
  for (const auto& [k, outcome] : outcomes_) batch.PutOutcome(k.partition, k.tenancy, outcome);
  dirty_.clear();
  outcomes_.clear();
  EvictIfFull();
}

void StreamCache::DropDirty() {
  for (const Key& k : dirty_) entries_.erase(k);
  dirty_.clear();
  outcomes_.clear();
}

void StreamCache::DropPartition(int32_t partition) {
  std::erase_if(dirty_, [&](const Key& k) { return k.first == partition; });
  std::erase_if(entries_, [&](const auto& kv) { return kv.first.first == partition; });
  std::erase_if(outcomes_, [&](const auto& kv) { return kv.first.partition == partition; });
}

void StreamCache::Clear() {
  entries_.clear();
  dirty_.clear();
  outcomes_.clear();
}

// Bounded memory: when the clean cache is over its limit, forget the least recently used quarter
// (the store has everything). Forgetting all of it made a tick over more streams than the limit
// reload every stream every few pages; a quarter keeps the cost per new stream constant.
void StreamCache::EvictIfFull() {
  if (entries_.size() <= max_clean_ || !dirty_.empty()) return;
  const size_t keep = max_clean_ - max_clean_ / 4;
  std::vector<uint64_t> uses;
  uses.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) uses.push_back(entry.last_used);
  const size_t drop = entries_.size() - keep;
  std::nth_element(uses.begin(), uses.begin() + static_cast<ptrdiff_t>(drop - 1), uses.end());
  const uint64_t cutoff = uses[drop - 1];  // uses are unique: exactly `drop` entries are <= it
  std::erase_if(entries_, [cutoff](const auto& kv) { return kv.second.last_used <= cutoff; });
}

}  // namespace rentstream::runtime
