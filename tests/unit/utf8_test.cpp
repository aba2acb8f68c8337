#include "engineio/utf8.hpp"

#include <gtest/gtest.h>

using sio::engineio::is_valid_utf8;

TEST(Utf8, accepts_ascii_and_multibyte_text) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("hello"));
  EXPECT_TRUE(is_valid_utf8("안녕하세요 € 😀"));
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(Utf8, rejects_truncated_sequences) {
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("a\xf0\x9f\x98"));
}

TEST(Utf8, rejects_overlong_encodings) {
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));
}

TEST(Utf8, rejects_surrogates_and_out_of_range_code_points) {
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // U+D800
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(Utf8, rejects_stray_continuation_bytes) { EXPECT_FALSE(is_valid_utf8("a\x80z")); }
