#pragma once
// What a stream keeps beside its record (head + state) in the state store, so that the state a
// decision loads stays small however old the stream is (docs/architecture.md, "A stream's
// history is not its state; nor are its records by key"):
// - history records: append-only, in folding order, read only by queries (a ledger's movements);
// - keyed records: one record per key, written by folds and read by a decision only under the
//   keys its logic names for the command (a ledger's payments by posting id, to refuse a
//   duplicate or find the payment a reversal names); queries may read them all.

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rentstream::runtime {

// Keyed records of one stream: key → record.
using KeyedRecords = std::map<std::string, std::string>;

// Everything a stream keeps beside its record, as a query reads it.
struct SideRecords {
  std::vector<std::string> history;  // oldest first
  KeyedRecords keyed;
};

// Which of a stream's side records a query reads with it (StreamStore::LoadStream): by default
// all of both kinds. A query that needs only some — a list of a ledger's held payments, not its
// years of movements — reads only those.
struct SideWanted {
  bool history = true;
  // Only the keyed records whose key starts with this ("": every one).
  std::string keyed_prefix;
};

class StreamMemo;
class DecodedEvent;

// What folding one event keeps beside the state (StreamLogic::EvolveStream).
struct FoldSide {
  // The stream's memo (StreamMemo; null: none kept): a fold that changes the state updates it
  // or empties it.
  std::unique_ptr<StreamMemo>* memo = nullptr;
  // In: the logic's own decoded form of the event (NewEvent::decoded) when the host folds an
  // event the logic has just decided; null when the event comes from the topic (catch-up,
  // rebuild), when the fold decodes the payload.
  const DecodedEvent* decoded = nullptr;
  // In: the stream's records under the keys the logic named for the event (KeysToFold) that
  // exist, with this transaction's writes. The fold reads them; it does not change this map.
  KeyedRecords keyed;
  // Out: records to set under their keys (a new record, or a new version of one read above),
  // written with the state in the same atomic write.
  KeyedRecords keyed_writes;
  // Out: history records the event adds.
  std::vector<std::string> history;
};

}  // namespace rentstream::runtime
