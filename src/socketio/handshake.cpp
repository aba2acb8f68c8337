#include "socketio/handshake.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <ctime>

namespace sio::socketio {

Handshake Handshake::from_request(const engineio::HttpRequest& request, nlohmann::json auth) {
  Handshake h;
  for (const auto& field : request.message) {
    auto name = boost::algorithm::to_lower_copy(std::string(field.name_string()));
    h.headers[name] = std::string(field.value());
  }
  const auto issued = std::chrono::duration_cast<std::chrono::milliseconds>(
      request.received_at.time_since_epoch());
  h.issued = issued.count();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(request.received_at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)",
                &utc);
  h.time = buffer;
  h.address = request.remote_address;
  h.xdomain = !request.header(engineio::http::field::origin).empty();
  h.url = std::string(request.message.target());
  for (const auto& [key, value] : request.query) h.query[key] = value;
  h.auth = auth.is_object() ? std::move(auth) : nlohmann::json::object();
  return h;
}

nlohmann::json Handshake::to_json() const {
  return {{"headers", headers}, {"time", time},     {"address", address},
          {"xdomain", xdomain}, {"secure", secure}, {"issued", issued},
          {"url", url},         {"query", query},   {"auth", auth}};
}

}  // namespace sio::socketio
