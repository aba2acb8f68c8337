// The store behind connection state recovery: offsets on logged packets, what is logged, which
// missed packets a session gets back, expiry, and the byte bound.

#include "socketio/session_store.hpp"

#include <gtest/gtest.h>

namespace sio::socketio {
namespace {

using namespace std::chrono_literals;
using Clock = SessionStore::Clock;

const Clock::time_point t0 = Clock::now();

Packet event(std::string nsp, json data) {
  return Packet{PacketType::event, std::move(nsp), std::nullopt, std::move(data)};
}

adapter::BroadcastOptions to(std::vector<adapter::Room> rooms,
                             std::vector<adapter::Room> except = {}) {
  adapter::BroadcastOptions options;
  options.rooms = std::move(rooms);
  options.except = std::move(except);
  return options;
}

// The Socket.IO text of a frame list (the Engine.IO "4" of a message left out).
std::string text_of(const Frames& frames) {
  return std::string(frames.at(0)->websocket_bytes().substr(1));
}

// The offset a logged packet carries: its last argument.
std::string offset_of(const Frames& frames) {
  const auto text = text_of(frames);
  return json::parse(text.substr(text.find('['))).back().get<std::string>();
}

PersistedSession session(std::string pid, std::vector<adapter::Room> rooms, std::string nsp = "/") {
  return PersistedSession{std::move(nsp), "sid-" + pid, std::move(pid), std::move(rooms),
                          json{{"k", "v"}}};
}

// A reactor's store with what the namespace does around it: a logged packet gets the next offset
// of its origin reactor and goes to the log; any other is only encoded.
class Store : public SessionStore {
 public:
  explicit Store(ConnectionStateRecovery options, std::size_t reactors = 1)
      : SessionStore(options, reactors) {}

  Frames encode(const Packet& packet, const adapter::BroadcastOptions& target,
                Clock::time_point now, std::size_t origin = 0) {
    return log_as(make(packet, target, origin), now);
  }
  // Encodes as reactor `origin` would, without logging here (for logging in other stores too).
  BroadcastPtr make(const Packet& packet, const adapter::BroadcastOptions& target,
                    std::size_t origin = 0) {
    if (!is_logged(packet, target)) return encode_broadcast(packet, target, Parser::text);
    const auto seq = ++next_seq_[origin];
    return encode_broadcast(packet, target, Parser::text,
                            Broadcast::Offset{seq, origin, offset_text(seq, origin)});
  }
  // The same for an event relayed from another server: its JSON text put in a frame made inside
  // the broadcast.
  BroadcastPtr make_relayed(std::string data, const adapter::BroadcastOptions& target,
                            std::size_t origin = 0) {
    const auto seq = ++next_seq_[origin];
    return encode_event_broadcast("/", std::move(data), target,
                                  Broadcast::Offset{seq, origin, offset_text(seq, origin)});
  }
  Frames log_as(const BroadcastPtr& broadcast, Clock::time_point now) {
    log(broadcast, now);
    return frames_of(broadcast);
  }

 private:
  std::vector<std::uint64_t> next_seq_ = std::vector<std::uint64_t>(8, 0);
};

Store store_with(std::size_t max_bytes = 1 << 20, std::chrono::milliseconds window = 60s,
                 std::size_t reactors = 1) {
  return Store(ConnectionStateRecovery{window, true, max_bytes}, reactors);
}

TEST(SessionStore, appends_the_offset_as_last_argument_of_a_logged_event) {
  auto store = store_with(1 << 20, 60s, 4);
  const auto frames = store.encode(event("/", json::array({"tick", 7})), to({"r"}), t0);
  EXPECT_EQ(text_of(frames), R"(2["tick",7,"1-0"])");
  EXPECT_EQ(offset_of(store.encode(event("/chat", json::array({"tick"})), to({}), t0)), "2-0");
  EXPECT_EQ(text_of(store.encode(event("/chat", json::array({"x"})), to({}), t0, 3)),
            R"(2/chat,["x","1-3"])");
  EXPECT_EQ(store.packet_count(), 3u);
}

// An offset's text ("<seq>-<reactor>") reads back as the same offset, the widest numbers too.
TEST(SessionStore, writes_offsets_that_read_back_the_same) {
  const std::pair<std::uint64_t, std::size_t> offsets[] = {
      {0, 0}, {1, 0}, {42, 3}, {1234567890123, 15}, {UINT64_MAX, SIZE_MAX - 1}};
  for (const auto& [seq, origin] : offsets) {
    const auto text = offset_text(seq, origin);
    EXPECT_EQ(text, std::to_string(seq) + "-" + std::to_string(origin));
    const auto read = parse_offset(text);
    ASSERT_TRUE(read) << text;
    EXPECT_EQ(read->seq, seq);
    EXPECT_EQ(read->origin, origin);
    EXPECT_EQ(read->text, text);
  }
}

TEST(SessionStore, puts_the_offset_after_binary_placeholders_and_keeps_the_attachments) {
  auto store = store_with();
  const auto frames =
      store.encode(event("/", json::array({"file", json::binary({1, 2, 3})})), to({}), t0);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(text_of(frames), R"(51-["file",{"_placeholder":true,"num":0},"1-0"])");
  EXPECT_EQ(frames[1]->websocket_bytes(), std::string("\x01\x02\x03", 3));
}

TEST(SessionStore, does_not_log_packets_with_an_ack_id_volatile_ones_or_acks) {
  auto store = store_with();
  auto with_id = event("/", json::array({"ask"}));
  with_id.id = 4;
  EXPECT_EQ(text_of(store.encode(with_id, to({}), t0)), R"(24["ask"])");
  auto options = to({});
  options.flags.is_volatile = true;
  EXPECT_EQ(text_of(store.encode(event("/", json::array({"v"})), options, t0)), R"(2["v"])");
  const Packet ack{PacketType::ack, "/", 5, json::array({"ok"})};
  EXPECT_EQ(text_of(store.encode(ack, to({}), t0)), R"(35["ok"])");
  EXPECT_EQ(store.packet_count(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(SessionStore, gives_back_the_packets_its_rooms_missed_after_the_offset_in_order) {
  auto store = store_with();
  const auto seen = store.encode(event("/", json::array({"m", 0})), to({"a"}), t0);
  store.persist(session("p1", {"sid-p1", "a"}), t0 + 1ms);
  const auto to_a = store.encode(event("/", json::array({"m", 1})), to({"a"}), t0 + 2ms);
  store.encode(event("/", json::array({"m", 2})), to({"b"}), t0 + 3ms);
  const auto to_all = store.encode(event("/", json::array({"m", 3})), to({}), t0 + 4ms);
  store.encode(event("/", json::array({"m", 4})), to({}, {"a"}), t0 + 5ms);
  store.encode(event("/", json::array({"m", 5})), to({"a"}, {"sid-p1"}), t0 + 6ms);
  const auto private_emit =
      store.encode(event("/", json::array({"m", 6})), to({"sid-p1"}), t0 + 7ms);
  store.encode(event("/other", json::array({"m", 7})), to({}), t0 + 8ms);

  auto restored = store.take("/", "p1", offset_of(seen), t0 + 9ms);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->session.sid, "sid-p1");
  EXPECT_EQ(restored->session.data, (json{{"k", "v"}}));
  EXPECT_EQ(restored->session.rooms, (std::vector<adapter::Room>{"sid-p1", "a"}));
  ASSERT_EQ(restored->missed_packets.size(), 3u);
  // The very frames the recipients got, not copies.
  EXPECT_EQ(restored->missed_packets[0][0], to_a[0]);
  EXPECT_EQ(restored->missed_packets[1][0], to_all[0]);
  EXPECT_EQ(restored->missed_packets[2][0], private_emit[0]);
}

TEST(SessionStore, gives_back_relayed_packets_that_outlive_the_log) {
  auto store = store_with();
  const auto seen = store.log_as(store.make_relayed(R"(["m",0])", to({"a"})), t0);
  store.persist(session("p1", {"sid-p1", "a"}), t0 + 1ms);
  const auto missed = store.log_as(store.make_relayed(R"(["m",1])", to({"a"})), t0 + 2ms);
  store.log_as(store.make_relayed(R"(["m",2])", to({"b"})), t0 + 3ms);

  auto restored = store.take("/", "p1", offset_of(seen), t0 + 4ms);
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->missed_packets.size(), 1u);
  EXPECT_EQ(restored->missed_packets[0], missed);
  // The log lets go of everything; the packets handed over stay whole.
  store.expire(t0 + 10min);
  EXPECT_EQ(store.packet_count(), 0u);
  EXPECT_EQ(text_of(restored->missed_packets[0]), R"(2["m",1,"2-0"])");
}

TEST(SessionStore, hands_a_session_over_once) {
  auto store = store_with();
  const auto offset = offset_of(store.encode(event("/", json::array({"m"})), to({}), t0));
  store.persist(session("p1", {"sid-p1"}), t0);
  EXPECT_NE(store.find("/", "p1", offset, t0), nullptr);
  EXPECT_TRUE(store.take("/", "p1", offset, t0));
  EXPECT_EQ(store.find("/", "p1", offset, t0), nullptr);
  EXPECT_FALSE(store.take("/", "p1", offset, t0));
  EXPECT_EQ(store.session_count(), 0u);
}

TEST(SessionStore, refuses_unknown_pids_and_offsets_and_other_namespaces) {
  auto store = store_with();
  const auto offset = offset_of(store.encode(event("/", json::array({"m"})), to({}), t0));
  const auto other_nsp_offset =
      offset_of(store.encode(event("/x", json::array({"m"})), to({}), t0));
  store.persist(session("p1", {"sid-p1"}), t0);
  EXPECT_NE(store.find("/", "p1", offset, t0), nullptr);
  EXPECT_EQ(store.find("/", "nope", offset, t0), nullptr);
  EXPECT_EQ(store.find("/x", "p1", other_nsp_offset, t0), nullptr);
  EXPECT_EQ(store.find("/", "p1", other_nsp_offset, t0), nullptr);
  for (const auto* bad : {"", "1", "01-0", "1-", "-0", "1-0x", "3-0", "1-1",
                          "99999999999999999999999-0", "abc"}) {
    EXPECT_EQ(store.find("/", "p1", bad, t0), nullptr) << bad;
    EXPECT_FALSE(store.take("/", "p1", bad, t0)) << bad;
  }
  EXPECT_EQ(store.session_count(), 1u);
}

TEST(SessionStore, forgets_a_session_after_the_window) {
  auto store = store_with(1 << 20, 1000ms);
  const auto offset = offset_of(store.encode(event("/", json::array({"m"})), to({}), t0));
  store.persist(session("p1", {"sid-p1"}), t0 + 500ms);
  EXPECT_NE(store.find("/", "p1", offset, t0 + 1000ms), nullptr);
  EXPECT_EQ(store.find("/", "p1", offset, t0 + 1501ms), nullptr);
  EXPECT_FALSE(store.take("/", "p1", offset, t0 + 1501ms));
  store.expire(t0 + 1501ms);
  EXPECT_EQ(store.session_count(), 0u);
  EXPECT_EQ(store.packet_count(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(SessionStore, forgets_packets_older_than_the_window) {
  auto store = store_with(1 << 20, 1000ms);
  const auto old = offset_of(store.encode(event("/", json::array({"m"})), to({}), t0));
  const auto recent = offset_of(store.encode(event("/", json::array({"m"})), to({}), t0 + 800ms));
  store.persist(session("p1", {"sid-p1"}), t0 + 900ms);
  store.expire(t0 + 1200ms);
  EXPECT_EQ(store.packet_count(), 1u);
  EXPECT_EQ(store.find("/", "p1", old, t0 + 1200ms), nullptr);
  EXPECT_NE(store.find("/", "p1", recent, t0 + 1200ms), nullptr);
}

TEST(SessionStore, drops_the_oldest_entries_first_to_stay_within_its_bytes) {
  constexpr std::size_t kMax = 20000;
  auto store = store_with(kMax);
  const std::string payload(1000, 'x');
  const auto first_offset =
      offset_of(store.encode(event("/", json::array({"m", payload})), to({}), t0));
  store.persist(session("old", {"sid-old"}), t0 + 1ms);
  for (int i = 0; i < 10; ++i)
    store.encode(event("/", json::array({"m", payload})), to({}), t0 + 2ms);
  const auto later_offset =
      offset_of(store.encode(event("/", json::array({"m", payload})), to({}), t0 + 3ms));
  store.persist(session("new", {"sid-new"}), t0 + 4ms);
  EXPECT_NE(store.find("/", "old", first_offset, t0 + 4ms), nullptr);
  for (int i = 0; i < 10; ++i) {
    store.encode(event("/", json::array({"m", payload})), to({}), t0 + 5ms);
    EXPECT_LE(store.bytes(), kMax);
  }
  EXPECT_EQ(store.find("/", "old", first_offset, t0 + 6ms), nullptr);
  EXPECT_EQ(store.session_count(), 1u);
  const auto restored = store.take("/", "new", later_offset, t0 + 6ms);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->missed_packets.size(), 10u);
}

TEST(SessionStore, counts_a_replaced_session_once) {
  auto store = store_with();
  store.persist(session("p1", {"sid-p1"}), t0);
  const auto bytes = store.bytes();
  store.persist(session("p1", {"sid-p1"}), t0 + 1ms);
  EXPECT_EQ(store.session_count(), 1u);
  EXPECT_EQ(store.bytes(), bytes);
}

TEST(SessionStore, keeps_sessions_for_the_disconnect_reasons_a_client_recovers_from) {
  for (const auto* reason : {"transport close", "transport error", "ping timeout", "forced close",
                             "server shutting down", "forced server close"}) {
    EXPECT_TRUE(is_recoverable(reason)) << reason;
  }
  for (const auto* reason :
       {"client namespace disconnect", "server namespace disconnect", "parse error"}) {
    EXPECT_FALSE(is_recoverable(reason)) << reason;
  }
}

// Two reactors' stores, each logging every broadcast in the order it saw them: a session kept by
// the first is restored on the second, which replays what the first had not logged yet.
TEST(SessionStore, another_reactor_replays_what_the_keeping_store_had_not_covered) {
  auto first = store_with(1 << 20, 60s, 2);
  auto second = store_with(1 << 20, 60s, 2);
  auto both = [&](const BroadcastPtr& broadcast, Clock::time_point at) {
    first.log_as(broadcast, at);
    second.log_as(broadcast, at);
  };
  const auto seen = first.make(event("/", json::array({"seen"})), to({"a"}), 0);
  both(seen, t0);
  first.persist(session("p1", {"sid-p1", "a"}), t0 + 1ms);
  const auto missed = first.make(event("/", json::array({"missed"})), to({"a"}), 1);
  both(missed, t0 + 2ms);
  // Reactor 0's next broadcast reaches the second store before the first one.
  const auto late = first.make(event("/", json::array({"late"})), to({"a"}), 0);
  second.log_as(late, t0 + 3ms);
  const auto elsewhere = first.make(event("/", json::array({"elsewhere"})), to({"b"}), 1);
  second.log_as(elsewhere, t0 + 3ms);

  auto restored = first.take("/", "p1", seen->offset->text, t0 + 4ms);
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->missed_packets.size(), 1u);
  EXPECT_EQ(restored->missed_packets[0], frames_of(missed));
  first.log_as(late, t0 + 5ms);

  const auto replayed = second.missed_since("/", restored->session.rooms, restored->covered, t0 + 6ms);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0], frames_of(late));
}

TEST(SessionStore, replays_nothing_when_the_keeping_store_covered_everything) {
  auto store = store_with(1 << 20, 60s, 2);
  const auto seen = store.encode(event("/", json::array({"seen"})), to({}), t0, 1);
  store.persist(session("p1", {"sid-p1"}), t0);
  store.encode(event("/", json::array({"missed"})), to({}), t0, 0);
  auto restored = store.take("/", "p1", offset_of(seen), t0);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->missed_packets.size(), 1u);
  EXPECT_TRUE(store.missed_since("/", restored->session.rooms, restored->covered, t0).empty());
}

TEST(SessionStore, holds_its_share_of_the_bytes_when_reactors_share_the_log) {
  constexpr std::size_t kMax = 20000;
  auto alone = store_with(kMax, 60s, 1);
  auto shared = store_with(kMax, 60s, 4);
  const std::string payload(1000, 'x');
  for (int i = 0; i < 100; ++i) {
    alone.encode(event("/", json::array({"m", payload})), to({}), t0);
    shared.encode(event("/", json::array({"m", payload})), to({}), t0);
    ASSERT_LE(alone.bytes(), kMax);
    ASSERT_LE(shared.bytes(), kMax / 4);
  }
  // Each of the four holds about as many packets as one store alone: a packet's frames are
  // counted once over all of them.
  EXPECT_GE(shared.packet_count() * 2, alone.packet_count());
}

}  // namespace
}  // namespace sio::socketio
