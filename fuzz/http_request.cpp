// The HTTP request path of a connection: Beast's request parser with the server's limits (header
// bytes, then the route's body limit), the request target's path and query, header lookups and
// the CORS headers an answer earns, the way HttpConnection and the Engine.IO server use them.
//
// The first input byte chooses how many bytes arrive at a time (1 to 128), so that the parser is
// also driven through requests split across reads; the rest is what the peer sends.

#include "http/http_request.hpp"

#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "http/cors.hpp"
#include "engineio/options.hpp"

using sio::engineio::ServerOptions;
namespace http = sio::http;
using http::CorsOptions;
using http::CorsPolicy;
using http::HttpRequest;
using http::make_response;
using http::Response;

namespace {

const ServerOptions kOptions = [] {
  ServerOptions options;
  options.path = "/socket.io/";
  return options;
}();
constexpr std::size_t kDefaultBodyLimit = 64 * 1024;

// Feeds `input` to the parser, `chunk` more bytes each time it needs more, until it has the
// header (or the whole message); at the end of the input the peer closes.
template <class Parser>
boost::beast::error_code feed(Parser& parser, std::string_view input, std::size_t& fed,
                              std::size_t& parsed, std::size_t chunk, bool until_done) {
  const auto finished = [&] { return until_done ? parser.is_done() : parser.is_header_done(); };
  boost::beast::error_code ec;
  while (!finished()) {
    if (fed > parsed) {
      const auto used = parser.put(boost::asio::buffer(input.data() + parsed, fed - parsed), ec);
      parsed += used;
      if (ec && ec != http::error::need_more) return ec;
      if (!ec && used > 0) continue;
      ec = {};
    }
    if (fed == input.size()) {
      // As Beast's read does: a peer that closes before sending anything ends the stream.
      if (!parser.got_some()) return http::error::end_of_stream;
      parser.put_eof(ec);
      if (!ec && !finished()) ec = http::error::partial_message;
      return ec;
    }
    fed = std::min(input.size(), fed + chunk);
  }
  return ec;
}

// What the response carrying the CORS headers would look like on the wire must parse back with
// the same headers: a reflected Origin may not smuggle a header or a line break.
void check_serialized(const Response& response) {
  std::ostringstream wire;
  wire << response;
  const auto text = wire.str();
  http::response_parser<http::string_body> parser;
  std::size_t fed = text.size(), parsed = 0;
  if (feed(parser, text, fed, parsed, text.size(), true) || parsed != text.size()) __builtin_trap();
  const auto& again = parser.get();
  for (const auto& field : response) {
    const auto echoed = again.find(field.name_string());
    if (echoed == again.end()) __builtin_trap();
  }
  if (again[http::field::access_control_allow_origin] !=
      response[http::field::access_control_allow_origin]) {
    __builtin_trap();
  }
}

void handle(HttpRequest& request) {
  if (!request.parse_target()) return;
  if (request.path.empty() || request.path.front() != '/') __builtin_trap();
  for (const auto& [key, value] : request.query) {
    const auto found = request.query_param(key);
    if (!found) __builtin_trap();
  }
  (void)request.query_param("EIO");
  (void)request.query_param("transport");
  (void)request.query_param("sid");
  (void)request.header(http::field::upgrade);
  (void)request.header("sec-websocket-key");

  const CorsPolicy any(CorsOptions{{"*"}, false});
  const CorsPolicy listed(CorsOptions{{"https://app.example", "null"}, true});
  const CorsPolicy reflect_any(CorsOptions{{"*"}, true});
  for (const auto* policy : {&any, &listed, &reflect_any}) {
    auto response = make_response(request, http::status::ok, "ok", "text/plain");
    policy->apply(request, response);
    check_serialized(response);
    check_serialized(policy->preflight(request));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 128;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t fed = std::min(input.size(), chunk), parsed = 0;

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kOptions.http.max_header_bytes));
  parser.body_limit(boost::none);
  if (feed(parser, input, fed, parsed, chunk, false)) return 0;

  // The route's limit, known once the target is: Engine.IO requests may carry max_payload.
  const auto target = std::string_view(parser.get().target());
  const auto limit = target.substr(0, target.find('?')).starts_with(kOptions.path)
                         ? kOptions.max_payload
                         : kDefaultBodyLimit;
  bool body_too_large = false;
  if (const auto length = parser.content_length(); length && *length > limit) {
    body_too_large = true;
  } else {
    parser.body_limit(limit);
    const auto ec = feed(parser, input, fed, parsed, chunk, true);
    if (ec == http::error::body_limit)
      body_too_large = true;
    else if (ec)
      return 0;
  }

  HttpRequest request;
  request.message = parser.release();
  request.body_too_large = body_too_large;
  if (body_too_large) request.message.body().clear();
  handle(request);
  return 0;
}
