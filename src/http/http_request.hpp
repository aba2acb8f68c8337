#pragma once
// An HTTP request as the layers above see it: the Beast message plus its path, decoded query and
// the client's address. Socket.IO builds its `handshake` from the one that opened a session.

#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::http {

// Beast's HTTP vocabulary (status, field, verb, parsers) under this layer's name.
using namespace boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Where a connection comes from, given when its socket cannot tell: over TLS, the HTTP layer
// serves the plain end of a socket pair (see tls_connection.hpp).
struct ConnectionOrigin {
  std::string address;  // the TCP peer's
  bool secure = false;
};

struct HttpRequest {
  Request message;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  // The client's address: the TCP peer's, or, when the peer is a trusted proxy, the one it
  // forwarded the request for (see forwarded_client; set by the Engine.IO server).
  std::string remote_address;
  // The TCP peer's address.
  std::string peer_address;
  // It came over TLS (handshake.secure).
  bool secure = false;
  std::chrono::system_clock::time_point received_at;
  // The body was larger than the route allows; `message.body()` is empty.
  bool body_too_large = false;
  // Set once a poll has been held back while a WebSocket upgrade was settling (see Server).
  bool held_for_upgrade = false;

  // Parses path and query from the request target (percent-decoded). Returns false for a target
  // that is not a valid origin-form.
  bool parse_target();

  std::optional<std::string_view> query_param(std::string_view name) const;
  std::string_view header(http::field field) const;
  std::string_view header(std::string_view name) const;
};

// Builds a response with the given status and body, keeping the request's HTTP version.
Response make_response(const HttpRequest& request, http::status status, std::string body,
                       std::string_view content_type);

}  // namespace sio::http
