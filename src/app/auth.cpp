#include "app/auth.hpp"

#include <spdlog/spdlog.h>

#include "app/jwt.hpp"
#include "socketio/socket.hpp"

namespace sio::app {

namespace {

std::string_view bearer_token(std::string_view header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size()) return {};
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kPrefix[i]))) {
      return {};
    }
  }
  return header.substr(kPrefix.size());
}

}  // namespace

std::variant<Identity, AuthFailure> authenticate_token(std::string_view token,
                                                       const std::string& secret) {
  if (token.empty()) return AuthFailure{"No token"};
  auto claims = verify_jwt(token, secret);
  if (auto* error = std::get_if<JwtError>(&claims)) {
    spdlog::debug("token refused: {}", error->reason);
    return AuthFailure{"Invalid token"};
  }
  const auto& payload = std::get<nlohmann::ordered_json>(claims);
  auto sub = payload.find("sub");
  if (sub == payload.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty()) {
    return AuthFailure{"Invalid token"};
  }
  Identity identity{sub->get<std::string>(), {}};
  if (auto role = payload.find("role"); role != payload.end() && role->is_string()) {
    identity.role = role->get<std::string>();
  }
  return identity;
}

std::variant<Identity, AuthFailure> authenticate_handshake(const socketio::Handshake& handshake,
                                                           const std::string& secret) {
  if (auto token = handshake.auth.find("token"); token != handshake.auth.end()) {
    if (!token->is_string()) return AuthFailure{"Invalid token"};
    return authenticate_token(token->get_ref<const std::string&>(), secret);
  }
  // socket.io-client 2.x (Engine.IO v3) cannot send an auth payload: its token comes in the
  // `token` query parameter (io(url, { query: { token } })).
  if (handshake.query_param("EIO") != "4") {
    if (auto token = handshake.query_param("token")) return authenticate_token(*token, secret);
  }
  if (auto header = handshake.header("authorization")) {
    return authenticate_token(bearer_token(*header), secret);
  }
  return AuthFailure{"No token"};
}

std::variant<Identity, AuthFailure> authenticate_http(const http::HttpRequest& request,
                                                      const std::string& secret) {
  return authenticate_token(bearer_token(request.header(http::field::authorization)),
                            secret);
}

socketio::Middleware auth_middleware(std::string secret) {
  return [secret = std::move(secret)](socketio::Socket& socket, socketio::Next next) {
    auto result = authenticate_handshake(socket.handshake(), secret);
    if (auto* failure = std::get_if<AuthFailure>(&result)) {
      return next(socketio::Error{failure->message, nullptr});
    }
    const auto& identity = std::get<Identity>(result);
    // A recovered socket comes back with its rooms: only its own user may take it back.
    if (socket.recovered() && socket.data.value("userId", "") != identity.user_id) {
      return next(socketio::Error{"Invalid token", nullptr});
    }
    socket.data["userId"] = identity.user_id;
    socket.data["role"] = identity.role;
    next(std::nullopt);
  };
}

}  // namespace sio::app
