#pragma once
// Test tokens: a compact HS256 JWS over the given claims, as an identity provider would issue.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "absl/strings/escaping.h"

namespace rentstream::testing {

inline std::string Hs256Token(const std::string& secret, const std::string& claims_json,
                              const std::string& header_json = R"({"alg":"HS256","typ":"JWT"})") {
  const std::string signed_part =
      absl::WebSafeBase64Escape(header_json) + "." + absl::WebSafeBase64Escape(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac, &len);
  return signed_part + "." +
         absl::WebSafeBase64Escape(std::string(reinterpret_cast<char*>(mac), len));
}

}  // namespace rentstream::testing
