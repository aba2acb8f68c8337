// A broadcast's frames as the recipients' send queues get them: a frame made inside the broadcast
// (a broadcast relayed from another server) keeps it alive as long as a queue holds the frame.

#include "socketio/broadcast.hpp"

#include <gtest/gtest.h>

namespace sio::socketio {
namespace {

TEST(Broadcast, a_frame_made_inside_it_keeps_it_alive_while_a_queue_holds_the_frame) {
  BroadcastPtr broadcast = encode_event_broadcast("/chat", R"(["m",{"n":1}])", {});
  const std::weak_ptr<const Broadcast> weak = broadcast;
  auto queued = frames_of(broadcast);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0], frames_of(broadcast)[0]);  // the same frame every time, not a copy

  broadcast.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(queued[0]->websocket_bytes(), R"(42/chat,["m",{"n":1}])");
  EXPECT_EQ(queued[0]->type(), engineio::PacketType::message);
  EXPECT_FALSE(queued[0]->is_binary());
  auto copy = queued;
  queued.clear();
  EXPECT_FALSE(weak.expired());
  copy.clear();
  EXPECT_TRUE(weak.expired());
}

TEST(Broadcast, counts_the_bytes_of_the_frames_it_sends) {
  const auto relayed = encode_event_broadcast("/", R"(["m"])", {}, Broadcast::Offset{7, 0, "7-0"});
  EXPECT_EQ(frames_of(relayed)[0]->websocket_bytes(), R"(42["m","7-0"])");
  EXPECT_EQ(relayed->frames_size(), frames_of(relayed)[0]->size());

  Packet packet{PacketType::binary_event, "/", std::nullopt,
                json::array({"file", json::binary({1, 2, 3})})};
  const auto encoded = encode_broadcast(packet, {}, Parser::text);
  const auto frames = frames_of(encoded);
  ASSERT_EQ(frames.size(), 2u);  // the packet, then its attachment
  EXPECT_EQ(encoded->frames_size(), frames[0]->size() + frames[1]->size());
}

TEST(Broadcast, frames_set_apart_replace_a_frame_made_inside) {
  auto broadcast = std::make_shared<Broadcast>();
  broadcast->set_text_packet(R"(42["first"])");
  EXPECT_EQ(broadcast->frames_size(), 11u);
  broadcast->set_frames(
      encode_frames(Packet{PacketType::event, "/", std::nullopt, json::array({"second"})}));
  const auto frames = frames_of(broadcast);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]->websocket_bytes(), R"(42["second"])");
}

}  // namespace
}  // namespace sio::socketio
