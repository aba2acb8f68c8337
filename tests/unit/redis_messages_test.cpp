// The Redis adapter's messages, byte for byte as Node writes them. The hex constants were made
// once with notepack.io 3.0.1 (`require("notepack.io").encode(value).toString("hex")`), from the
// values @socket.io/redis-adapter 8.3 and @socket.io/redis-emitter 5.1 publish; each value is
// shown beside its constant.

#include "adapter/redis_messages.hpp"

#include <gtest/gtest.h>

using namespace sio::adapter;
using json = nlohmann::ordered_json;
using sio::socketio::Packet;
using sio::socketio::PacketType;

namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// ["Ab12Cd", {type: 2, data: ["msg", "hi", 1], nsp: "/"}, {rooms: ["room1"], except: ["sid1"],
// flags: {}}]
constexpr std::string_view kRoomBroadcast =
    "93a641623132436483a47479706502a46461746193a36d7367a2686901a36e7370a12f83a5726f6f6d7391a5726f6f"
    "6d31a665786365707491a473696431a5666c61677380";

// ["Ab12Cd", {type: 2, data: ["blob", Buffer.from([1, 2, 3])], nsp: "/chat"},
//  {rooms: [], except: [], flags: {volatile: true}}]
constexpr std::string_view kBinaryBroadcast =
    "93a641623132436483a47479706502a46461746192a4626c6f62c403010203a36e7370a52f6368617483a5726f6f6d"
    "7390a665786365707490a5666c61677381a8766f6c6174696c65c3";

// ["Ab12Cd", {type: 2, data: ["x"], nsp: "/"}, {rooms: ["a", "b"], except: [],
//  flags: {volatile: true, timeout: 5000}}]
constexpr std::string_view kFlagsBroadcast =
    "93a641623132436483a47479706502a46461746191a178a36e7370a12f83a5726f6f6d7392a161a162a66578636570"
    "7490a5666c61677382a8766f6c6174696c65c3a774696d656f7574cd1388";

// What the emitter publishes: ["emitter", {type: 2, data: ["news", {n: 1}], nsp: "/"},
//  {rooms: ["r"], flags: {}, except: ["e"]}]
constexpr std::string_view kEmitterBroadcast =
    "93a7656d697474657283a47479706502a46461746192a46e65777381a16e01a36e7370a12f83a5726f6f6d7391a172"
    "a5666c61677380a665786365707491a165";

// {uid: "Ab12Cd", requestId: "Xy34Zw", type: 7, packet: {type: 2, data: ["ask", 21], nsp: "/"},
//  opts: {rooms: ["quiz"], except: [], flags: {timeout: 3000}}}
constexpr std::string_view kBroadcastRequest =
    "85a3756964a6416231324364a9726571756573744964a6587933345a77a47479706507a67061636b657483a4747970"
    "6502a46461746192a361736b15a36e7370a12fa46f70747383a5726f6f6d7391a47175697aa665786365707490a566"
    "6c61677381a774696d656f7574cd0bb8";

// {type: 9, requestId: "Xy34Zw", packet: "a1:42"}
constexpr std::string_view kBroadcastAck =
    "83a47479706509a9726571756573744964a6587933345a77a67061636b6574a561313a3432";

Packet event(json data, std::string nsp = "/") {
  return Packet{PacketType::event, std::move(nsp), std::nullopt, std::move(data)};
}

BroadcastOptions options_of(std::vector<Room> rooms, std::vector<Room> except = {},
                            BroadcastFlags flags = {}) {
  BroadcastOptions options;
  options.rooms = std::move(rooms);
  options.except = std::move(except);
  options.flags = flags;
  return options;
}

BroadcastFlags flags_of(bool is_volatile, bool local,
                        std::optional<std::chrono::milliseconds> timeout) {
  BroadcastFlags flags;
  flags.is_volatile = is_volatile;
  flags.local = local;
  flags.timeout = timeout;
  return flags;
}

}  // namespace

TEST(RedisChannels, are_named_as_the_node_adapter_names_them) {
  redis::Channels channels("socket.io", "/chat", "Ab12Cd");
  EXPECT_EQ(channels.broadcast, "socket.io#/chat#");
  EXPECT_EQ(channels.request, "socket.io-request#/chat#");
  EXPECT_EQ(channels.response, "socket.io-response#/chat#");
  EXPECT_EQ(channels.specific_response, "socket.io-response#/chat#Ab12Cd#");
}

TEST(RedisChannels, a_broadcast_to_exactly_one_room_goes_to_that_rooms_channel) {
  redis::Channels channels("app", "/", "u");
  EXPECT_EQ(channels.broadcast_for(options_of({"r1"})), "app#/#r1#");
  EXPECT_EQ(channels.broadcast_for(options_of({"r1", "r2"})), "app#/#");
  EXPECT_EQ(channels.broadcast_for({}), "app#/#");
  EXPECT_EQ(channels.room_of("app#/#r1#"), "r1");
  EXPECT_EQ(channels.room_of("app#/#"), "");
  EXPECT_FALSE(channels.room_of("app#/other#"));
}

TEST(RedisMessages, encodes_a_room_broadcast_byte_for_byte_as_node) {
  const auto options = options_of({"room1"}, {"sid1"});
  EXPECT_EQ(redis::encode_broadcast("Ab12Cd", event({"msg", "hi", 1}), options),
            from_hex(kRoomBroadcast));
}

TEST(RedisMessages, encodes_binaries_and_flags_byte_for_byte_as_node) {
  const auto is_volatile = options_of({}, {}, flags_of(true, false, std::nullopt));
  EXPECT_EQ(redis::encode_broadcast("Ab12Cd", event({"blob", json::binary({1, 2, 3})}, "/chat"),
                                    is_volatile),
            from_hex(kBinaryBroadcast));
  const auto both =
      options_of({"a", "b"}, {}, flags_of(true, false, std::chrono::milliseconds(5000)));
  EXPECT_EQ(redis::encode_broadcast("Ab12Cd", event({"x"}), both), from_hex(kFlagsBroadcast));
}

TEST(RedisMessages, local_is_never_put_on_the_wire) {
  const auto local = options_of({"room1"}, {"sid1"}, flags_of(false, true, std::nullopt));
  EXPECT_EQ(redis::encode_broadcast("Ab12Cd", event({"msg", "hi", 1}), local),
            from_hex(kRoomBroadcast));
}

TEST(RedisMessages, decodes_a_node_broadcast) {
  auto message = redis::decode_broadcast(from_hex(kBinaryBroadcast));
  ASSERT_TRUE(message);
  EXPECT_EQ(message->uid, "Ab12Cd");
  EXPECT_EQ(message->packet.type, PacketType::event);
  EXPECT_EQ(message->packet.nsp, "/chat");
  EXPECT_EQ(message->packet.data, json::array({"blob", json::binary({1, 2, 3})}));
  EXPECT_TRUE(message->options.flags.is_volatile);
  EXPECT_TRUE(message->options.rooms.empty());
}

TEST(RedisMessages, decodes_an_emitter_broadcast_whatever_its_key_order) {
  auto message = redis::decode_broadcast(from_hex(kEmitterBroadcast));
  ASSERT_TRUE(message);
  EXPECT_EQ(message->uid, "emitter");
  EXPECT_EQ(message->packet.data, json::parse(R"(["news", {"n": 1}])"));
  EXPECT_EQ(message->options.rooms, std::vector<Room>{"r"});
  EXPECT_EQ(message->options.except, std::vector<Room>{"e"});
  EXPECT_FALSE(message->options.flags.is_volatile);
}

TEST(RedisMessages, ignores_what_is_not_a_broadcast) {
  EXPECT_FALSE(redis::decode_broadcast("not msgpack at all"));
  EXPECT_FALSE(redis::decode_broadcast(from_hex("93a1610102")));  // packet is not an object
  EXPECT_FALSE(redis::decode_broadcast(from_hex("92a16181a474797065cc99")));  // unknown packet type
}

TEST(RedisMessages, encodes_the_broadcast_request_and_ack_byte_for_byte_as_node) {
  const auto options =
      options_of({"quiz"}, {}, flags_of(false, false, std::chrono::milliseconds(3000)));
  EXPECT_EQ(redis::encode_broadcast_request("Ab12Cd", "Xy34Zw", event({"ask", 21}), options),
            from_hex(kBroadcastRequest));
  EXPECT_EQ(redis::encode_broadcast_ack("Xy34Zw", "a1:42"), from_hex(kBroadcastAck));
}

TEST(RedisMessages, reads_requests_in_json_and_in_msgpack) {
  auto json_request = redis::decode_envelope(
      R"({"uid":"u","type":2,"opts":{"rooms":["a"],"except":[]},"rooms":["b"]})");
  ASSERT_FALSE(json_request.is_discarded());
  EXPECT_EQ(json_request["type"], 2);
  auto msgpack_request = redis::decode_envelope(from_hex(kBroadcastRequest));
  ASSERT_FALSE(msgpack_request.is_discarded());
  EXPECT_EQ(msgpack_request["requestId"], "Xy34Zw");
  EXPECT_EQ(msgpack_request["opts"]["flags"]["timeout"], 3000);
  EXPECT_TRUE(redis::decode_envelope("{broken").is_discarded());
  EXPECT_TRUE(redis::decode_envelope(from_hex("93010203")).is_discarded());  // not an object
}

TEST(RedisMessages, numeric_room_names_from_node_become_strings) {
  auto options = redis::options_from_json(json::parse(R"({"rooms": [42, "x"], "except": [7]})"));
  EXPECT_EQ(options.rooms, (std::vector<Room>{"42", "x"}));
  EXPECT_EQ(options.except, std::vector<Room>{"7"});
}

TEST(RedisMessages, a_packet_without_namespace_is_for_the_main_one) {
  auto packet = redis::packet_from_json(json::parse(R"({"type": 2, "data": ["e"]})"));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->nsp, "/");
}

TEST(RedisMessages, random_ids_are_six_alphanumerics_and_differ) {
  const auto a = redis::random_id();
  const auto b = redis::random_id();
  EXPECT_EQ(a.size(), 6u);
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
}
