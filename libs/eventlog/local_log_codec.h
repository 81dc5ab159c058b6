#pragma once
// The on-disk layout of LocalBus's RocksDB database. One key space, three kinds of entry:
//   "t" topic                               → partitions, configs
//   "r" topic \0 partition(be32) offset(be64) → timestamp, key, value, headers
//   "g" group \0 topic \0 partition(be32)     → next offset (be64)
// Big-endian numbers make RocksDB's byte order the log order. Changing this layout needs a
// migration: the embedded log is a landlord's system of record.

#include <rocksdb/slice.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/eventlog/event_bus.h"

namespace rentstream::eventlog::local_log {

inline constexpr char kTopicTag[] = "t";
inline constexpr char kRecordTag[] = "r";
inline constexpr char kGroupTag[] = "g";

std::string TopicKey(const std::string& topic);
std::string EncodeTopic(const TopicSpec& spec);
bool DecodeTopic(absl::string_view bytes, TopicSpec& spec);

std::string RecordPrefix(const TopicPartition& tp);
std::string RecordKey(const TopicPartition& tp, int64_t offset);
int64_t OffsetOfKey(const rocksdb::Slice& key);
std::string EncodeRecord(const OutgoingRecord& record, int64_t timestamp_ms);
// Fills key, value, headers and timestamp of `out`; false when the bytes are malformed.
bool DecodeRecord(absl::string_view bytes, Record& out);

std::string GroupKey(const std::string& group, const TopicPartition& tp);
std::string EncodeOffset(int64_t offset);
bool DecodeGroupEntry(const rocksdb::Slice& key, const rocksdb::Slice& value, std::string& group,
                      TopicPartition& tp, int64_t& offset);

}  // namespace rentstream::eventlog::local_log
