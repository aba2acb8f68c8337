#include "engineio/session_id.hpp"

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace sio::engineio {

namespace {

constexpr char kSessionIdAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kIdLength = 20;

int alphabet_index(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string generate_session_id() {
  std::array<uint8_t, 15> bytes;
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += size_t(n);
  }
  std::string id;
  id.reserve(kIdLength);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = uint32_t(bytes[i]) << 16 | uint32_t(bytes[i + 1]) << 8 | bytes[i + 2];
    id += kSessionIdAlphabet[n >> 18 & 63];
    id += kSessionIdAlphabet[n >> 12 & 63];
    id += kSessionIdAlphabet[n >> 6 & 63];
    id += kSessionIdAlphabet[n & 63];
  }
  return id;
}

std::string generate_session_id(std::size_t reactor) {
  auto id = generate_session_id();
  id[0] = kSessionIdAlphabet[(reactor >> 6) & 63];
  id[1] = kSessionIdAlphabet[reactor & 63];
  return id;
}

std::optional<std::size_t> reactor_of_session_id(std::string_view id) {
  if (id.size() != kIdLength) return std::nullopt;
  const int high = alphabet_index(id[0]);
  const int low = alphabet_index(id[1]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<std::size_t>(high) * 64 + static_cast<std::size_t>(low);
}

}  // namespace sio::engineio
