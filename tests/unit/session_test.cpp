// The session state machine, driven through a transport that records what it is given, on a
// real io_context with short heartbeat intervals.

#include "engineio/session.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

using namespace sio::engineio;
using namespace std::chrono_literals;

namespace {

class RecordingTransport : public Transport {
 public:
  explicit RecordingTransport(std::string name, bool writable)
      : name_(std::move(name)), writable_(writable) {}

  TransportKind kind() const override {
    return name_ == "polling" ? TransportKind::polling : TransportKind::websocket;
  }
  bool writable() const override { return writable_ && !closed; }
  void send(std::vector<FramePtr>& frames) override {
    std::vector<std::string> batch;
    for (auto& f : frames) batch.emplace_back(f->polling_bytes());
    frames.clear();
    batches.push_back(batch);
    if (on_send) on_send(batch);
    // Like a held GET, polling is writable once per request.
    if (name_ == "polling") writable_ = false;
  }
  std::size_t buffered_bytes() const override { return 0; }
  void close(bool client_initiated) override {
    closed = true;
    closed_by_client = client_initiated;
  }

  void make_writable() { writable_ = true; }

  // What a real transport tells its session.
  void receive(Session& session, PacketType type, std::string_view data, bool binary = false) {
    deliver_packet(session, type, data, binary);
  }
  void poll(Session& session) { report_writable(session); }
  void upgrade(Session& session, std::shared_ptr<RecordingTransport> self) {
    offer_upgrade(session, std::move(self));
  }
  std::vector<std::string> all_sent() const {
    std::vector<std::string> out;
    for (auto& b : batches) out.insert(out.end(), b.begin(), b.end());
    return out;
  }

  std::vector<std::vector<std::string>> batches;
  std::function<void(const std::vector<std::string>&)> on_send;
  bool closed = false;
  bool closed_by_client = false;

 private:
  std::string name_;
  bool writable_;
};

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() {
    options.ping_interval = 40ms;
    options.ping_timeout = 60ms;
    options.max_payload = 1000;
    options.max_send_buffer = 100;
  }

  // `protocol`: the EIO query parameter of the handshake (3: socket.io-client 2.x).
  std::shared_ptr<Session> open_session(std::shared_ptr<RecordingTransport> transport,
                                        const char* protocol = "4") {
    sio::http::HttpRequest request;
    request.query = {{"EIO", protocol}};
    auto session = std::make_shared<Session>(ctx.get_executor(), "sid123", std::move(request),
                                             options, [this](Session&) { ++finished; });
    session->on_close([this](CloseReason reason) { reasons.push_back(reason); });
    session->on_message([this](std::string_view data, bool binary) {
      messages.emplace_back(std::string(binary ? "bin:" : "txt:") + std::string(data));
    });
    session->open(std::move(transport));
    return session;
  }

  boost::asio::io_context ctx;
  ServerOptions options;
  std::vector<CloseReason> reasons;
  std::vector<std::string> messages;
  int finished = 0;
};

}  // namespace

TEST_F(SessionTest, open_packet_advertises_sid_upgrades_and_heartbeat) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  ASSERT_EQ(polling->batches.size(), 1u);
  EXPECT_EQ(polling->batches[0][0],
            R"(0{"sid":"sid123","upgrades":["websocket"],"pingInterval":40,"pingTimeout":60,)"
            R"("maxPayload":1000})");
}

TEST_F(SessionTest, websocket_session_advertises_no_upgrades) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  open_session(ws);
  EXPECT_NE(ws->batches[0][0].find(R"("upgrades":[])"), std::string::npos);
}

TEST_F(SessionTest, pings_after_the_interval) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws);
  ctx.run_for(55ms);
  ASSERT_EQ(ws->all_sent().size(), 2u);
  EXPECT_EQ(ws->all_sent()[1], "2");
}

TEST_F(SessionTest, closes_with_ping_timeout_when_no_pong_arrives) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws);
  ctx.run_for(250ms);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::ping_timeout);
  EXPECT_EQ(session->state(), Session::State::closed);
  EXPECT_TRUE(ws->closed);
  EXPECT_EQ(finished, 1);
}

TEST_F(SessionTest, stays_open_while_pongs_answer_pings) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws);
  int pings = 0;
  ws->on_send = [&](const std::vector<std::string>& batch) {
    if (batch == std::vector<std::string>{"2"}) {
      ++pings;
      boost::asio::post(ctx, [&] { ws->receive(*session, PacketType::pong, "", false); });
    }
  };
  ctx.run_for(400ms);
  EXPECT_TRUE(reasons.empty());
  EXPECT_GE(pings, 3);
}

TEST_F(SessionTest, delivers_text_and_binary_messages) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws);
  ws->receive(*session, PacketType::message, "hi", false);
  ws->receive(*session, PacketType::message, "\x01", true);
  EXPECT_EQ(messages, (std::vector<std::string>{"txt:hi", "bin:\x01"}));
}

TEST_F(SessionTest, close_packet_from_client_is_a_transport_close) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  polling->make_writable();  // a GET is held
  polling->receive(*session, PacketType::close, "", false);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::transport_close);
  EXPECT_TRUE(polling->closed_by_client);
}

// The GET may still be on its way when the close arrives (another connection, maybe another
// reactor): it is awaited a moment, and released with a noop, as a held one is.
TEST_F(SessionTest, close_over_polling_waits_briefly_for_a_get_in_flight) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  polling->receive(*session, PacketType::close, "", false);
  polling->receive(*session, PacketType::message, "after the close", false);
  EXPECT_TRUE(reasons.empty());
  polling->make_writable();
  polling->poll(*session);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::transport_close);
  EXPECT_TRUE(polling->closed_by_client);
  EXPECT_TRUE(messages.empty());
}

TEST_F(SessionTest, close_over_polling_ends_the_session_when_no_get_comes) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  polling->receive(*session, PacketType::close, "", false);
  ctx.run_for(80ms);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::transport_close);
  EXPECT_EQ(session->state(), Session::State::closed);
}

TEST_F(SessionTest, ping_from_client_is_a_transport_error) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws);
  ws->receive(*session, PacketType::ping, "", false);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::transport_error);
}

TEST_F(SessionTest, v3_sends_no_ping_and_answers_the_clients_pings) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws, "3");
  EXPECT_EQ(session->protocol(), 3);
  ctx.run_for(70ms);  // past the 50 ms interval: a v4 server would have pinged
  ASSERT_EQ(ws->all_sent().size(), 1u);
  ws->receive(*session, PacketType::ping, "", false);
  ctx.poll();
  ASSERT_EQ(ws->all_sent().size(), 2u);
  EXPECT_EQ(ws->all_sent()[1], "3");
}

TEST_F(SessionTest, v3_stays_open_while_the_client_pings_and_times_out_after_interval_and_timeout) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws, "3");
  for (int i = 0; i < 4; ++i) {
    ctx.run_for(80ms);  // under the 110 ms of interval + timeout
    ws->receive(*session, PacketType::ping, "", false);
  }
  EXPECT_EQ(session->state(), Session::State::open);
  ctx.run_for(150ms);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::ping_timeout);
}

TEST_F(SessionTest, v3_pong_from_client_is_a_transport_error) {
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  auto session = open_session(ws, "3");
  ws->receive(*session, PacketType::pong, "", false);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::transport_error);
}

TEST_F(SessionTest, polling_batches_everything_queued_until_the_next_get) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);  // the open packet took the first GET
  session->send_text("a");
  session->send_binary("\x01");
  session->send_text("b");
  EXPECT_EQ(polling->batches.size(), 1u);
  polling->make_writable();
  polling->poll(*session);
  ASSERT_EQ(polling->batches.size(), 2u);
  EXPECT_EQ(polling->batches[1], (std::vector<std::string>{"4a", "bAQ==", "4b"}));
}

TEST_F(SessionTest, slow_consumer_is_closed_when_its_queue_is_full) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  for (int i = 0; i < 20; ++i) session->send_text("0123456789");
  EXPECT_TRUE(reasons.empty()) << "the session ends in a handler of its own, not inside send()";
  ctx.poll();
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::send_buffer_full);
}

// What is queued goes with the next GET, the close packet with the one after, alone (as Node's
// engine.io does): the official client must see a DISCONNECT before the transport closes.
TEST_F(SessionTest, forced_close_on_polling_sends_the_queue_then_the_close_packet_alone) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  session->send_text("last");
  session->close();
  EXPECT_EQ(session->state(), Session::State::closing);
  session->send_text("dropped");
  polling->make_writable();
  polling->poll(*session);
  EXPECT_EQ(polling->batches.back(), (std::vector<std::string>{"4last"}));
  EXPECT_TRUE(reasons.empty());
  polling->make_writable();
  polling->poll(*session);
  EXPECT_EQ(polling->batches.back(), (std::vector<std::string>{"1"}));
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::forced_close);
}

TEST_F(SessionTest, forced_close_on_polling_with_nothing_queued_sends_the_close_packet) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  session->close();
  polling->make_writable();
  polling->poll(*session);
  EXPECT_EQ(polling->batches.back(), (std::vector<std::string>{"1"}));
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], CloseReason::forced_close);
}

TEST_F(SessionTest, upgrade_probe_then_upgrade_moves_the_queue_to_websocket) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  bool upgraded = false;
  session->on_upgrade([&] { upgraded = true; });
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  ws->upgrade(*session, ws);
  polling->make_writable();  // the client holds a GET while it probes
  ws->receive(*session, PacketType::ping, "probe", false);
  EXPECT_EQ(ws->all_sent(), (std::vector<std::string>{"3probe"}));
  EXPECT_EQ(polling->batches.back(), (std::vector<std::string>{"6"}));  // GET released
  session->send_text("queued during upgrade");
  ws->receive(*session, PacketType::upgrade, "", false);
  EXPECT_TRUE(upgraded);
  EXPECT_TRUE(session->upgraded());
  EXPECT_EQ(session->transport_name(), "websocket");
  EXPECT_EQ(ws->all_sent().back(), "4queued during upgrade");
  EXPECT_TRUE(polling->closed);
  polling->receive(*session, PacketType::message, "stale", false);
  ws->receive(*session, PacketType::message, "fresh", false);
  EXPECT_EQ(messages, (std::vector<std::string>{"txt:fresh"}));
}

TEST_F(SessionTest, unexpected_packet_during_probe_abandons_the_upgrade_only) {
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  ws->upgrade(*session, ws);
  ws->receive(*session, PacketType::message, "too early", false);
  EXPECT_TRUE(ws->closed);
  EXPECT_FALSE(session->upgrading());
  EXPECT_EQ(session->state(), Session::State::open);
  EXPECT_EQ(session->transport_name(), "polling");
  EXPECT_TRUE(messages.empty());
}

TEST_F(SessionTest, upgrade_times_out_when_the_client_never_completes_it) {
  options.upgrade_timeout = 20ms;
  options.ping_interval = 1s;
  auto polling = std::make_shared<RecordingTransport>("polling", true);
  auto session = open_session(polling);
  auto ws = std::make_shared<RecordingTransport>("websocket", true);
  ws->upgrade(*session, ws);
  ctx.run_for(50ms);
  EXPECT_TRUE(ws->closed);
  EXPECT_FALSE(session->upgrading());
  EXPECT_EQ(session->state(), Session::State::open);
}
