#pragma once
// Who is calling (architecture §9: bearer-token roles). Two modes:
// - "metadata": the actor and role are taken from `x-rentstream-actor` / `x-rentstream-role`
//   as sent. For the embedded single-process deployment and tests; trusted networks only.
// - "jwt": `authorization: Bearer <JWT>` is required and verified — HS256 with a shared secret
//   or RS256 with the identity provider's public key (PEM) — with `exp` (and `nbf`) checked
//   against the clock with 60 s of leeway (at most 24 hours of life), and `iss` / `aud` (at
//   least one configured). A PEM key file must be an RSA public key of 2048 bits or more. Claims:
//   `sub` (the actor id) and `role` (officer, team_leader, income_manager, auditor, integration;
//   never `service`). Anything else is UNAUTHENTICATED naming what is wrong; no fallback.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rentstream/common/v1/types.pb.h"

namespace rentstream::runtime {

struct AuthConfig {
  std::string mode = "metadata";  // metadata | jwt
  std::string jwt_key_file;       // jwt: HS256 secret, or RS256 public key (PEM)
  std::string jwt_issuer;         // jwt: required `iss` when set
  std::string jwt_audience;       // jwt: required `aud` when set
};

class Authenticator {
 public:
  // Reads the key file (jwt mode). INVALID_ARGUMENT naming the flag on a bad configuration.
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(const AuthConfig& config);
  ~Authenticator();

  absl::StatusOr<common::v1::Actor> Authenticate(const grpc::ServerContext& context) const;

  // The jwt check alone: a compact JWS as sent after "Bearer ", at `now_unix` seconds.
  absl::StatusOr<common::v1::Actor> VerifyToken(absl::string_view token, int64_t now_unix) const;

 private:
  struct Key;
  Authenticator() = default;

  AuthConfig config_;
  std::unique_ptr<Key> key_;
};

// "team_leader" → ACTOR_ROLE_TEAM_LEADER; UNSPECIFIED for anything unknown.
common::v1::ActorRole RoleFromName(absl::string_view name);

}  // namespace rentstream::runtime
