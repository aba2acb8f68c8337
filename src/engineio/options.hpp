#pragma once
// Engine.IO server options. Names and defaults follow Node's engine.io so that a configuration
// ports over unchanged.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/cors.hpp"
#include "http/tls_context.hpp"
#include "http/http_connection.hpp"
#include "http/trusted_proxies.hpp"

namespace sio::engineio {

// Decides whether a handshake may proceed; answer with nullopt to accept or an error message to
// refuse (HTTP 403, code 4). Called on the reactor that received the handshake, and answered
// there, at once or later.
using AllowRequest = std::function<void(const http::HttpRequest&,
                                        std::function<void(std::optional<std::string> error)>)>;

struct ServerOptions {
  std::string path = "/engine.io/";
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  // Largest packet (WebSocket) or payload (polling POST) a client may send, in bytes.
  std::size_t max_payload = 1000000;
  // Bytes queued for one session before it counts as a slow consumer and is closed.
  std::size_t max_send_buffer = 16 * 1024 * 1024;
  bool allow_polling = true;
  bool allow_websocket = true;
  // Polling responses of at least `threshold` bytes are compressed (gzip, else deflate) for
  // clients whose Accept-Encoding allows it, as Node's `httpCompression` (on by default).
  struct HttpCompression {
    bool enabled = true;
    std::size_t threshold = 1024;
  } http_compression;
  // permessage-deflate (RFC 7692) for WebSocket messages of at least `threshold` bytes, off by
  // default as in Node (`perMessageDeflate`). Each message is compressed on its own, once for all
  // its recipients (see deflate.hpp); Engine.IO v3 connections do without it.
  struct PerMessageDeflate {
    bool enabled = false;
    std::size_t threshold = 1024;
  } per_message_deflate;
  // Also accept Engine.IO v3 clients (socket.io-client 2.x), as Node's `allowEIO3`: EIO=3 (or no
  // EIO at all) on the handshake. Off: they get 400 "Unsupported protocol version".
  bool allow_eio3 = false;
  http::CorsOptions cors;
  AllowRequest allow_request;
  // HTTP hardening: bounds on what any connection may make us hold.
  http::HttpLimits http;
  // Proxies (CIDR networks) whose X-Forwarded-For / Forwarded headers name the client: for their
  // requests `HttpRequest::remote_address`, the handshake's address and the per-address limits are
  // the client's (see http::forwarded_client). Empty: no one is trusted, every peer is the client.
  http::TrustedProxies trusted_proxies;
  // HTTPS and WSS on the listening port (HTTP/1.1, TLS 1.2 and later); null: plain HTTP. Reload
  // it (TlsContext::reload) to change certificates without dropping connections.
  std::shared_ptr<http::TlsContext> tls;
  // Open TCP connections, in all and per client address (IPv6: per /64), counted at accept time
  // over the whole process; 0 = no limit. A connection over a limit is closed at once, before
  // anything is read. A trusted proxy's connection is counted against the client its request
  // names; over the limit, that request gets 429 and the connection closes.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_ip = 0;
  // Handshakes (new sessions) per second per client address, process-wide, with bursts of up to
  // `handshake_burst`; 0 = no limit. Over it a handshake gets HTTP 429. At most
  // `handshake_rate_addresses` addresses are tracked at once.
  double handshake_rate = 0;
  double handshake_burst = 20;
  std::size_t handshake_rate_addresses = 10000;
};

}  // namespace sio::engineio
