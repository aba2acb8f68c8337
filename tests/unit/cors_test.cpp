#include "http/cors.hpp"

#include <gtest/gtest.h>

namespace http = sio::http;
using http::CorsPolicy;
using http::HttpRequest;
using http::Request;
using http::Response;

namespace {

HttpRequest request_from(std::string_view origin, http::verb method = http::verb::get) {
  HttpRequest request;
  request.message = Request{method, "/engine.io/?EIO=4&transport=polling", 11};
  if (!origin.empty()) request.message.set(http::field::origin, origin);
  request.parse_target();
  return request;
}

std::string header(const Response& res, http::field field) {
  auto it = res.find(field);
  return it == res.end() ? "" : std::string(it->value());
}

}  // namespace

TEST(Cors, wildcard_answers_star) {
  CorsPolicy cors({{"*"}, false});
  Response res;
  cors.apply(request_from("https://a.example"), res);
  EXPECT_EQ(header(res, http::field::access_control_allow_origin), "*");
}

TEST(Cors, listed_origin_is_reflected_with_credentials) {
  CorsPolicy cors({{"https://app.example"}, true});
  Response res;
  cors.apply(request_from("https://app.example"), res);
  EXPECT_EQ(header(res, http::field::access_control_allow_origin), "https://app.example");
  EXPECT_EQ(header(res, http::field::access_control_allow_credentials), "true");
  EXPECT_EQ(header(res, http::field::vary), "Origin");
}

TEST(Cors, unlisted_origin_gets_no_cors_headers) {
  CorsPolicy cors({{"https://app.example", "https://admin.example"}, true});
  Response res;
  cors.apply(request_from("https://evil.example"), res);
  EXPECT_EQ(header(res, http::field::access_control_allow_origin), "");
  EXPECT_EQ(header(res, http::field::access_control_allow_credentials), "");
}

TEST(Cors, preflight_allows_methods_and_requested_headers) {
  CorsPolicy cors({{"https://app.example"}, false});
  auto request = request_from("https://app.example", http::verb::options);
  request.message.set(http::field::access_control_request_headers, "authorization");
  auto res = cors.preflight(request);
  EXPECT_EQ(res.result(), http::status::no_content);
  EXPECT_NE(header(res, http::field::access_control_allow_methods).find("POST"), std::string::npos);
  EXPECT_EQ(header(res, http::field::access_control_allow_headers), "authorization");
}
