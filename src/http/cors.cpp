#include "http/cors.hpp"

#include <algorithm>

namespace sio::http {

bool CorsPolicy::allows_any() const {
  return std::find(options_.origins.begin(), options_.origins.end(), "*") != options_.origins.end();
}

bool CorsPolicy::allows(std::string_view origin) const {
  return allows_any() ||
         std::find(options_.origins.begin(), options_.origins.end(), origin) != options_.origins.end();
}

void CorsPolicy::apply(const HttpRequest& request, Response& response) const {
  if (options_.origins.empty()) return;
  auto origin = request.header(http::field::origin);
  if (allows_any() && !options_.credentials) {
    response.set(http::field::access_control_allow_origin, "*");
  } else if (!origin.empty() && allows(origin)) {
    // A credentialed request may not be answered with "*", so the origin is reflected.
    response.set(http::field::access_control_allow_origin, origin);
    response.set(http::field::vary, "Origin");
  } else {
    return;
  }
  if (options_.credentials) response.set(http::field::access_control_allow_credentials, "true");
}

Response CorsPolicy::preflight(const HttpRequest& request) const {
  Response res{http::status::no_content, request.message.version()};
  res.keep_alive(request.message.keep_alive());
  apply(request, res);
  if (res.find(http::field::access_control_allow_origin) != res.end()) {
    res.set(http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
    auto requested = request.header(http::field::access_control_request_headers);
    if (!requested.empty()) {
      res.set(http::field::access_control_allow_headers, requested);
      res.insert(http::field::vary, "Access-Control-Request-Headers");
    }
  }
  res.content_length(0);
  return res;
}

}  // namespace sio::http
