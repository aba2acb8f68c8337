#include "http/http_request.hpp"

#include <boost/url/parse.hpp>

namespace sio::http {

bool HttpRequest::parse_target() {
  auto url = boost::urls::parse_origin_form(message.target());
  if (!url) return false;
  path = url->path();
  query.clear();
  for (auto param : url->params()) query.emplace_back(param.key, param.value);
  return true;
}

std::optional<std::string_view> HttpRequest::query_param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view HttpRequest::header(http::field field) const {
  auto it = message.find(field);
  return it == message.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view HttpRequest::header(std::string_view name) const {
  auto it = message.find(name);
  return it == message.end() ? std::string_view{} : std::string_view(it->value());
}

Response make_response(const HttpRequest& request, http::status status, std::string body,
                       std::string_view content_type) {
  Response res{status, request.message.version()};
  res.set(http::field::content_type, content_type);
  res.keep_alive(request.message.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace sio::http
