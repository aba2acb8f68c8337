// What relaying another server's broadcast costs per message, without the kernel: the message as
// each Redis adapter carries it (classic: MessagePack; sharded: JSON; streams: the JSON of an
// entry's data field) read the short way, and the packet text written around its data, once for
// all recipients. The full decoders (a JSON value, then the packet encoded from it) alongside.
//
//   build/bin/sio-relay-bench [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>

#include <string>

#include "adapter/cluster_messages.hpp"
#include "adapter/redis_messages.hpp"
#include "socketio/broadcast.hpp"

namespace {

namespace adapter = sio::adapter;
namespace socketio = sio::socketio;

// A chat message broadcast to one room, as the cluster benchmark sends it.
socketio::Packet chat_packet() {
  socketio::Packet packet;
  packet.type = socketio::PacketType::event;
  packet.nsp = "/";
  packet.data = socketio::json::array({"message",
                                       {{"id", 123456},
                                        {"roomId", "42"},
                                        {"userId", "alice"},
                                        {"content", "hello everyone, how is it going today?"},
                                        {"createdAt", 1764979200000}}});
  return packet;
}
adapter::BroadcastOptions room_42() {
  adapter::BroadcastOptions options;
  options.rooms = {"room:42"};
  return options;
}

const std::string kClassic = adapter::redis::encode_broadcast("Xw3kTq", chat_packet(), room_42());
const std::string kSharded =
    adapter::clustered::encode({{"uid", "Xw3kTq"},
                                {"nsp", "/"},
                                {"type", 3},
                                {"data",
                                 {{"packet", adapter::clustered::packet_to_json(chat_packet())},
                                  {"opts", adapter::clustered::options_to_json(room_42())}}}});

void classic_short(benchmark::State& state) {
  for (auto _ : state) {
    auto event = adapter::redis::decode_broadcast_event(kClassic);
    benchmark::DoNotOptimize(socketio::encode_event_broadcast(event->nsp, std::move(event->data),
                                                              std::move(event->options)));
  }
}
void classic_full(benchmark::State& state) {
  for (auto _ : state) {
    auto message = adapter::redis::decode_broadcast(kClassic);
    benchmark::DoNotOptimize(
        socketio::encode_broadcast(message->packet, message->options, socketio::Parser::text));
  }
}
void sharded_short(benchmark::State& state) {
  for (auto _ : state) {
    auto event = adapter::clustered::decode_broadcast_event(kSharded);
    benchmark::DoNotOptimize(socketio::encode_event_broadcast(event->nsp, std::move(event->data),
                                                              std::move(event->options)));
  }
}
void sharded_full(benchmark::State& state) {
  for (auto _ : state) {
    auto message = adapter::clustered::decode(kSharded);
    auto packet = adapter::redis::packet_from_json(message.at("data").at("packet"));
    benchmark::DoNotOptimize(socketio::encode_broadcast(
        *packet, adapter::clustered::options_from_json(message.at("data").at("opts")),
        socketio::Parser::text));
  }
}

BENCHMARK(classic_short);
BENCHMARK(classic_full);
BENCHMARK(sharded_short);
BENCHMARK(sharded_full);

}  // namespace

BENCHMARK_MAIN();
