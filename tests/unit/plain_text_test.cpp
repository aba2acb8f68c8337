// The eight-byte scan both cursors use to step over plain string text: it must stop exactly at
// the first byte that needs a look, wherever it falls in a word, and never before.

#include "socketio/plain_text.hpp"

#include <gtest/gtest.h>

#include <string>

using sio::socketio::skip_plain_words;

namespace {

constexpr std::size_t kLength = 40;

// Where the scan of `text` from `from` must stop: the first byte needing a look, or the start of
// the tail shorter than a word that has none before it.
std::size_t expected_stop(const std::string& text, std::size_t from) {
  std::size_t pos = from;
  while (text.size() - pos >= 8) {
    for (std::size_t i = pos; i < pos + 8; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return i;
    }
    pos += 8;
  }
  return pos;
}

}  // namespace

TEST(PlainText, stops_at_the_first_byte_needing_a_look_wherever_it_falls) {
  const unsigned char special[] = {0x00, 0x01, 0x1f, '"', '\\', 0x80, 0xc3, 0xff};
  for (const auto c : special) {
    for (std::size_t at = 0; at < kLength; ++at) {
      for (std::size_t from = 0; from <= at; ++from) {
        std::string text(kLength, 'a');
        text[at] = static_cast<char>(c);
        const auto want = expected_stop(text, from);
        EXPECT_EQ(skip_plain_words(text, from), want)
            << "byte " << int(c) << " at " << at << ", from " << from;
        // Only the first one counts, whatever follows it in the word.
        if (at + 1 < kLength) {
          text[at + 1] = '"';
          EXPECT_EQ(skip_plain_words(text, from), want);
        }
      }
    }
  }
}

TEST(PlainText, steps_over_every_plain_byte) {
  // Every printable ASCII byte, including those next to the special ones in value.
  std::string text;
  for (int c = 0x20; c < 0x7f; ++c) {
    if (c != '"' && c != '\\') text.push_back(static_cast<char>(c));
  }
  text.push_back(0x7f);
  for (std::size_t from = 0; from < text.size(); ++from) {
    const auto stop = skip_plain_words(text, from);
    EXPECT_EQ(stop, from + (text.size() - from) / 8 * 8) << "from " << from;
  }
}
