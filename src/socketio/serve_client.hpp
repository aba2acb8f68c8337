#pragma once
// Node's `serveClient`: a GET of <path><file>, for a file of the client bundle
// (client_bundle.hpp), answers that file as Node does — Cache-Control "public, max-age=0", the
// bundled client's version as ETag, 304 when If-None-Match names it (strong or weak).

#include <optional>
#include <string_view>

#include "http/http_request.hpp"

namespace sio::socketio {

// The response for `request`, or nothing when it asks for no bundle file under `path`
// ("/socket.io/").
std::optional<http::Response> serve_client_file(const http::HttpRequest& request,
                                                std::string_view path);

}  // namespace sio::socketio
