#include "libs/runtime/stream_cache.h"

#include <algorithm>
#include <set>

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

namespace {

// Whether a message type, or any it contains, has a map field: only maps make protobuf's plain
// serialization order vary between equal messages.
bool HasMapField(const google::protobuf::Descriptor* type,
                 std::set<const google::protobuf::Descriptor*>& seen) {
  if (!seen.insert(type).second) return false;
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    if (field->is_map()) return true;
    if (field->message_type() != nullptr && HasMapField(field->message_type(), seen)) return true;
  }
  return false;
}

}  // namespace

StreamCache::StreamCache(StreamStore& store, const StreamLogic& logic, size_t max_clean_entries)
    : store_(store), logic_(logic), max_clean_(max_clean_entries) {
  std::set<const google::protobuf::Descriptor*> seen;
  state_has_maps_ = HasMapField(logic_.NewState()->GetDescriptor(), seen);
}

absl::StatusOr<StreamEntry*> StreamCache::Load(int32_t partition, const std::string& tenancy) {
  auto it = entries_.find({partition, tenancy});
  StreamEntry* entry = nullptr;
  if (it != entries_.end()) {
    entry = &it->second;
    entry->last_used = ++uses_;
  } else {
    auto stored = store_.LoadStream(partition, tenancy);
    if (!stored.ok()) return stored.status();
    auto inserted = Insert(partition, tenancy, *std::move(stored));
    if (!inserted.ok()) return inserted.status();
    entry = *inserted;
  }
  if (entry->state == nullptr) {  // a clean entry's state, as bytes: parsed when first used
    std::unique_ptr<google::protobuf::Message> state = logic_.NewState();
    if (!state->ParseFromString(entry->record.state())) {
      absl::Status lost =
          absl::DataLossError(absl::StrCat("state of ", tenancy, " does not parse"));
      entries_.erase(Key{partition, tenancy});  // as if never loaded: read from the store again
      return lost;
    }
    entry->record.clear_state();  // keeps its buffer for the bytes written at the next flush
    entry->state = std::move(state);
  }
  return entry;
}

absl::StatusOr<StreamEntry*> StreamCache::Insert(int32_t partition, const std::string& tenancy,
                                                 std::optional<v1::StreamRecord> stored) {
  StreamEntry entry;
  if (stored.has_value()) {
    entry.record = std::move(*stored);  // the state's bytes parsed at its first use (Load)
    entry.stored_review_day = entry.record.next_review_day();
  } else {
    entry.state = logic_.NewState();
    entry.record.set_tenancy_ref(tenancy);
    entry.last_command_known = true;  // no events yet
  }
  entry.last_used = ++uses_;
  return &entries_.emplace(Key{partition, tenancy}, std::move(entry)).first->second;
}

absl::Status StreamCache::Prefetch(int32_t partition, const std::vector<Upcoming>& commands) {
  std::vector<std::string> streams;
  std::vector<std::pair<std::string, std::string>> unknown;
  std::set<std::string> asked;
  for (const Upcoming& command : commands) {
    if (!entries_.count({partition, command.tenancy}) && asked.insert(command.tenancy).second) {
      streams.push_back(command.tenancy);
    }
    OutcomeKey key{partition, command.tenancy, command.command_id};
    if (!outcomes_.count(key) && !prefetched_.count(key)) {
      unknown.emplace_back(command.tenancy, command.command_id);
    }
  }
  auto records = store_.LoadStreams(partition, streams);
  if (!records.ok()) return records.status();
  for (size_t i = 0; i < streams.size(); ++i) {
    if (auto st = Insert(partition, streams[i], std::move((*records)[i])); !st.ok()) {
      return st.status();
    }
  }
  auto outcomes = store_.LoadOutcomes(partition, unknown);
  if (!outcomes.ok()) return outcomes.status();
  for (size_t i = 0; i < unknown.size(); ++i) {
    prefetched_[{partition, unknown[i].first, unknown[i].second}] = std::move((*outcomes)[i]);
  }
  // Keyed records not known to the entries yet (neither written nor read in this transaction).
  std::vector<std::pair<std::string, std::string>> keyed;
  std::vector<StreamEntry*> owners;
  for (const Upcoming& command : commands) {
    StreamEntry& entry = entries_.at({partition, command.tenancy});
    for (const std::string& key : command.keys) {
      if (entry.pending_keyed.count(key) || entry.keyed_read.count(key)) continue;
      if (entry.keyed_read.empty()) prefetched_keyed_.push_back({partition, command.tenancy});
      entry.keyed_read[key] = std::nullopt;  // placeholder: asked once
      keyed.emplace_back(command.tenancy, key);
      owners.push_back(&entry);
    }
  }
  auto values = store_.LoadKeyedOf(partition, keyed);
  if (!values.ok()) {
    for (size_t i = 0; i < keyed.size(); ++i) owners[i]->keyed_read.erase(keyed[i].second);
    return values.status();
  }
  for (size_t i = 0; i < keyed.size(); ++i) {
    owners[i]->keyed_read[keyed[i].second] = std::move((*values)[i]);
  }
  return absl::OkStatus();
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

absl::Status StreamCache::LoadKeyed(int32_t partition, StreamEntry& entry,
                                    const std::vector<std::string>& keys, KeyedRecords& out) {
  std::vector<std::string> stored;
  for (const std::string& key : keys) {
    if (auto pending = entry.pending_keyed.find(key); pending != entry.pending_keyed.end()) {
      out[key] = pending->second;
    } else if (auto read = entry.keyed_read.find(key); read != entry.keyed_read.end()) {
      if (read->second.has_value()) out[key] = *read->second;
    } else {
      stored.push_back(key);
    }
  }
  if (stored.empty()) return absl::OkStatus();
  KeyedRecords found;
  if (absl::Status st = store_.LoadKeyed(partition, entry.record.tenancy_ref(), stored, found);
      !st.ok()) {
    return st;
  }
  for (const std::string& key : stored) {
    auto it = found.find(key);
    if (it == found.end()) {
      entry.keyed_read[key] = std::nullopt;
    } else {
      entry.keyed_read[key] = it->second;
      out[key] = std::move(it->second);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<common::v1::CommandOutcome>> StreamCache::FindOutcome(
    int32_t partition, const std::string& tenancy, const std::string& command_id) {
  auto it = outcomes_.find({partition, tenancy, command_id});
  if (it != outcomes_.end()) return std::optional<common::v1::CommandOutcome>(*it->second);
  auto prefetched = prefetched_.find({partition, tenancy, command_id});
  if (prefetched != prefetched_.end()) return prefetched->second;
  return store_.LoadOutcome(partition, tenancy, command_id);
}

absl::StatusOr<common::v1::CommandOutcome*> StreamCache::TouchOutcome(int32_t partition,
                                                                      const std::string& tenancy,
                                                                      const std::string& command_id,
                                                                      bool known_new) {
  OutcomeKey key{partition, tenancy, command_id};
  auto it = outcomes_.find(key);
  if (it != outcomes_.end()) return it->second;
  absl::StatusOr<std::optional<common::v1::CommandOutcome>> stored = std::nullopt;
  if (auto prefetched = prefetched_.find(key); prefetched != prefetched_.end()) {
    stored = prefetched->second;
  } else if (!known_new) {
    stored = store_.LoadOutcome(partition, tenancy, command_id);
  }
  if (!stored.ok()) return stored.status();
  auto* outcome =
      google::protobuf::Arena::CreateMessage<common::v1::CommandOutcome>(&outcome_arena_);
  if (stored->has_value()) {
    *outcome = **stored;
  } else {
    outcome->set_command_id(command_id);
    outcome->set_tenancy_ref(tenancy);
  }
  outcomes_.emplace(std::move(key), outcome);
  return outcome;
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
  // Written in key order, one key space at a time (streams, then history, keyed records and
  // outcomes, each sorted; a stream's review-index moves go with its stream record): RocksDB's
  // memtable inserts a write batch's keys in the order given and starts each search from where
  // the previous key went, so sorted keys cost a few comparisons each instead of a search from
  // the top.
  std::sort(dirty_.begin(), dirty_.end());
  std::vector<StreamEntry*> flushed;
  flushed.reserve(dirty_.size());
  for (const Key& k : dirty_) {
    StreamEntry& e = entries_.at(k);
    flushed.push_back(&e);
    // Equal states, equal bytes (the projection digest): deterministic order where maps
    // could vary it; otherwise the plain (faster) serialization is already deterministic.
    if (state_has_maps_) {
      e.record.set_state(DeterministicBytes(*e.state));
    } else {
      e.state->SerializeToString(e.record.mutable_state());
    }
    batch.PutStream(k.first, e.record, e.stored_review_day);
  }
  for (size_t i = 0; i < dirty_.size(); ++i) {
    StreamEntry& e = *flushed[i];
    // A stream's history keys grow with its sequence, and pending_history is in folding order.
    for (const auto& [sequence, records] : e.pending_history) {
      batch.PutHistory(dirty_[i].first, dirty_[i].second, sequence, records);
    }
    e.pending_history.clear();
  }
  for (size_t i = 0; i < dirty_.size(); ++i) {
    StreamEntry& e = *flushed[i];
    for (const auto& [key, value] : e.pending_keyed) {  // a map: in key order
      batch.PutKeyed(dirty_[i].first, dirty_[i].second, key, value);
    }
    e.pending_keyed.clear();
    e.keyed_read.clear();
    e.memo.reset();   // a memo lives for one transaction: clean entries hold only the state,
    e.state.reset();  // as the bytes just written (destroyed now, while still in the CPU cache)
    e.stored_review_day = e.record.next_review_day();
    e.dirty = false;
  }
  // A map ordered as the outcome keys are.
  for (const auto& [k, outcome] : outcomes_) batch.PutOutcome(k.partition, k.tenancy, *outcome);
  dirty_.clear();
  ClearOutcomes();
  prefetched_.clear();
  ForgetPrefetchedKeyed();
  EvictIfFull();
}

void StreamCache::ClearOutcomes() {
  outcomes_.clear();
  outcome_arena_.Reset();
}

void StreamCache::ForgetPrefetchedKeyed() {
  for (const Key& k : prefetched_keyed_) {
    if (auto it = entries_.find(k); it != entries_.end()) it->second.keyed_read.clear();
  }
  prefetched_keyed_.clear();
}

void StreamCache::DropDirty() {
  ForgetPrefetchedKeyed();
  for (const Key& k : dirty_) entries_.erase(k);
  dirty_.clear();
  ClearOutcomes();
  prefetched_.clear();
}

void StreamCache::DropPartition(int32_t partition) {
  std::erase_if(dirty_, [&](const Key& k) { return k.first == partition; });
  absl::erase_if(entries_, [&](const auto& kv) { return kv.first.first == partition; });
  std::erase_if(outcomes_, [&](const auto& kv) { return kv.first.partition == partition; });
  std::erase_if(prefetched_, [&](const auto& kv) { return kv.first.partition == partition; });
  std::erase_if(prefetched_keyed_, [&](const Key& k) { return k.first == partition; });
}

void StreamCache::Clear() {
  entries_.clear();
  dirty_.clear();
  ClearOutcomes();
  prefetched_.clear();
  prefetched_keyed_.clear();
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
  absl::erase_if(entries_, [cutoff](const auto& kv) { return kv.second.last_used <= cutoff; });
}

}  // namespace rentstream::runtime
