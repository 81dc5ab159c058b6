#include "libs/runtime/auth.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/testing/jwt.h"

namespace rentstream::runtime {
namespace {

constexpr int64_t kNow = 1795600000;
const std::string kSecret = "a-shared-secret-of-at-least-32-bytes!!";

std::string B64(const std::string& s) { return absl::WebSafeBase64Escape(s); }

std::string Hs256(const std::string& header, const std::string& claims,
                  const std::string& secret = kSecret) {
  return testing::Hs256Token(secret, claims, header);
}

std::string Claims(const std::string& sub, const std::string& role, int64_t exp) {
  return absl::StrCat(R"({"sub":")", sub, R"(","role":")", role, R"(","exp":)", exp,
                      R"(,"iss":"idp"})");
}

class AuthTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path =
        (std::filesystem::temp_directory_path() / absl::StrCat("rs-auth-", ::getpid(), "-", name))
            .string();
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& f : files_) std::filesystem::remove(f);
  }
  std::unique_ptr<Authenticator> Jwt(const std::string& key_file, std::string issuer = "") {
    AuthConfig c;
    c.mode = "jwt";
    c.jwt_key_file = key_file;
    c.jwt_issuer = std::move(issuer);
    auto a = Authenticator::Create(c);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? std::move(*a) : nullptr;
  }
  std::vector<std::string> files_;
};

TEST_F(AuthTest, Hs256TokensGiveTheActorAndRole) {
  auto auth = Jwt(Write("secret", kSecret + "\n"), "idp");
  auto actor = auth->VerifyToken(
      Hs256(R"({"alg":"HS256"})", Claims("officer-7", "team_leader", kNow + 600)), kNow);
  ASSERT_TRUE(actor.ok()) << actor.status();
  EXPECT_EQ(actor->id(), "officer-7");
  EXPECT_EQ(actor->role(), common::v1::ACTOR_ROLE_TEAM_LEADER);
}

TEST_F(AuthTest, BadTokensAreUnauthenticatedWithTheReason) {
  auto auth = Jwt(Write("secret", kSecret), "idp");
  auto reason = [&](const std::string& token) {
    auto r = auth->VerifyToken(token, kNow);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << token;
    return std::string(r.status().message());
  };
  const std::string good = Claims("o", "officer", kNow + 600);
  EXPECT_EQ(reason(Hs256(R"({"alg":"HS256"})", good, std::string(40, 'x'))),
            "authorization: bad signature");
  EXPECT_EQ(reason(Hs256(R"({"alg":"HS256"})", Claims("o", "officer", kNow - 61))),
            "authorization: token expired");
  EXPECT_EQ(reason(Hs256(R"({"alg":"none"})", good)),
            "authorization: algorithm \"none\" not accepted");
  EXPECT_EQ(reason(Hs256(R"({"alg":"HS256"})", Claims("o", "king", kNow + 600))),
            "authorization: no known role claim");
  EXPECT_EQ(reason(Hs256(R"({"alg":"HS256"})", Claims("", "officer", kNow + 600))),
            "authorization: no sub (the actor id)");
  EXPECT_EQ(reason(Hs256(R"({"alg":"HS256"})",
                         absl::StrCat(R"({"sub":"o","role":"officer","iss":"other","exp":)",
                                      kNow + 600, "}"))),
            "authorization: wrong issuer");
  EXPECT_EQ(reason("not-a-token"), "authorization: not a compact JWS (header.payload.signature)");
  EXPECT_EQ(reason(Hs256(R"({"alg":"HS256"})", Claims("o", "officer", kNow + 30 * 3600))),
            "authorization: token lives longer than 24 hours");
  EXPECT_EQ(reason(Hs256(R"({"alg":"HS256"})", Claims("o", "service", kNow + 600))),
            "authorization: no known role claim");
  // A signature made with an RS256 header but the HS256 secret is not accepted either.
  EXPECT_EQ(reason(Hs256(R"({"alg":"RS256"})", good)),
            "authorization: algorithm \"RS256\" not accepted");
}

TEST_F(AuthTest, Rs256TokensVerifyWithThePublicKey) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ASSERT_NE(key, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* pem = nullptr;
  const long len = BIO_get_mem_data(bio, &pem);
  auto auth = Jwt(Write("pub.pem", std::string(pem, len)), "idp");
  BIO_free(bio);

  const std::string signed_part =
      B64(R"({"alg":"RS256","typ":"JWT"})") + "." + B64(Claims("svc", "integration", kNow + 60));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t sig_len = 0;
  ASSERT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
  ASSERT_EQ(EVP_DigestSign(ctx, nullptr, &sig_len,
                           reinterpret_cast<const unsigned char*>(signed_part.data()),
                           signed_part.size()),
            1);
  std::string sig(sig_len, '\0');
  ASSERT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                           reinterpret_cast<const unsigned char*>(signed_part.data()),
                           signed_part.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  auto actor = auth->VerifyToken(signed_part + "." + B64(sig.substr(0, sig_len)), kNow);
  ASSERT_TRUE(actor.ok()) << actor.status();
  EXPECT_EQ(actor->role(), common::v1::ACTOR_ROLE_INTEGRATION);
  // Tampered claims: the signature no longer matches.
  const std::string forged =
      B64(R"({"alg":"RS256","typ":"JWT"})") + "." + B64(Claims("svc", "service", kNow + 60));
  EXPECT_FALSE(auth->VerifyToken(forged + "." + B64(sig.substr(0, sig_len)), kNow).ok());
}

TEST_F(AuthTest, ConfigurationErrorsNameTheFlag) {
  AuthConfig c;
  c.mode = "kerberos";
  EXPECT_EQ(Authenticator::Create(c).status().message(), "--auth: must be metadata or jwt");
  c.mode = "jwt";
  c.jwt_key_file = "/nonexistent/key";
  EXPECT_EQ(Authenticator::Create(c).status().message().substr(0, 15), "--jwt-key-file:");
  c.jwt_key_file = Write("short", "short-secret");
  c.jwt_issuer = "idp";
  EXPECT_EQ(Authenticator::Create(c).status().message(),
            "--jwt-key-file: an HS256 secret needs 32 bytes or more");
  // A PEM that is not an RSA public key is refused, never taken as an HS256 secret.
  c.jwt_key_file = Write("cert.pem", "-----BEGIN CERTIFICATE-----\n" + std::string(64, 'A') +
                                         "\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(Authenticator::Create(c).status().message(),
            "--jwt-key-file: a PEM file must hold an RSA public key (BEGIN PUBLIC KEY)");
  c.jwt_issuer.clear();
  c.jwt_key_file = Write("secret2", kSecret);
  EXPECT_EQ(Authenticator::Create(c).status().message().substr(0, 13), "--jwt-issuer:");
}

}  // namespace
}  // namespace rentstream::runtime
