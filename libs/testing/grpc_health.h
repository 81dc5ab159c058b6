#pragma once
// grpc.health.v1 for tests and benchmarks, hand-encoded (Debian ships no health.proto).

#include <grpcpp/grpcpp.h>

#include <string>

namespace rentstream::testing {

// The serving status `service` reports on `channel`: 1 SERVING, 2 NOT_SERVING, 0 unset, -1 when
// the call failed (or the name is over 127 bytes).
int HealthStatus(grpc::Channel& channel, const std::string& service);

}  // namespace rentstream::testing
