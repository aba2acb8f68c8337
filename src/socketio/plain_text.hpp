#pragma once
// Stepping over JSON string text eight bytes at a time: most of it (room names, event names,
// payload text) is plain ASCII that needs neither escaping nor a UTF-8 check.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace sio::socketio {

// Whether any of the eight bytes of `word` is a control character, '"', '\\' or not ASCII (the
// bytes a JSON string cannot carry as they are, or whose UTF-8 must be checked). May also answer
// true for a plain byte next to such a one, never false when there is one.
constexpr bool needs_a_look(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighs = 0x8080808080808080;
  const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  const std::uint64_t below_space = (word - 0x20 * kOnes) & ~word & kHighs;
  return ((word & kHighs) | below_space | has_zero(word ^ ('"' * kOnes)) |
          has_zero(word ^ ('\\' * kOnes))) != 0;
}

// The position of the first byte from `pos` on that may need a look (whole words only: the
// tail shorter than a word is left to the caller).
inline std::size_t skip_plain_words(std::string_view text, std::size_t pos) {
  while (text.size() - pos >= 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + pos, sizeof word);
    if (needs_a_look(word)) break;
    pos += 8;
  }
  return pos;
}

}  // namespace sio::socketio
