#pragma once
// Shared by the processor's source files (processor_host.cc: the loop and transactions;
// processor_events.cc: emitting and folding events, catch-up, rebuild;
// processor_commands.cc: commands, batches, ticks). Not part of the runtime's interface.

#include <map>
#include <string>

#include "libs/runtime/processor_host.h"

namespace rentstream::runtime {

// The work of one transaction: positions consumed and records appended per topic.
struct ProcessorHost::Batch {
  std::map<eventlog::TopicPartition, int64_t> consumed;
  std::map<std::string, double> in_per_topic;
  std::map<std::string, double> out_per_topic;
  size_t out_records = 0;  // records appended so far (the transaction's output budget)
  void Out(const std::string& topic) {
    out_per_topic[topic] += 1;
    ++out_records;
  }
};

}  // namespace rentstream::runtime
