// The writer the MessagePack-to-JSON relay writes through: bytes put after what the string held,
// room made however far beyond the first guess, a cut dropping what came after it, and the
// string left holding exactly what was put.

#include "socketio/text_writer.hpp"

#include <gtest/gtest.h>

#include <string>

using sio::socketio::TextWriter;

TEST(TextWriter, appends_after_what_the_string_held_and_leaves_nothing_else) {
  std::string text = "kept:";
  {
    TextWriter out(text, 100);
    out.room(3);
    out.put('a');
    out.put("bc");
    EXPECT_EQ(out.size(), 8u);
  }
  EXPECT_EQ(text, "kept:abc");
}

TEST(TextWriter, grows_past_its_first_guess_keeping_what_was_put) {
  std::string text;
  std::string expected;
  {
    TextWriter out(text, 0);  // no room at all to begin with
    for (int i = 0; i < 10000; ++i) {
      const std::string piece = std::to_string(i) + ",";
      out.room(piece.size());
      out.put(piece);
      expected += piece;
    }
    // One piece far larger than everything so far.
    const std::string big(1 << 20, 'x');
    out.room(big.size());
    out.put(big);
    expected += big;
  }
  EXPECT_EQ(text, expected);
}

TEST(TextWriter, cuts_back_to_a_size_it_gave) {
  std::string text = "[";
  {
    TextWriter out(text, 4);
    out.room(2);
    out.put("1,");
    const auto mark = out.size();
    out.room(5000);
    out.put(std::string(5000, 'y'));  // grows the string, then is dropped
    out.cut(mark);
    out.room(2);
    out.put("2]");
  }
  EXPECT_EQ(text, "[1,2]");
}

TEST(TextWriter, writes_through_its_cursor) {
  std::string text;
  {
    TextWriter out(text, 1);
    out.room(20);
    char* at = out.cursor();
    for (char c : std::string("12345")) *at++ = c;
    out.advance_to(at);
  }
  EXPECT_EQ(text, "12345");
}
