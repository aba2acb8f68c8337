#include "adapter/redis_stream_reader.hpp"

#include <spdlog/spdlog.h>

namespace sio::adapter {

namespace {

constexpr std::chrono::milliseconds kRetryDelay{200};

}  // namespace

std::shared_ptr<RedisStreamReader> RedisStreamReader::create(boost::asio::io_context& ctx,
                                                             Options options) {
  return std::make_shared<RedisStreamReader>(ctx, std::move(options));
}

RedisStreamReader::RedisStreamReader(boost::asio::io_context& ctx, Options options)
    : ctx_(ctx), options_(std::move(options)), retry_timer_(ctx) {
  RedisConnection::Options connection;
  connection.url = options_.url;
  connection.name = "stream reader";
  // A PING waits behind a blocked XREAD: allow it the whole block time and more.
  connection.health_check_interval = std::max(options_.block * 2, std::chrono::milliseconds(5000));
  connection_ = RedisConnection::create(ctx_, connection);
  connection_->on_ready([this] { start(); });
  connection_->start();
}

RedisStreamReader::~RedisStreamReader() {
  close();
}

void RedisStreamReader::close() {
  if (closed_) return;
  closed_ = true;
  retry_timer_.cancel();
  connection_->close();
  handlers_.clear();
}

RedisStreamReader::HandlerId RedisStreamReader::add(const std::string& nsp, EntryHandler handler) {
  const auto id = next_id_++;
  handlers_.emplace(nsp, std::pair{id, std::move(handler)});
  return id;
}

void RedisStreamReader::remove(HandlerId id) {
  std::erase_if(handlers_, [id](const auto& entry) { return entry.second.first == id; });
}

// Each time the link is (back) up: from where it was, or from the stream's end the first time.
void RedisStreamReader::start() {
  if (closed_) return;
  reading_ = false;
  if (position_.empty()) return find_end();
  read();
}

void RedisStreamReader::find_end() {
  const std::vector<std::string_view> argv{"XREVRANGE", options_.stream, "+", "-", "COUNT", "1"};
  connection_->send(argv, [this, alive = std::weak_ptr(alive_)](const RedisReply& reply) {
    if (alive.expired() || closed_) return;
    if (reply.is_error()) return retry_later();
    // An empty stream: every id to come is above 0-0.
    position_ = "0-0";
    if (reply.is_array() && !reply.elements.empty() && reply.elements[0].is_array() &&
        !reply.elements[0].elements.empty()) {
      position_ = reply.elements[0].elements[0].str;
    }
    read();
  });
}

void RedisStreamReader::read() {
  if (closed_ || reading_ || !connection_->ready()) return;
  reading_ = true;
  const auto count = std::to_string(options_.read_count);
  const auto block = std::to_string(options_.block.count());
  const std::vector<std::string_view> argv{"XREAD", "COUNT",   count,           "BLOCK",
                                           block,   "STREAMS", options_.stream, position_};
  auto alive = std::weak_ptr(alive_);
  // Most replies come whole in one read and are read where they lie; the others (cut across
  // reads, errors) come as a reply made by the RespReader.
  auto in_place = [this, alive](std::string_view bytes, std::size_t& used) {
    if (alive.expired() || closed_) return PushRead::other;
    const auto step = read_stream_reply(bytes, reply_, used);
    if (step != PushRead::message) return step;
    reading_ = false;
    for (const auto& entry : reply_.entries) {
      id_.assign(entry.id);
      position_ = id_;
      deliver(StreamFieldsView(reply_.fields).subspan(entry.first_field, entry.field_count));
      if (closed_) return PushRead::message;
    }
    read();
    return PushRead::message;
  };
  auto handler = [this, alive](const RedisReply& reply) {
    if (alive.expired() || closed_) return;
    reading_ = false;
    // A lost link: start() goes on once it is back.
    if (reply.is_error()) {
      if (!reply.str.starts_with("connection")) retry_later();
      return;
    }
    on_entries(reply);
    read();
  };
  if (!connection_->send(argv, std::move(handler), std::move(in_place))) {
    reading_ = false;
    retry_later();
  }
}

// *1 [ [stream, [ [id, [field, value, …]], … ]] ], or nil when BLOCK timed out.
void RedisStreamReader::on_entries(const RedisReply& reply) {
  if (!reply.is_array()) return;
  for (const auto& stream : reply.elements) {
    if (!stream.is_array() || stream.elements.size() < 2 || !stream.elements[1].is_array())
      continue;
    for (const auto& entry : stream.elements[1].elements) {
      if (!entry.is_array() || entry.elements.size() < 2) continue;
      id_ = entry.elements[0].str;
      position_ = id_;
      fields_of(entry.elements[1], fields_);
      deliver(fields_);
      if (closed_) return;
    }
  }
}

void RedisStreamReader::deliver(StreamFieldsView fields) {
  const auto nsp = field_of(fields, "nsp");
  if (nsp.empty()) return;
  auto [first, last] = handlers_.equal_range(nsp);
  if (first == last) return;
  auto run = [&](const EntryHandler& handler) {
    // An entry is someone else's input: one that breaks a handler is dropped.
    try {
      handler(id_, fields);
    } catch (const std::exception& e) {
      spdlog::error("redis streams: dropped entry {}: {}", id_, e.what());
    }
  };
  // Copied before they run: a handler may add or remove handlers. One namespace (the usual
  // case) needs no list.
  if (std::next(first) == last) {
    const auto handler = first->second.second;
    return run(handler);
  }
  std::vector<EntryHandler> targets;
  for (auto it = first; it != last; ++it) targets.push_back(it->second.second);
  for (const auto& handler : targets) run(handler);
}

void RedisStreamReader::retry_later() {
  retry_timer_.expires_after(kRetryDelay);
  retry_timer_.async_wait([this, alive = std::weak_ptr(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired() || closed_) return;
    start();
  });
}

}  // namespace sio::adapter
