#include "app/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <optional>

#include "engineio/base64.hpp"
#include "socketio/json_parse.hpp"

namespace sio::app {

namespace {

std::string base64url_encode(std::string_view bytes) {
  auto text = engineio::base64_encode(bytes);
  for (auto& c : text) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string standard(text);
  for (auto& c : standard) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;  // not base64url
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  while (standard.size() % 4 != 0) standard += '=';
  return engineio::base64_decode(standard);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::optional<nlohmann::ordered_json> decode_json_object(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  auto value = socketio::parse_json(*bytes);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

}  // namespace

std::variant<nlohmann::ordered_json, JwtError> verify_jwt(
    std::string_view token, std::string_view secret, std::chrono::system_clock::time_point now) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return JwtError{"malformed"};
  }
  auto header = decode_json_object(token.substr(0, first));
  if (!header) return JwtError{"malformed header"};
  // Only HS256: anything else ("none", RS256 with our secret as a "public key"…) is refused.
  if (header->value("alg", "") != "HS256") return JwtError{"algorithm not allowed"};

  auto signature = base64url_decode(token.substr(second + 1));
  const auto expected = hmac_sha256(secret, token.substr(0, second));
  if (!signature || signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return JwtError{"bad signature"};
  }

  auto claims = decode_json_object(token.substr(first + 1, second - first - 1));
  if (!claims) return JwtError{"malformed payload"};
  const double seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  if (claims->contains("exp")) {
    const auto& exp = (*claims)["exp"];
    if (!exp.is_number() || seconds >= exp.get<double>()) return JwtError{"expired"};
  }
  if (claims->contains("nbf")) {
    const auto& nbf = (*claims)["nbf"];
    if (!nbf.is_number() || seconds < nbf.get<double>()) return JwtError{"not yet valid"};
  }
  return *claims;
}

std::string sign_jwt(const nlohmann::ordered_json& claims, std::string_view secret) {
  const std::string signing_input =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
      base64url_encode(
          claims.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  return signing_input + "." + base64url_encode(hmac_sha256(secret, signing_input));
}

}  // namespace sio::app
