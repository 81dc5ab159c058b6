#include "libs/runtime/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace rentstream::runtime {
namespace {

constexpr int64_t kLeewaySeconds = 60;
constexpr size_t kMaxTokenBytes = 8192;
constexpr double kMaxLifetimeSeconds = 24 * 3600;

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("authorization: ", why));
}

std::string Metadata(const grpc::ServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

bool Base64UrlDecode(absl::string_view in, std::string* out) {
  return absl::WebSafeBase64Unescape(in, out);
}

std::string StringClaim(const nlohmann::json& claims, const char* key) {
  auto it = claims.find(key);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

struct Authenticator::Key {
  std::string secret;              // HS256
  EVP_PKEY* public_key = nullptr;  // RS256
  ~Key() { EVP_PKEY_free(public_key); }
};

Authenticator::~Authenticator() = default;

common::v1::ActorRole RoleFromName(absl::string_view r) {
  if (r == "officer") return common::v1::ACTOR_ROLE_OFFICER;
  if (r == "team_leader") return common::v1::ACTOR_ROLE_TEAM_LEADER;
  if (r == "income_manager") return common::v1::ACTOR_ROLE_INCOME_MANAGER;
  if (r == "auditor") return common::v1::ACTOR_ROLE_AUDITOR;
  if (r == "integration") return common::v1::ACTOR_ROLE_INTEGRATION;
  if (r == "service") return common::v1::ACTOR_ROLE_SERVICE;
  return common::v1::ACTOR_ROLE_UNSPECIFIED;
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(const AuthConfig& config) {
  std::unique_ptr<Authenticator> a(new Authenticator());
  a->config_ = config;
  if (config.mode == "metadata") return a;
  if (config.mode != "jwt") return absl::InvalidArgumentError("--auth: must be metadata or jwt");
  // (HostConfig::Validate checks the flags too; this keeps the class safe on its own.)
  std::ifstream in(config.jwt_key_file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (!in || text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--jwt-key-file: cannot read \"", config.jwt_key_file, "\""));
  }
  a->key_ = std::make_unique<Key>();
  if (config.jwt_issuer.empty() && config.jwt_audience.empty()) {
    return absl::InvalidArgumentError(
        "--jwt-issuer: set the issuer or --jwt-audience (a token for another service must fail)");
  }
  // Any PEM must be an RSA public key: a public key taken as an HS256 secret would let anyone
  // who has it sign tokens (algorithm confusion).
  if (absl::StrContains(text, "-----BEGIN")) {
    BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    a->key_->public_key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (a->key_->public_key == nullptr || EVP_PKEY_base_id(a->key_->public_key) != EVP_PKEY_RSA) {
      return absl::InvalidArgumentError(
          "--jwt-key-file: a PEM file must hold an RSA public key (BEGIN PUBLIC KEY)");
    }
    if (EVP_PKEY_get_bits(a->key_->public_key) < 2048) {
      return absl::InvalidArgumentError("--jwt-key-file: the RSA key is shorter than 2048 bits");
    }
  } else {
    a->key_->secret = text;
    while (!a->key_->secret.empty() &&
           (a->key_->secret.back() == '\n' || a->key_->secret.back() == '\r')) {
      a->key_->secret.pop_back();
    }
    if (a->key_->secret.size() < 32) {
      return absl::InvalidArgumentError("--jwt-key-file: an HS256 secret needs 32 bytes or more");
    }
  }
  return a;
}

absl::StatusOr<common::v1::Actor> Authenticator::Authenticate(
    const grpc::ServerContext& context) const {
  if (config_.mode == "metadata") {
    common::v1::Actor actor;
    const std::string id = Metadata(context, "x-rentstream-actor");
    actor.set_id(id.empty() ? "anonymous" : id);
    const std::string role = Metadata(context, "x-rentstream-role");
    const common::v1::ActorRole r = RoleFromName(role);
    // `service` is never taken from metadata: only Rentstream's own processes act as it.
    actor.set_role(r == common::v1::ACTOR_ROLE_UNSPECIFIED || r == common::v1::ACTOR_ROLE_SERVICE
                       ? common::v1::ACTOR_ROLE_OFFICER
                       : r);
    return actor;
  }
  const std::string header = Metadata(context, "authorization");
  if (header.empty()) return Unauthenticated("a bearer token is required");
  if (header.size() < 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "bearer ")) {
    return Unauthenticated("not a bearer token");
  }
  return VerifyToken(absl::string_view(header).substr(7), std::time(nullptr));
}

absl::StatusOr<common::v1::Actor> Authenticator::VerifyToken(absl::string_view token,
                                                             int64_t now) const {
  if (key_ == nullptr) return Unauthenticated("tokens are not configured (--auth=jwt)");
  if (token.size() > kMaxTokenBytes) return Unauthenticated("token too long");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("not a compact JWS (header.payload.signature)");
  std::string header_json, payload_json, signature;
  if (!Base64UrlDecode(parts[0], &header_json) || !Base64UrlDecode(parts[1], &payload_json) ||
      !Base64UrlDecode(parts[2], &signature)) {
    return Unauthenticated("not base64url");
  }
  const nlohmann::json header = nlohmann::json::parse(header_json, nullptr, false);
  const nlohmann::json claims = nlohmann::json::parse(payload_json, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return Unauthenticated("not JSON");
  const std::string alg = StringClaim(header, "alg");
  const std::string signed_part = absl::StrCat(parts[0], ".", parts[1]);
  if (alg == "HS256" && !key_->secret.empty()) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key_->secret.data(), static_cast<int>(key_->secret.size()),
         reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac,
         &mac_len);
    if (signature.size() != mac_len || CRYPTO_memcmp(mac, signature.data(), mac_len) != 0) {
      return Unauthenticated("bad signature");
    }
  } else if (alg == "RS256" && key_->public_key != nullptr) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        ctx != nullptr &&
        EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_->public_key) == 1 &&
        EVP_DigestVerify(
            ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
            reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return Unauthenticated("bad signature");
  } else {
    // "none", or an algorithm the configured key is not for: never accepted.
    return Unauthenticated(absl::StrCat("algorithm \"", alg, "\" not accepted"));
  }
  if (!claims.contains("exp") || !claims["exp"].is_number()) return Unauthenticated("no exp");
  if (claims["exp"].get<double>() + kLeewaySeconds < static_cast<double>(now)) {
    return Unauthenticated("token expired");
  }
  if (claims["exp"].get<double>() - static_cast<double>(now) > kMaxLifetimeSeconds) {
    return Unauthenticated("token lives longer than 24 hours");
  }
  if (claims.contains("nbf") && claims["nbf"].is_number() &&
      claims["nbf"].get<double>() - kLeewaySeconds > static_cast<double>(now)) {
    return Unauthenticated("token not yet valid");
  }
  if (!config_.jwt_issuer.empty() && StringClaim(claims, "iss") != config_.jwt_issuer) {
    return Unauthenticated("wrong issuer");
  }
  if (!config_.jwt_audience.empty()) {
    const auto& aud = claims.contains("aud") ? claims["aud"] : nlohmann::json();
    bool found = aud.is_string() && aud.get<std::string>() == config_.jwt_audience;
    if (aud.is_array()) {
      for (const auto& a : aud)
        found |= a.is_string() && a.get<std::string>() == config_.jwt_audience;
    }
    if (!found) return Unauthenticated("wrong audience");
  }
  const std::string sub = StringClaim(claims, "sub");
  if (sub.empty() || sub.size() > 128) return Unauthenticated("no sub (the actor id)");
  const common::v1::ActorRole role = RoleFromName(StringClaim(claims, "role"));
  // `service` is Rentstream's own processes acting in-process, never a caller from outside.
  if (role == common::v1::ACTOR_ROLE_UNSPECIFIED || role == common::v1::ACTOR_ROLE_SERVICE) {
    return Unauthenticated("no known role claim");
  }
  common::v1::Actor actor;
  actor.set_id(sub);
  actor.set_role(role);
  return actor;
}

}  // namespace rentstream::runtime
