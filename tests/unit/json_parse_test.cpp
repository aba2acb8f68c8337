#include "socketio/json_parse.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <string>

using sio::socketio::parse_json;

TEST(ParseJson, keeps_object_keys_in_the_order_they_came) {
  EXPECT_EQ(parse_json(R"({"b":1,"a":{"z":[{"y":1,"x":2}],"c":null}})").dump(),
            R"({"b":1,"a":{"z":[{"y":1,"x":2}],"c":null}})");
}

TEST(ParseJson, repeated_key_keeps_its_first_place_and_last_value) {
  EXPECT_EQ(parse_json(R"({"b":1,"a":2,"b":3,"c":4,"a":5})").dump(), R"({"b":3,"a":5,"c":4})");
}

TEST(ParseJson, values_of_every_kind) {
  EXPECT_EQ(parse_json(R"([null,true,false,-7,18446744073709551615,3.5,"s\u00e9",[],{}])").dump(),
            R"([null,true,false,-7,18446744073709551615,3.5,"sé",[],{}])");
  EXPECT_EQ(parse_json("42").dump(), "42");
}

TEST(ParseJson, invalid_text_is_discarded) {
  EXPECT_TRUE(parse_json(R"({"a":)").is_discarded());
  EXPECT_TRUE(parse_json("[1,]").is_discarded());
  EXPECT_TRUE(parse_json("").is_discarded());
  EXPECT_TRUE(parse_json(R"({"a":1} x)").is_discarded());
}

// 200,000 keys in one object (a 2 MB packet): the parse is linear, where looking each key up among
// the ones before it would take minutes.
TEST(ParseJson, an_object_with_many_keys_keeps_them_all_in_order) {
  std::string text = "{";
  for (int i = 0; i < 200000; ++i)
    text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  text += ",\"k7\":-1}";
  const auto value = parse_json(text);
  ASSERT_EQ(value.size(), 200000u);
  EXPECT_EQ(value.begin().key(), "k0");
  EXPECT_EQ(std::prev(value.end()).key(), "k199999");
  EXPECT_EQ(value["k7"], -1);
}
