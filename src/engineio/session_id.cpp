#include "engineio/session_id.hpp"

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace sio::engineio {

std::string generate_session_id() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<uint8_t, 15> bytes;
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += size_t(n);
  }
  std::string id;
  id.reserve(20);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = uint32_t(bytes[i]) << 16 | uint32_t(bytes[i + 1]) << 8 | bytes[i + 2];
    id += kAlphabet[n >> 18 & 63];
    id += kAlphabet[n >> 12 & 63];
    id += kAlphabet[n >> 6 & 63];
    id += kAlphabet[n & 63];
  }
  return id;
}

}  // namespace sio::engineio
