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

}  // namespace

std::string websocket_accept_key(std::string_view client_key) {
  std::string input(client_key);
  input += kGuid;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha1(), nullptr);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

WebSocketHandshake answer_websocket_handshake(const http::Request& request) {
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
  res += "\r\n\r\n";
  return {true, std::move(res)};
}

}  // namespace sio::engineio
