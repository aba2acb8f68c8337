#include "socketio/serve_client.hpp"

#include <string>

#include "socketio/client_bundle.hpp"

namespace sio::socketio {

std::optional<http::Response> serve_client_file(const http::HttpRequest& request,
                                                std::string_view path) {
  if (request.message.method() != http::verb::get) return std::nullopt;
  if (!request.path.starts_with(path)) return std::nullopt;
  const auto* file = find_client_file(std::string_view(request.path).substr(path.size()));
  if (!file) return std::nullopt;

  // Per RFC 9110 an ETag is quoted; a cache may send it back weak.
  const std::string etag = "\"" + std::string(client_bundle_version()) + "\"";
  const auto if_none_match = request.header(http::field::if_none_match);
  if (if_none_match == etag || if_none_match == "W/" + etag) {
    http::Response res{http::status::not_modified, request.message.version()};
    res.keep_alive(request.message.keep_alive());
    return res;
  }

  auto res = http::make_response(request, http::status::ok, std::string(file->content),
                                 file->content_type);
  res.set(http::field::cache_control, "public, max-age=0");
  res.set(http::field::etag, etag);
  return res;
}

}  // namespace sio::socketio
