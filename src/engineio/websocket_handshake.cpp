#include "engineio/websocket_handshake.hpp"

#include <openssl/evp.h>

#include <boost/beast/websocket/rfc6455.hpp>

#include "engineio/base64.hpp"

namespace sio::engineio {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string error_response(std::string_view status, std::string_view extra_headers = {}) {
  std::string res = "HTTP/1.1 ";
  res += status;
  res += "\r\nConnection: close\r\nContent-Type: text/plain\r\n";
  res += extra_headers;
  res += "Content-Length: ";
  const auto reason = status.substr(status.find(' ') + 1);
  res += std::to_string(reason.size());
  res += "\r\n\r\n";
  res += reason;
  return res;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The extension response for the first acceptable permessage-deflate offer, or empty.
std::string accept_deflate(std::string_view offers) {
  while (!offers.empty()) {
    const auto comma = offers.find(',');
    auto offer = offers.substr(0, comma);
    offers = comma == std::string_view::npos ? std::string_view() : offers.substr(comma + 1);
    const auto semi = offer.find(';');
    if (trim(offer.substr(0, semi)) != "permessage-deflate") continue;
    auto params = semi == std::string_view::npos ? std::string_view() : offer.substr(semi + 1);
    bool acceptable = true, server_no_takeover = false;
    while (!params.empty() && acceptable) {
      const auto next = params.find(';');
      const auto param = trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      const auto eq = param.find('=');
      const auto name = trim(param.substr(0, eq));
      auto value = eq == std::string_view::npos ? std::string_view() : trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
      if (name == "server_no_context_takeover") {
        server_no_takeover = true;
      } else if (name == "server_max_window_bits") {
        acceptable = value == "15";
      } else if (name != "client_no_context_takeover" && name != "client_max_window_bits") {
        acceptable = false;
      }
    }
    if (!acceptable) continue;
    std::string response = "permessage-deflate; client_no_context_takeover";
    if (server_no_takeover) response += "; server_no_context_takeover";
    return response;
  }
  return {};
}

}  // namespace

std::string websocket_accept_key(std::string_view client_key) {
  std::string input(client_key);
  input += kGuid;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha1(), nullptr);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

WebSocketHandshake answer_websocket_handshake(const http::Request& request, bool offer_deflate) {
  if (request.method() != http::verb::get || request.version() != 11 ||
      !boost::beast::websocket::is_upgrade(request)) {
    return {false, error_response("400 Bad Request")};
  }
  if (request[http::field::sec_websocket_version] != "13") {
    return {false, error_response("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n")};
  }
  const auto key = request[http::field::sec_websocket_key];
  const auto decoded = base64_decode(std::string_view(key.data(), key.size()));
  if (!decoded || decoded->size() != 16) return {false, error_response("400 Bad Request")};

  std::string res =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  res += websocket_accept_key(std::string_view(key.data(), key.size()));
  res += "\r\n";
  std::string extension;
  if (offer_deflate) {
    const auto offers = request[http::field::sec_websocket_extensions];
    extension = accept_deflate(std::string_view(offers.data(), offers.size()));
  }
  if (!extension.empty()) res += "Sec-WebSocket-Extensions: " + extension + "\r\n";
  res += "\r\n";
  return {true, std::move(res), !extension.empty()};
}

}  // namespace sio::engineio
