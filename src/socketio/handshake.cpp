#include "socketio/handshake.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <ctime>

namespace sio::socketio {

namespace {

void append_pair(std::string& block, std::string_view name, std::string_view value) {
  block.append(name);
  block.push_back('\0');
  block.append(value);
  block.push_back('\0');
}

template <class F>
void for_each_pair(std::string_view block, F&& f) {
  std::size_t pos = 0;
  while (pos < block.size()) {
    const auto name_end = block.find('\0', pos);
    const auto value_end = block.find('\0', name_end + 1);
    f(block.substr(pos, name_end - pos), block.substr(name_end + 1, value_end - name_end - 1));
    pos = value_end + 1;
  }
}

nlohmann::ordered_json to_object(std::string_view block) {
  auto object = nlohmann::ordered_json::object();
  for_each_pair(block, [&](std::string_view name, std::string_view value) {
    object[std::string(name)] = std::string(value);
  });
  return object;
}

// The last value of a repeated name wins, as in to_object.
std::optional<std::string_view> find_in(std::string_view block, std::string_view wanted) {
  std::optional<std::string_view> found;
  for_each_pair(block, [&](std::string_view name, std::string_view value) {
    if (name == wanted) found = value;
  });
  return found;
}

}  // namespace

Handshake Handshake::from_request(const http::HttpRequest& request, nlohmann::ordered_json auth) {
  Handshake h;
  for (const auto& field : request.message) {
    const auto name = boost::algorithm::to_lower_copy(std::string(field.name_string()));
    // A repeated header keeps its last value, as an object key would.
    append_pair(h.headers_, name, field.value());
  }
  for (const auto& [key, value] : request.query) append_pair(h.query_, key, value);
  h.headers_.shrink_to_fit();
  h.query_.shrink_to_fit();
  h.issued = std::chrono::duration_cast<std::chrono::milliseconds>(
                 request.received_at.time_since_epoch())
                 .count();
  h.address = request.remote_address;
  h.xdomain = !request.header(http::field::origin).empty();
  h.secure = request.secure;
  h.url = std::string(request.message.target());
  h.auth = auth.is_object() ? std::move(auth) : nlohmann::ordered_json::object();
  return h;
}

nlohmann::ordered_json Handshake::headers() const { return to_object(headers_); }

std::optional<std::string_view> Handshake::header(std::string_view lower_case_name) const {
  return find_in(headers_, lower_case_name);
}

nlohmann::ordered_json Handshake::query() const { return to_object(query_); }

std::optional<std::string_view> Handshake::query_param(std::string_view name) const {
  return find_in(query_, name);
}

std::string Handshake::time() const {
  const std::time_t seconds = static_cast<std::time_t>(issued / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[80];
  std::strftime(buffer, sizeof buffer, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)",
                &utc);
  return buffer;
}

nlohmann::ordered_json Handshake::to_json() const {
  return {{"headers", headers()}, {"time", time()},     {"address", address},
          {"xdomain", xdomain},   {"secure", secure},   {"issued", issued},
          {"url", url},           {"query", query()},   {"auth", auth}};
}

}  // namespace sio::socketio
