#include <gtest/gtest.h>

#include "app/jwt.hpp"
#include "engineio/base64.hpp"

using namespace sio::app;
using json = nlohmann::ordered_json;

namespace {
const std::string kSecret = "s3cret";
// A well-formed header and payload followed by a signature that is no HMAC at all.
const std::string kGarbageSignature =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTcwMDAwMDAwMH0.garbage";

bool rejected(const std::string& token, const std::string& secret = kSecret) {
  return std::holds_alternative<JwtError>(verify_jwt(token, secret));
}

std::string b64url(std::string_view s) {
  auto t = sio::engineio::base64_encode(s);
  for (auto& c : t) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!t.empty() && t.back() == '=') t.pop_back();
  return t;
}
}  // namespace

TEST(Jwt, accepts_token_it_signed_and_returns_claims) {
  auto result = verify_jwt(sign_jwt({{"sub", "alice"}, {"role", "admin"}}, kSecret), kSecret);
  ASSERT_TRUE(std::holds_alternative<json>(result));
  EXPECT_EQ(std::get<json>(result)["sub"], "alice");
  EXPECT_EQ(std::get<json>(result)["role"], "admin");
}

TEST(Jwt, rejects_token_signed_with_other_secret) {
  EXPECT_TRUE(rejected(sign_jwt({{"sub", "alice"}}, "other")));
}

TEST(Jwt, rejects_alg_none) {
  auto token = b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(R"({"sub":"mallory"})") + ".";
  EXPECT_TRUE(rejected(token));
}

TEST(Jwt, rejects_rs256_header_even_with_valid_hmac) {
  auto input = b64url(R"({"alg":"RS256","typ":"JWT"})") + "." + b64url(R"({"sub":"mallory"})");
  auto valid = sign_jwt({{"sub", "mallory"}}, kSecret);
  auto token = input + valid.substr(valid.rfind('.'));
  EXPECT_TRUE(rejected(token));
}

TEST(Jwt, rejects_tampered_payload) {
  auto token = sign_jwt({{"sub", "alice"}}, kSecret);
  auto first = token.find('.'), second = token.rfind('.');
  auto forged = token.substr(0, first + 1) + b64url(R"({"sub":"admin"})") + token.substr(second);
  EXPECT_TRUE(rejected(forged));
}

TEST(Jwt, rejects_expired_and_not_yet_valid) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_TRUE(rejected(sign_jwt({{"sub", "a"}, {"exp", now - 10}}, kSecret)));
  EXPECT_TRUE(rejected(sign_jwt({{"sub", "a"}, {"nbf", now + 100}}, kSecret)));
  EXPECT_FALSE(rejected(sign_jwt({{"sub", "a"}, {"exp", now + 100}, {"nbf", now - 1}}, kSecret)));
}

TEST(Jwt, rejects_malformed_tokens) {
  EXPECT_TRUE(rejected(""));
  EXPECT_TRUE(rejected("abc"));
  EXPECT_TRUE(rejected("a.b"));
  EXPECT_TRUE(rejected("a.b.c.d"));
  EXPECT_TRUE(rejected(kGarbageSignature));
}

TEST(Jwt, verifies_token_from_another_implementation) {
  // jwt.io's HS256 example ("your-256-bit-secret"), as produced by common libraries.
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
      "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  auto result = verify_jwt(token, "your-256-bit-secret");
  ASSERT_TRUE(std::holds_alternative<json>(result));
  EXPECT_EQ(std::get<json>(result)["sub"], "1234567890");
}
