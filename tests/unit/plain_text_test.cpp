// The eight-byte scan both cursors use to step over plain string text: it must stop exactly at
// the first byte that needs a look, wherever it falls in a word or in the tail shorter than a
// word, and never before.

#include "socketio/plain_text.hpp"

#include <gtest/gtest.h>

#include <string>

using sio::socketio::skip_plain_text;

namespace {

constexpr std::size_t kLength = 40;

// Where the scan of `text` from `from` must stop: the first byte needing a look, or the end.
std::size_t expected_stop(const std::string& text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return i;
  }
  return text.size();
}

}  // namespace

TEST(PlainText, stops_at_the_first_byte_needing_a_look_wherever_it_falls) {
  const unsigned char special[] = {0x00, 0x01, 0x1f, '"', '\\', 0x80, 0xc3, 0xff};
  for (const auto c : special) {
    // Every length up to kLength: the byte in a whole word and in every place of every tail.
    for (std::size_t length = 1; length <= kLength; ++length) {
      for (std::size_t at = 0; at < length; ++at) {
        for (std::size_t from = 0; from <= at; ++from) {
          std::string text(length, 'a');
          text[at] = static_cast<char>(c);
          const auto want = expected_stop(text, from);
          ASSERT_EQ(want, at);
          EXPECT_EQ(skip_plain_text(text, from), want)
              << "byte " << int(c) << " at " << at << " of " << length << ", from " << from;
          // Only the first one counts, whatever follows it in the word.
          if (at + 1 < length) {
            text[at + 1] = '"';
            EXPECT_EQ(skip_plain_text(text, from), want);
          }
        }
      }
    }
  }
}

// The scan starts where it is told (the JSON cursor scans from inside a message): bytes before
// `from` needing a look, such as the string's opening quote, are never its answer, whatever the
// length of what follows.
TEST(PlainText, never_answers_a_byte_before_where_it_starts) {
  const unsigned char special[] = {0x00, '"', '\\', 0xc3};
  for (const auto c : special) {
    for (std::size_t length = 1; length <= kLength; ++length) {
      for (std::size_t from = 1; from <= length; ++from) {
        std::string text(length, 'a');
        for (std::size_t i = 0; i < from; ++i) text[i] = static_cast<char>(c);
        EXPECT_EQ(skip_plain_text(text, from), length)
            << "byte " << int(c) << " before " << from << " of " << length;
        if (from + 1 < length) {
          text[length - 1] = '"';
          EXPECT_EQ(skip_plain_text(text, from), length - 1);
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
  for (std::size_t from = 0; from <= text.size(); ++from) {
    EXPECT_EQ(skip_plain_text(text, from), text.size()) << "from " << from;
    // A tail alone (the padding after it must not count as a byte needing a look either).
    const auto tail = text.substr(from, 7);
    EXPECT_EQ(skip_plain_text(tail, 0), tail.size()) << "from " << from;
  }
}
