#include "socketio/decoder.hpp"

#include <array>
#include <charconv>

#include "socketio/json_parse.hpp"
#include "socketio/msgpack_packet.hpp"

namespace sio::socketio {

namespace {

// Events a client may not emit: the names the client API reserves for itself.
constexpr std::array<std::string_view, 6> kReservedEvents = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The deepest array/object nesting in a JSON text (strings skipped), so that a hostile
// [[[[…]]]] is refused before a recursive walk could overflow the stack.
std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

int hex_value(std::string_view text, std::size_t at) {
  if (at + 4 > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = text[i];
    value <<= 4;
    if (c >= '0' && c <= '9') value |= c - '0';
    else if (c >= 'a' && c <= 'f') value |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') value |= c - 'A' + 10;
    else return -1;
  }
  return value;
}

// JavaScript strings may hold half of a surrogate pair (a front end cutting text at a UTF-16
// length does that) and JSON.stringify escapes it as \udXXX; JSON parsers that insist on valid
// Unicode refuse it. Such halves become U+FFFD, as a browser would display them.
std::string replace_lone_surrogates(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      out += c;
      continue;
    }
    if (c == '"') {
      in_string = false;
      out += c;
      continue;
    }
    if (c != '\\' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    if (text[i + 1] != 'u') {
      out.append(text.substr(i, 2));
      ++i;
      continue;
    }
    const int unit = hex_value(text, i + 2);
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 11 < text.size() && text[i + 6] == '\\' &&
        text[i + 7] == 'u') {
      const int low = hex_value(text, i + 8);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        out.append(text.substr(i, 12));
        i += 11;
        continue;
      }
    }
    if (unit >= 0xD800 && unit <= 0xDFFF) {
      out += "\\uFFFD";
      i += 5;
      continue;
    }
    out += c;
  }
  return out;
}

bool payload_valid(PacketType type, const json& payload) {
  switch (type) {
    case PacketType::connect: return payload.is_object();
    case PacketType::disconnect: return false;  // a DISCONNECT carries nothing
    case PacketType::connect_error: return payload.is_object() || payload.is_string();
    case PacketType::event:
    case PacketType::binary_event: {
      if (!payload.is_array() || payload.empty() || !payload[0].is_string()) return false;
      return !is_reserved_event(payload[0].get_ref<const std::string&>());
    }
    case PacketType::ack:
    case PacketType::binary_ack: return payload.is_array();
  }
  return false;
}

bool is_placeholder(const json& value) {
  if (!value.is_object() || value.size() != 2) return false;
  auto flag = value.find("_placeholder");
  return flag != value.end() && *flag == true && value.contains("num");
}

// Puts the attachments back where their placeholders are; false on a bad placeholder. Each
// attachment fills one placeholder only, as the official encoder sends them: a repeated one would
// let a client have one large attachment copied thousands of times from a small packet.
bool reconstruct(json& value, std::vector<std::string>& attachments, std::vector<bool>& used) {
  if (is_placeholder(value)) {
    const auto& num = value["num"];
    if (!num.is_number_unsigned()) return false;
    const auto index = num.get<std::uint64_t>();
    if (index >= attachments.size() || used[index]) return false;
    used[index] = true;
    const auto& bytes = attachments[index];
    value = json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    return true;
  }
  if (value.is_array() || value.is_object()) {
    for (auto& child : value) {
      if (!reconstruct(child, attachments, used)) return false;
    }
  }
  return true;
}

}  // namespace

std::optional<ParsedText> parse_text(std::string_view text, const DecoderLimits& limits,
                                     std::string* error) {
  auto fail = [&](const char* message) -> std::optional<ParsedText> {
    if (error) *error = message;
    return std::nullopt;
  };
  if (text.empty() || text[0] < '0' || text[0] > '6') return fail("unknown packet type");
  ParsedText parsed;
  auto& packet = parsed.packet;
  packet.type = static_cast<PacketType>(text[0] - '0');
  std::size_t i = 1;

  if (packet.type == PacketType::binary_event || packet.type == PacketType::binary_ack) {
    const auto dash = text.find('-', i);
    if (dash == std::string_view::npos || dash == i) return fail("illegal attachments");
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + dash, parsed.attachments);
    if (ec != std::errc() || end != text.data() + dash) return fail("illegal attachments");
    if (parsed.attachments > limits.max_attachments) return fail("too many attachments");
    i = dash + 1;
  }

  if (i < text.size() && text[i] == '/') {
    const auto comma = text.find(',', i);
    const auto end = comma == std::string_view::npos ? text.size() : comma;
    packet.nsp.assign(text.substr(i, end - i));
    i = comma == std::string_view::npos ? text.size() : comma + 1;
  }

  if (i < text.size() && is_digit(text[i])) {
    std::size_t end = i;
    while (end < text.size() && is_digit(text[end])) ++end;
    if (end - i > 15) return fail("illegal id");  // past 2^53 the client's numbers lose precision
    std::uint64_t id = 0;
    std::from_chars(text.data() + i, text.data() + end, id);
    packet.id = id;
    i = end;
  }

  if (i < text.size()) {
    const auto body = text.substr(i);
    if (nesting_depth(body) > limits.max_depth) return fail("payload nested too deeply");
    json payload = parse_json(body);
    if (payload.is_discarded() && body.find("\\u") != std::string_view::npos) {
      payload = parse_json(replace_lone_surrogates(body));
    }
    if (payload.is_discarded() || !payload_valid(packet.type, payload)) return fail("invalid payload");
    if ((packet.type == PacketType::event || packet.type == PacketType::binary_event) &&
        payload[0].get_ref<const std::string&>().size() > limits.max_event_name_bytes) {
      return fail("event name too long");
    }
    packet.data = std::move(payload);
  } else if (packet.type == PacketType::event || packet.type == PacketType::binary_event ||
             packet.type == PacketType::ack || packet.type == PacketType::binary_ack ||
             packet.type == PacketType::connect_error) {
    return fail("missing payload");
  }
  if (packet.type == PacketType::connect && packet.data.is_null()) packet.data = json::object();
  if (packet.id && packet.type != PacketType::event && packet.type != PacketType::binary_event &&
      packet.type != PacketType::ack && packet.type != PacketType::binary_ack) {
    return fail("illegal id");
  }
  return parsed;
}

Decoder::Status Decoder::fail(std::string message) {
  error_ = std::move(message);
  reconstructing_.reset();
  attachments_.clear();
  return Status::error;
}

bool is_reserved_event(std::string_view name) {
  for (auto reserved : kReservedEvents) {
    if (name == reserved) return true;
  }
  return false;
}

Decoder::Status Decoder::add_text(std::string_view text) {
  if (parser_ == Parser::msgpack) {
    return fail("got a text message where the msgpack parser wants binary (the client uses the "
                "default parser?)");
  }
  if (reconstructing_) return fail("got plaintext data when reconstructing a packet");
  std::string error;
  auto parsed = parse_text(text, limits_, &error);
  if (!parsed) return fail(std::move(error));
  if (parsed->attachments == 0 && (parsed->packet.type == PacketType::binary_event ||
                                   parsed->packet.type == PacketType::binary_ack)) {
    // Zero attachments: nothing to wait for (placeholders, if any, are then invalid).
    reconstructing_ = std::move(parsed->packet);
    expected_attachments_ = 0;
    return finish_binary();
  }
  if (parsed->attachments > 0) {
    reconstructing_ = std::move(parsed->packet);
    expected_attachments_ = parsed->attachments;
    attachments_.clear();
    attachments_.reserve(expected_attachments_);
    return Status::need_more;
  }
  ready_ = std::move(parsed->packet);
  return Status::packet;
}

Decoder::Status Decoder::add_binary(std::string_view bytes) {
  if (parser_ == Parser::msgpack) {
    std::string error;
    auto packet = decode_msgpack_packet(bytes, limits_, &error);
    if (!packet) return fail(std::move(error));
    ready_ = std::move(*packet);
    return Status::packet;
  }
  if (!reconstructing_) {
    return fail("got binary data when not reconstructing a packet (the client uses the msgpack "
                "parser?)");
  }
  attachments_.emplace_back(bytes);
  if (attachments_.size() < expected_attachments_) return Status::need_more;
  return finish_binary();
}

Decoder::Status Decoder::finish_binary() {
  auto packet = std::move(*reconstructing_);
  reconstructing_.reset();
  std::vector<bool> used(attachments_.size());
  if (!reconstruct(packet.data, attachments_, used)) return fail("illegal attachments");
  attachments_.clear();
  // The application sees plain EVENT/ACK; binary is in the data.
  packet.type = packet.type == PacketType::binary_event ? PacketType::event : PacketType::ack;
  ready_ = std::move(packet);
  return Status::packet;
}

}  // namespace sio::socketio
