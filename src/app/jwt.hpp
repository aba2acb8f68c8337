#pragma once
// JSON Web Tokens signed with HS256 (RFC 7519 / 7515), the access tokens sio-server accepts.
// Verification is strict: the header must say HS256 (so "none" and RS/HS confusion fail), the
// signature is compared in constant time, and exp/nbf are enforced when present.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace sio::app {

struct JwtError {
  std::string reason;  // for logs; clients only ever see "Invalid token"
};

// The token's claims, or why it is not acceptable.
std::variant<nlohmann::ordered_json, JwtError> verify_jwt(
    std::string_view token, std::string_view secret,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Signs `claims` with HS256 (dev tokens, tests).
std::string sign_jwt(const nlohmann::ordered_json& claims, std::string_view secret);

}  // namespace sio::app
