#pragma once
// Record ids as clients write them in paths and payloads: a positive decimal integer.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sio::app {

inline std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;  // 18 digits always fit in int64
  std::int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id > 0 ? std::optional(id) : std::nullopt;
}

}  // namespace sio::app
