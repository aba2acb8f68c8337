#pragma once
// CORS, behaving like the `cors` middleware Node's engine.io uses:
// an allowed origin is reflected (or "*"), a disallowed one gets no CORS headers at all, and the
// browser does the refusing.

#include <string>
#include <vector>

#include "http/http_request.hpp"

namespace sio::http {

struct CorsOptions {
  // Allowed origins; {"*"} allows any. Empty means no CORS headers at all.
  std::vector<std::string> origins;
  bool credentials = false;
};

class CorsPolicy {
 public:
  explicit CorsPolicy(CorsOptions options) : options_(std::move(options)) {}

  // Adds the CORS headers this request earns to `response`.
  void apply(const HttpRequest& request, Response& response) const;

  // The answer to a preflight OPTIONS request.
  Response preflight(const HttpRequest& request) const;

 private:
  bool allows_any() const;
  bool allows(std::string_view origin) const;

  CorsOptions options_;
};

}  // namespace sio::http
