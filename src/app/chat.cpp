#include "app/chat.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <cstdint>

#include "app/ids.hpp"
#include "app/records_json.hpp"
#include "reactor/gather.hpp"

namespace sio::app {

using socketio::Ack;
using socketio::Args;
using socketio::json;
using socketio::Socket;

namespace {

std::string user_of(const Socket& socket) { return socket.data.value("userId", ""); }

// A room id as clients send it: a positive integer, or its decimal string.
std::optional<std::int64_t> parse_room_id(const json& value) {
  if (value.is_number_integer() && value.get<std::int64_t>() > 0) return value.get<std::int64_t>();
  if (value.is_string()) return parse_id(value.get_ref<const std::string&>());
  return std::nullopt;
}

std::size_t utf8_length(const std::string& text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

// Whitespace as JavaScript's trim() knows it, so that what looks empty in a browser is refused.
bool is_whitespace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

// True when the (valid UTF-8) text holds whitespace only.
bool is_blank(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t c = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    if (!is_whitespace(c)) return false;
    i += length;
  }
  return true;
}

std::string room_name(std::int64_t id) { return "room:" + std::to_string(id); }

// The weak handle store callbacks use: the socket may be gone when the store answers.
std::weak_ptr<Socket> weak(Socket& socket) { return socket.shared_from_this(); }

}  // namespace

void reply_error(Socket& socket, const Ack& ack, const std::string& error) {
  if (ack) return ack(json{{"ok", false}, {"error", error}});
  socket.emit("error", error);
}

Chat::Chat(socketio::Server& io, StoreWorker& store)
    : io_(io), store_(store), shares_(io.reactors()) {}

std::size_t Chat::home_of(const std::string& user_id) const {
  return std::hash<std::string>{}(user_id) % io_.reactors().size();
}

std::size_t Chat::home_of(std::int64_t room_id) const {
  return static_cast<std::size_t>(room_id) % io_.reactors().size();
}

void Chat::collect_stats(std::function<void(Stats)> done) {
  reactor::gather<Stats>(
      io_.reactors(),
      [this](std::size_t index) {
        auto& share = shares_[index];
        return Stats{share.online.size(), share.message_rate.per_second(),
                     share.message_rate.total()};
      },
      [done = std::move(done)](std::vector<Stats> shares) {
        Stats total;
        for (const auto& share : shares) {
          total.online_users += share.online_users;
          total.messages_per_second += share.messages_per_second;
          total.messages_stored += share.messages_stored;
        }
        done(total);
      });
}

void Chat::socket_connected(const std::string& user_id) {
  if (++shares_.local().online[user_id] == 1) user_online(user_id);
}

void Chat::socket_disconnected(const std::string& user_id, std::vector<std::string> joined_rooms) {
  auto& online = shares_.local().online;
  auto it = online.find(user_id);
  if (it == online.end() || --it->second > 0) return;
  online.erase(it);
  user_offline(user_id, std::move(joined_rooms));
}

void Chat::on_connection(Socket& socket) {
  const auto user_id = user_of(socket);
  socket.join("user:" + user_id);
  socket.on("join-room", [this](Socket& s, const Args& a, Ack ack) { join_room(s, a, std::move(ack)); });
  socket.on("leave-room", [this](Socket& s, const Args& a, Ack ack) { leave_room(s, a, std::move(ack)); });
  socket.on("message", [this](Socket& s, const Args& a, Ack ack) { send_message(s, a, std::move(ack)); });
  socket.on("history", [this](Socket& s, const Args& a, Ack ack) { history(s, a, std::move(ack)); });
  socket.on("notifications:read", [this](Socket& s, const Args& a, Ack ack) { mark_read(s, a, std::move(ack)); });
  const auto home = home_of(user_id);
  socket.on_disconnect([this, home](Socket& s, const std::string&) {
    std::vector<std::string> joined;
    for (auto& room : s.rooms()) {
      if (room.rfind("room:", 0) == 0) joined.push_back(room);
    }
    io_.reactors().post(home, [this, user = user_of(s), joined = std::move(joined)]() mutable {
      socket_disconnected(user, std::move(joined));
    });
  });
  // Posted even when home is here: a socket's connect and disconnect reach home in order.
  io_.reactors().post(home, [this, user_id] { socket_connected(user_id); });

  // A recovered socket had the unread list when it first connected, and was sent again every
  // `notification` it missed: the list would repeat them.
  if (socket.recovered()) return;
  store_.run<std::vector<NotificationRecord>>(
      [user_id](Store& store) { return store.unread_notifications(user_id); },
      [socket = weak(socket)](StoreResult<std::vector<NotificationRecord>> result) {
        auto s = socket.lock();
        if (!s || !result) return;
        json list = json::array();
        for (const auto& n : *result.value) list.push_back(to_json(n));
        s->emit("notifications", list);
      });
}

namespace {
void refuse_too_many_rooms(Socket& socket, const Ack& ack) {
  socket.emit("error", "Too many rooms");
  if (ack) ack(json{{"ok", false}, {"error", "Too many rooms"}});
}
}  // namespace

void Chat::join_room(Socket& socket, const Args& args, Ack ack) {
  auto room_id = args.empty() ? std::nullopt : parse_room_id(args[0]);
  if (!room_id) return reply_error(socket, ack, "Invalid roomId");
  const auto user_id = user_of(socket);
  // Over max_rooms_per_socket: told like a refused room, before a public room makes the user a
  // member in the database.
  if (!socket.can_join(room_name(*room_id))) return refuse_too_many_rooms(socket, ack);
  // Joining a public room makes the user a member (history is for members).
  store_.run<bool>(
      [id = *room_id, user_id](Store& store) {
        auto room = store.find_room(id);
        if (!room) return false;
        if (store.is_member(id, user_id)) return true;
        if (!room->is_public) return false;
        store.add_member(id, user_id);
        return true;
      },
      [socket = weak(socket), ack, id = *room_id](StoreResult<bool> result) {
        auto s = socket.lock();
        if (!s) return;
        if (!result) return reply_error(*s, ack, "Store unavailable");
        if (!*result.value) {
          s->emit("error", "Forbidden");
          if (ack) ack(json{{"ok", false}, {"error", "Forbidden"}});
          return;
        }
        // Other joins may have filled the socket's rooms meanwhile.
        if (!s->join(room_name(id))) return refuse_too_many_rooms(*s, ack);
        if (ack) ack(json{{"ok", true}});
      });
}

void Chat::leave_room(Socket& socket, const Args& args, Ack ack) {
  auto room_id = args.empty() ? std::nullopt : parse_room_id(args[0]);
  if (!room_id) return reply_error(socket, ack, "Invalid roomId");
  socket.leave(room_name(*room_id));
  if (ack) ack(json{{"ok", true}});
}

void Chat::send_message(Socket& socket, const Args& args, Ack ack) {
  if (args.empty() || !args[0].is_object()) return reply_error(socket, ack, "Invalid message");
  const auto& data = args[0];
  auto room_id = data.contains("roomId") ? parse_room_id(data["roomId"]) : std::nullopt;
  if (!room_id) return reply_error(socket, ack, "Invalid roomId");
  if (!data.contains("content") || !data["content"].is_string()) {
    return reply_error(socket, ack, "Invalid content");
  }
  auto content = data["content"].get<std::string>();
  if (is_blank(content)) return reply_error(socket, ack, "Empty content");
  if (utf8_length(content) > kMaxContentLength) return reply_error(socket, ack, "Content too long");
  const auto room = room_name(*room_id);
  // Only sockets that joined the room (and so passed its access rule) may post to it.
  const auto joined = socket.rooms();
  if (std::find(joined.begin(), joined.end(), room) == joined.end()) {
    return reply_error(socket, ack, "Not in room");
  }

  store_.run_on<MessageRecord>(
      home_of(*room_id),
      [id = *room_id, user_id = user_of(socket), content = std::move(content)](Store& store) {
        return store.add_message(id, user_id, content, now_ms());
      },
      [this, socket = weak(socket), executor = socket.executor(), ack,
       room](StoreResult<MessageRecord> result) {
        if (!result) {
          note_unstored(result.error);
          boost::asio::post(executor, [socket, ack] {
            if (auto s = socket.lock()) reply_error(*s, ack, "Message not stored");
          });
          return;
        }
        note_stored();
        shares_.local().message_rate.add();
        // Stored, so it may be sent: to the room, then the sender's confirmation (the ack goes to
        // the sender's reactor after the broadcast does).
        auto message = to_json(*result.value);
        io_.to(room).emit("message", message);
        if (ack) ack(json{{"ok", true}, {"message", message}});
      });
}

void Chat::note_unstored(const std::string& error) {
  // During an outage every message fails: one line when it starts, one when it ends.
  if (shares_.local().unstored++ == 0) spdlog::warn("messages not stored: {}", error);
}

void Chat::note_stored() {
  auto& unstored = shares_.local().unstored;
  if (unstored == 0) return;
  spdlog::info("messages stored again ({} refused meanwhile)", unstored);
  unstored = 0;
}

void Chat::history(Socket& socket, const Args& args, Ack ack) {
  if (args.empty() || !args[0].is_object()) return reply_error(socket, ack, "Invalid request");
  const auto& request = args[0];
  auto room_id = request.contains("roomId") ? parse_room_id(request["roomId"]) : std::nullopt;
  if (!room_id) return reply_error(socket, ack, "Invalid roomId");
  int limit = 50;
  if (request.contains("limit")) {
    const auto& value = request["limit"];
    // Compared as the 64-bit number it is: narrowing first would let 2^32+2 pass as 2.
    if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
        value.get<std::int64_t>() > kMaxHistory) {
      return reply_error(socket, ack, "Invalid limit");
    }
    limit = static_cast<int>(value.get<std::int64_t>());
  }
  std::optional<std::int64_t> before;
  if (request.contains("before") && !request["before"].is_null()) {
    const auto& value = request["before"];
    if (!value.is_number_integer() ||
        (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
      return reply_error(socket, ack, "Invalid before");
    }
    before = value.get<std::int64_t>();
  }
  struct Page {
    bool allowed = false;
    std::vector<MessageRecord> messages;
  };
  store_.run<Page>(
      [id = *room_id, user_id = user_of(socket), before, limit](Store& store) {
        Page page;
        page.allowed = store.is_member(id, user_id);
        if (page.allowed) page.messages = store.history(id, before, limit);
        return page;
      },
      [socket = weak(socket), ack](StoreResult<Page> result) {
        auto s = socket.lock();
        if (!s) return;
        if (!result) return reply_error(*s, ack, "Store unavailable");
        if (!result.value->allowed) return reply_error(*s, ack, "Forbidden");
        json messages = json::array();
        for (const auto& m : result.value->messages) messages.push_back(to_json(m));
        if (ack) ack(json{{"ok", true}, {"messages", messages}});
      });
}

void Chat::mark_read(Socket& socket, const Args& args, Ack ack) {
  std::vector<std::int64_t> ids;
  if (!args.empty() && args[0].is_object() && args[0].contains("ids")) {
    const auto& list = args[0]["ids"];
    if (!list.is_array()) return reply_error(socket, ack, "Invalid ids");
    for (const auto& id : list) {
      if (!id.is_number_integer()) return reply_error(socket, ack, "Invalid ids");
      ids.push_back(id.get<std::int64_t>());
    }
    // An explicit empty list names no notification (only a missing list means "all").
    if (ids.empty()) {
      if (ack) ack(json{{"ok", true}, {"count", 0}});
      return;
    }
  }
  store_.run<std::int64_t>(
      [user_id = user_of(socket), ids](Store& store) { return store.mark_notifications_read(user_id, ids); },
      [socket = weak(socket), ack](StoreResult<std::int64_t> result) {
        auto s = socket.lock();
        if (!s) return;
        if (!result) return reply_error(*s, ack, "Store unavailable");
        if (ack) ack(json{{"ok", true}, {"count", *result.value}});
      });
}

void Chat::user_online(const std::string& user_id) {
  store_.run<std::vector<std::int64_t>>(
      [user_id](Store& store) { return store.rooms_of_member(user_id); },
      [this, user_id](StoreResult<std::vector<std::int64_t>> result) {
        if (!result) return;
        std::vector<std::string> rooms;
        for (auto id : *result.value) rooms.push_back(room_name(id));
        if (!rooms.empty()) io_.to(rooms).emit("presence", json{{"userId", user_id}, {"online", true}});
      });
}

void Chat::user_offline(const std::string& user_id, std::vector<std::string> joined_rooms) {
  store_.run<std::vector<std::int64_t>>(
      [user_id](Store& store) {
        store.set_last_seen(user_id, now_ms());
        return store.rooms_of_member(user_id);
      },
      [this, user_id, joined = std::move(joined_rooms)](StoreResult<std::vector<std::int64_t>> result) {
        if (!result) spdlog::warn("lastSeenAt of {} not stored: {}", user_id, result.error);
        auto rooms = joined;
        if (result) {
          for (auto id : *result.value) rooms.push_back(room_name(id));
        }
        // A user who came back meanwhile is online again: no offline notice (this runs on the
        // user's home reactor, which keeps the count).
        if (rooms.empty() || shares_.local().online.contains(user_id)) return;
        io_.to(rooms).emit("presence", json{{"userId", user_id}, {"online", false}});
      });
}

}  // namespace sio::app
