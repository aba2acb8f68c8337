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

namespace plain_text_detail {

inline std::size_t first_marked(std::uint64_t marked) {
  return static_cast<std::size_t>(std::countr_zero(marked)) / 8;
}

// The tail of `text` from `pos` (one to seven bytes): the first byte needing a look, or the
// text's size. The bytes are gathered into one word in their order, some twice, the rest of it
// spaces (which never need a look).
inline std::size_t skip_short_tail(std::string_view text, std::size_t pos) {
  const char* p = text.data() + pos;
  const std::size_t n = text.size() - pos;
  if (n >= 4) {  // the first four bytes, then the last four (overlapping them)
    std::uint32_t low;
    std::uint32_t high;
    std::memcpy(&low, p, sizeof low);
    std::memcpy(&high, p + n - 4, sizeof high);
    const auto marked = bytes_needing_a_look(low | (std::uint64_t{high} << 32));
    if (marked == 0) return text.size();
    const auto at = first_marked(marked);
    return pos + (at < 4 ? at : n - 4 + (at - 4));
  }
  // Bytes 0, n/2 and n-1: each of the one to three bytes, in order.
  const std::size_t where[3] = {0, n / 2, n - 1};
  std::uint64_t word = 0x2020202020202020;
  for (std::size_t i = 0; i < 3; ++i) {
    word = (word & ~(std::uint64_t{0xff} << (8 * i))) |
           (std::uint64_t{static_cast<unsigned char>(p[where[i]])} << (8 * i));
  }
  const auto marked = bytes_needing_a_look(word);
  return marked == 0 ? text.size() : pos + where[first_marked(marked)];
}

}  // namespace plain_text_detail

// The position of the first byte from `pos` on that needs a look, or the text's size when none
// does: read eight bytes at a time, the tail shorter than a word too.
inline std::size_t skip_plain_text(std::string_view text, std::size_t pos) {
  static_assert(std::endian::native == std::endian::little);
  using plain_text_detail::first_marked;
  const auto start = pos;
  while (text.size() - pos >= 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + pos, sizeof word);
    if (const auto marked = bytes_needing_a_look(word)) return pos + first_marked(marked);
    pos += 8;
  }
  if (pos == text.size()) return pos;
  if (pos == start) return plain_text_detail::skip_short_tail(text, pos);
  // A word at least was read above, all plain: the text's last word holds the tail after some of
  // those plain bytes, so the first byte marked in it is the tail's.
  const auto last = text.size() - 8;
  std::uint64_t word;
  std::memcpy(&word, text.data() + last, sizeof word);
  const auto marked = bytes_needing_a_look(word);
  return marked == 0 ? text.size() : last + first_marked(marked);
}

}  // namespace sio::socketio
