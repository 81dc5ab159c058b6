#pragma once
// The on-disk layout of LocalBus's RocksDB database (layout 2).
//
// The default column family holds the metadata:
//   "t" topic                               → partitions, configs
//   "g" group \0 topic \0 partition(be32)     → next offset (be64)
//   "v"                                     → the layout's number ("2")
// Each topic partition that has records has a column family of its own, named
//   "r/" topic "/" partition (decimal)      with   offset(be64) → timestamp, key, value, headers
// Big-endian numbers make RocksDB's byte order the log order. A partition is only ever appended
// to at its end, so within its own column family a memtable flushed to disk never overlaps the
// files below it and compaction moves those files down instead of rewriting them; in one shared
// key space every flush held the new end of every partition and each level-0 compaction
// rewrote all of level 1 (docs/performance.md, session 19).
//
// Layout 1 (before 2026-12-06) kept the records in the default column family under
//   "r" topic \0 partition(be32) offset(be64)
// and had no "v" entry; LocalBus::Open moves such a log's records once, keeping every byte of
// every record and its offset. Changing this layout needs such a migration: the embedded log
// is a landlord's system of record.

#include <rocksdb/slice.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/eventlog/event_bus.h"

namespace rentstream::eventlog::local_log {

inline constexpr char kTopicTag[] = "t";
inline constexpr char kGroupTag[] = "g";
inline constexpr char kLayoutKey[] = "v";
inline constexpr char kLayout[] = "2";

// Topic names as Kafka allows them: 1-249 of [a-zA-Z0-9._-], not "." or "..". (So a name never
// holds the "/" that separates a column family's parts.)
bool IsValidTopicName(absl::string_view name);

std::string TopicKey(const std::string& topic);
std::string EncodeTopic(const TopicSpec& spec);
bool DecodeTopic(absl::string_view bytes, TopicSpec& spec);

// The column family of one topic partition's records.
std::string PartitionFamily(const TopicPartition& tp);
// A record's key in its partition's column family.
std::string OffsetKey(int64_t offset);
// The offset a record key (layout 1 or 2) ends with; -1 if it is too short.
int64_t OffsetOfKey(const rocksdb::Slice& key);
std::string EncodeRecord(const OutgoingRecord& record, int64_t timestamp_ms);
// Fills key, value, headers and timestamp of `out`; false when the bytes are malformed.
bool DecodeRecord(absl::string_view bytes, Record& out);

// Layout 1's record keys in the default column family, for the migration and its tests.
inline constexpr char kLayout1RecordTag[] = "r";
std::string Layout1RecordKey(const TopicPartition& tp, int64_t offset);
bool DecodeLayout1RecordKey(const rocksdb::Slice& key, TopicPartition& tp, int64_t& offset);

std::string GroupKey(const std::string& group, const TopicPartition& tp);
std::string EncodeOffset(int64_t offset);
bool DecodeGroupEntry(const rocksdb::Slice& key, const rocksdb::Slice& value, std::string& group,
                      TopicPartition& tp, int64_t& offset);

}  // namespace rentstream::eventlog::local_log
