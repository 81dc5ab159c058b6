#include "services/sample/app/counter_service.h"

#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/grpc_edge.h"

namespace rentstream::sample {

using runtime::ToGrpc;

grpc::Status CounterService::Increment(grpc::ServerContext* context,
                                       const v1::IncrementRequest* request,
                                       v1::IncrementResponse* response) {
  v1::Increment payload;
  payload.set_amount(request->amount());
  auto outcome = runtime::SubmitCommand(
      host_, *context, request->command_id(), request->tenancy_ref(), payload, "",
      request->has_occurred_at() ? &request->occurred_at() : nullptr);
  if (!outcome.ok()) return ToGrpc(outcome.status());
  for (const common::v1::Event& event : outcome->accepted().events()) {
    v1::Incremented incremented;
    if (event.envelope().event_type() != v1::Incremented::descriptor()->full_name() ||
        !incremented.ParseFromString(event.payload())) {
      continue;
    }
    response->set_total(incremented.total());
    response->set_sequence(event.envelope().sequence());
    response->set_event_id(event.envelope().event_id());
  }
  return grpc::Status::OK;
}

grpc::Status CounterService::GetCounter(grpc::ServerContext* /*context*/,
                                        const v1::GetCounterRequest* request,
                                        v1::GetCounterResponse* response) {
  runtime::SideRecords side;
  auto stored = host_.LoadStream(request->tenancy_ref(), &side);
  if (!stored.ok()) return ToGrpc(stored.status());
  if (!stored->has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("tenancy_ref: no counter for ", request->tenancy_ref()));
  }
  v1::CounterState state;
  state.ParseFromString((*stored)->state());
  response->set_total(state.total());
  response->set_sequence((*stored)->sequence());
  for (const std::string& record : side.history) {
    v1::Incremented incremented;
    if (!incremented.ParseFromString(record)) {
      return grpc::Status(grpc::StatusCode::DATA_LOSS, "counter history does not parse");
    }
    response->add_amounts(incremented.amount());
  }
  for (const auto& [key, record] : side.keyed) {  // "day/YYYY-MM-DD": in date order
    if (!response->add_days()->ParseFromString(record)) {
      return grpc::Status(grpc::StatusCode::DATA_LOSS, "counter day total does not parse");
    }
  }
  return grpc::Status::OK;
}

}  // namespace rentstream::sample
