#pragma once
// Stepping over JSON string text eight bytes at a time: most of it (room names, event names,
// payload text) is plain ASCII that needs neither escaping nor a UTF-8 check.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sio::socketio {

// The bytes of `word` (eight bytes, little-endian) that are a control character, '"', '\\' or not
// ASCII (the bytes a JSON string cannot carry as they are, or whose UTF-8 must be checked): the
// high bit of each such byte is set. Bytes after the first such one may be marked too (a borrow
// runs on), the bytes before it never are: the lowest bit set marks the first.
constexpr std::uint64_t bytes_needing_a_look(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighs = 0x8080808080808080;
  const auto zero_bytes = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  const std::uint64_t below_space = (word - 0x20 * kOnes) & ~word & kHighs;
  return (word & kHighs) | below_space | zero_bytes(word ^ ('"' * kOnes)) |
         zero_bytes(word ^ ('\\' * kOnes));
}

// The position of the first byte from `pos` on that needs a look, read eight bytes at a time; the
// tail shorter than a word (when none was found before it) is left to the caller: the answer is
// then the start of that tail.
inline std::size_t skip_plain_words(std::string_view text, std::size_t pos) {
  static_assert(std::endian::native == std::endian::little);
  while (text.size() - pos >= 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + pos, sizeof word);
    if (const auto marked = bytes_needing_a_look(word)) {
      return pos + static_cast<std::size_t>(std::countr_zero(marked)) / 8;
    }
    pos += 8;
  }
  return pos;
}

}  // namespace sio::socketio
