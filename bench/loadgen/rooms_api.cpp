#include "loadgen/rooms_api.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

namespace sio::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using json = nlohmann::ordered_json;

std::vector<std::string> create_rooms(const Target& target, const std::string& token,
                                      std::size_t count) {
  asio::io_context ctx;
  std::optional<asio::ip::tcp::socket> socket;
  boost::beast::flat_buffer buffer;
  std::vector<std::string> ids;
  ids.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (!socket) {
      socket.emplace(ctx);
      socket->connect(target.server);
      buffer.clear();
    }
    http::request<http::string_body> request{http::verb::post, "/api/rooms", 11};
    request.set(http::field::host, target.host_header);
    request.set(http::field::authorization, "Bearer " + token);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = json{{"name", "bench-" + std::to_string(i + 1)}, {"public", true}}.dump();
    request.prepare_payload();
    http::write(*socket, request);
    http::response<http::string_body> response;
    http::read(*socket, buffer, response);
    if (response.result() != http::status::created) {
      throw std::runtime_error("POST /api/rooms: " + std::to_string(response.result_int()) + " " +
                               response.body());
    }
    const auto room = json::parse(response.body(), nullptr, false);
    if (!room.is_object() || !room.contains("id") || !room["id"].is_number_integer()) {
      throw std::runtime_error("POST /api/rooms: no room id in " + response.body());
    }
    ids.push_back(std::to_string(room["id"].get<std::int64_t>()));
    if (!response.keep_alive()) socket.reset();
  }
  return ids;
}

}  // namespace sio::bench
