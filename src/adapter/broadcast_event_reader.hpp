#pragma once
// The short way of reading a broadcast from another server (see redis::BroadcastEvent), written
// once for both cursors: msgpack::Cursor (the classic adapter's MessagePack) and JsonCursor (the
// sharded and the streams adapters' JSON text). Both are read member by member through Members
// and Items; what differs is how the event's data becomes JSON text (read_event_data).
//
// Anything the short way does not carry as it is (acks, another packet type, a room that is not a
// plain string) makes a read fail: the caller then decodes the message the full way.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/adapter.hpp"
#include "adapter/redis_messages.hpp"
#include "socketio/json_cursor.hpp"
#include "socketio/msgpack_cursor.hpp"
#include "socketio/packet.hpp"

namespace sio::adapter::event_reader {

// The members of a map (an object), key after key; the caller reads each value.
template <class Cursor>
class Members;

// MessagePack gives a map's or an array's size up front: what is left of it, counted down.
class Countdown {
 public:
  // `read_size(left)`: Cursor::read_map or Cursor::read_array; false when the header is not one.
  template <class ReadSize>
  explicit Countdown(ReadSize read_size) {
    ok_ = read_size(left_);
  }
  // Whether one more is there (and counts it).
  bool take() {
    if (!ok_ || left_ == 0) return false;
    --left_;
    return true;
  }

 private:
  std::uint64_t left_ = 0;
  bool ok_ = false;
};

template <>
class Members<socketio::msgpack::Cursor> {
 public:
  explicit Members(socketio::msgpack::Cursor& in)
      : in_(in), left_([&in](std::uint64_t& size) { return in.read_map(size); }) {}
  bool next_key(std::string_view& key) { return left_.take() && in_.read_string(key); }

 private:
  socketio::msgpack::Cursor& in_;
  Countdown left_;
};

template <>
class Members<socketio::JsonCursor> {
 public:
  explicit Members(socketio::JsonCursor& in) : in_(in), ok_(in.begin_object()) {}
  bool next_key(std::string_view& key) { return ok_ && in_.next_key(key); }

 private:
  socketio::JsonCursor& in_;
  bool ok_;
};

// The items of an array, one after the other; the caller reads each.
template <class Cursor>
class Items;

template <>
class Items<socketio::msgpack::Cursor> {
 public:
  explicit Items(socketio::msgpack::Cursor& in)
      : left_([&in](std::uint64_t& size) { return in.read_array(size); }) {}
  bool next() { return left_.take(); }

 private:
  Countdown left_;
};

template <>
class Items<socketio::JsonCursor> {
 public:
  explicit Items(socketio::JsonCursor& in) : in_(in), ok_(in.begin_array()) {}
  bool next() { return ok_ && in_.next_item(); }

 private:
  socketio::JsonCursor& in_;
  bool ok_;
};

// The event's data (a JSON array: its name, then its arguments) as JSON text, into an empty
// `data`.
inline bool read_event_data(socketio::msgpack::Cursor& in, std::string& data) {
  return in.append_json(data) && data.front() == '[';
}
inline bool read_event_data(socketio::JsonCursor& in, std::string& data) {
  std::string_view text;
  if (!in.skip(&text) || text.front() != '[') return false;
  // Room for the packet's text around it (encode_event_broadcast): one allocation.
  data.reserve(text.size() + 32);
  data.assign(text);
  return true;
}

template <class Cursor>
bool read_rooms(Cursor& in, std::vector<Room>& rooms) {
  Items<Cursor> items(in);
  while (items.next()) {
    std::string_view room;
    if (!in.read_string(room)) return false;  // escapes, numbers: the full way
    rooms.emplace_back(room);
  }
  return in.ok();
}

// {rooms, except, flags}; of the flags only `volatile` matters to a receiver.
template <class Cursor>
bool read_options(Cursor& in, BroadcastOptions& options) {
  Members<Cursor> members(in);
  std::string_view key;
  while (members.next_key(key)) {
    if (key == "rooms") {
      if (!read_rooms(in, options.rooms)) return false;
    } else if (key == "except") {
      if (!read_rooms(in, options.except)) return false;
    } else if (key == "flags") {
      Members<Cursor> flags(in);
      std::string_view flag;
      while (flags.next_key(flag)) {
        if (flag == "volatile") {
          options.flags.is_volatile = in.read_true();
        } else {
          in.skip();
        }
      }
    } else {
      in.skip();
    }
    if (!in.ok()) return false;
  }
  return in.ok();
}

// {type: 2, data: [...]} (and `nsp`, read into `nsp` when given, skipped otherwise): an EVENT
// without an ack id.
template <class Cursor>
bool read_event_packet(Cursor& in, redis::BroadcastEvent& event, std::string_view* nsp) {
  Members<Cursor> members(in);
  bool is_event = false;
  std::string_view key;
  while (members.next_key(key)) {
    if (key == "type") {
      std::int64_t type = 0;
      if (!in.read_integer(type)) return false;
      is_event = type == static_cast<std::int64_t>(socketio::PacketType::event);
    } else if (key == "data") {
      if (!event.data.empty() || !read_event_data(in, event.data)) return false;
    } else if (key == "nsp" && nsp) {
      if (!in.read_string(*nsp)) return false;
    } else if (key == "id") {
      return false;
    } else if (!in.skip()) {
      return false;
    }
  }
  return in.ok() && is_event && !event.data.empty();
}

}  // namespace sio::adapter::event_reader
