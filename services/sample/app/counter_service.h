#pragma once
// gRPC handlers of the sample counter: commands go through the CommandGateway (never straight
// to the events topic); the query reads this instance's projection.

#include "libs/runtime/service_host.h"
#include "rentstream/sample/v1/counter.grpc.pb.h"

namespace rentstream::sample {

class CounterService final : public v1::CounterService::Service {
 public:
  explicit CounterService(runtime::ServiceHost& host) : host_(host) {}

  grpc::Status Increment(grpc::ServerContext* context, const v1::IncrementRequest* request,
                         v1::IncrementResponse* response) override;
  grpc::Status GetCounter(grpc::ServerContext* context, const v1::GetCounterRequest* request,
                          v1::GetCounterResponse* response) override;

 private:
  runtime::ServiceHost& host_;
};

}  // namespace rentstream::sample
