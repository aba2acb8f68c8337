#pragma once
// Hash maps keyed by strings that are searched with string views (a channel name read in place
// from a Redis push) without making a string of the key first.

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sio::adapter {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace sio::adapter
