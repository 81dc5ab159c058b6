#pragma once
// What the escalation takes from the ledger's public events (rentstream.ledger.events.v1): the
// tenancy's details, and each movement of the rent account reduced to the figures arrears
// decisions read — balance, benefit still expected (HB/UC timing), payments, weekly rent.

#include <optional>

#include "rentstream/common/v1/envelope.pb.h"
#include "services/escalation/domain/arrears_case.h"

namespace rentstream::escalation::app {

// The escalation event recording a ledger event, or nullopt for events that do not concern
// arrears (write-off requests, suspense-stream events, other accounts).
std::optional<CaseEvent> ObserveLedgerEvent(const common::v1::Event& ledger_event);

}  // namespace rentstream::escalation::app
