#pragma once
// What the command gateway and the processor share about commands and their answers: the size
// of a CommandBatch, the header giving it, and the answer's CommandResult form. Apart from
// command_gateway.h, so that the processor does not depend on the gateway.

#include <cstddef>
#include <string>

#include "rentstream/common/v1/command.pb.h"

namespace rentstream::runtime {

// Copies an accepted outcome into a service's CommandResult message (sequence, event ids and
// types): every service's results have that shape. Either form of Accepted gives the same.
template <typename Result>
void RecordOutcome(const common::v1::CommandOutcome& outcome, Result* result) {
  if (outcome.accepted().has_result()) {
    const common::v1::CommandResult& given = outcome.accepted().result();
    result->set_sequence(given.sequence());
    for (const std::string& id : given.event_ids()) result->add_event_ids(id);
    for (const std::string& type : given.event_types()) result->add_event_types(type);
    return;
  }
  for (const common::v1::Event& event : outcome.accepted().events()) {
    result->set_sequence(event.envelope().sequence());
    result->add_event_ids(event.envelope().event_id());
    result->add_event_types(event.envelope().event_type());
  }
}

// Commands in one CommandBatch at most (the processor refuses larger batches).
inline constexpr size_t kMaxBatchCommands = 1000;
// The header of a CommandBatch record giving its number of commands.
inline constexpr char kBatchCommandsHeader[] = "rs-batch-commands";

}  // namespace rentstream::runtime
