// What keeping key order costs on the per-message path: a chat message's EVENT packet decoded
// (JSON text to a value) and a broadcast's payload encoded (value to text, once per broadcast),
// with nlohmann::json (keys sorted, the payload type before sio kept key order) beside
// nlohmann::ordered_json through sio's parser (socketio/json_parse.hpp), in one binary.
//
//   build/bin/sio-json-bench [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>

#include "socketio/json_parse.hpp"

namespace {

// A chat message as the client sends it, and the stored message as the server broadcasts it.
const std::string kIncoming =
    R"(["message",{"roomId":"42","content":"hello everyone, how is it going today? \u00e9\u00e8 \ud83c\udf89"}])";
const std::string kBroadcast =
    R"(["message",{"id":123456,"roomId":42,"userId":"alice","content":"hello everyone, how is it going today?","createdAt":1764979200000},"1764979200000-0"])";
// A larger payload: an object of 50 keys with nested values (a presence or state update).
std::string wide_object() {
  std::string text = "[\"state\",{";
  for (int i = 0; i < 50; ++i) {
    text += (i ? ",\"user" : "\"user") + std::to_string(i) + R"(":{"online":true,"seen":)" +
            std::to_string(1764979200000 + i) + R"(,"name":"User )" + std::to_string(i) + "\"}";
  }
  return text + "}]";
}
const std::string kWide = wide_object();

void decode_sorted(benchmark::State& state, const std::string& text) {
  for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::parse(text, nullptr, false));
}
void decode_ordered(benchmark::State& state, const std::string& text) {
  for (auto _ : state) benchmark::DoNotOptimize(sio::socketio::parse_json(text));
}
void encode_sorted(benchmark::State& state, const std::string& text) {
  const auto value = nlohmann::json::parse(text);
  for (auto _ : state) benchmark::DoNotOptimize(value.dump());
}
void encode_ordered(benchmark::State& state, const std::string& text) {
  const auto value = sio::socketio::parse_json(text);
  for (auto _ : state) benchmark::DoNotOptimize(value.dump());
}
// What a handler does with a decoded message: look up its fields.
void lookup_sorted(benchmark::State& state, const std::string& text) {
  const auto value = nlohmann::json::parse(text);
  for (auto _ : state)
    benchmark::DoNotOptimize(value[1].at("user37").at("seen").get<std::int64_t>());
}
void lookup_ordered(benchmark::State& state, const std::string& text) {
  const auto value = sio::socketio::parse_json(text);
  for (auto _ : state)
    benchmark::DoNotOptimize(value[1].at("user37").at("seen").get<std::int64_t>());
}

BENCHMARK_CAPTURE(decode_sorted, chat_message, kIncoming);
BENCHMARK_CAPTURE(decode_ordered, chat_message, kIncoming);
BENCHMARK_CAPTURE(encode_sorted, broadcast, kBroadcast);
BENCHMARK_CAPTURE(encode_ordered, broadcast, kBroadcast);
BENCHMARK_CAPTURE(decode_sorted, wide_50_keys, kWide);
BENCHMARK_CAPTURE(decode_ordered, wide_50_keys, kWide);
BENCHMARK_CAPTURE(encode_sorted, wide_50_keys, kWide);
BENCHMARK_CAPTURE(encode_ordered, wide_50_keys, kWide);
BENCHMARK_CAPTURE(lookup_sorted, wide_50_keys, kWide);
BENCHMARK_CAPTURE(lookup_ordered, wide_50_keys, kWide);

}  // namespace

BENCHMARK_MAIN();
