#include "engineio/polling_transport.hpp"

#include <algorithm>

#include "engineio/deflate.hpp"
#include "engineio/payload_v3.hpp"
#include "engineio/session.hpp"

namespace sio::engineio {

void PollingTransport::answer(const std::shared_ptr<http::HttpConnection>& connection,
                              const http::HttpRequest& request, http::status status, std::string body,
                              std::string_view content_type) {
  HttpEncoding encoding = HttpEncoding::identity;
  if (options_.http_compression.enabled && body.size() >= options_.http_compression.threshold) {
    encoding = choose_http_encoding(request.header(http::field::accept_encoding));
    if (encoding != HttpEncoding::identity) body = compress_http(body, encoding);
  }
  auto res = http::make_response(request, status, std::move(body), content_type);
  if (encoding != HttpEncoding::identity) {
    res.set(http::field::content_encoding, encoding == HttpEncoding::gzip ? "gzip" : "deflate");
  }
  res.set(http::field::vary, "Accept-Encoding");
  res.set(http::field::cache_control, "no-store");
  if (decorate) decorate(request, res);
  connection->respond(std::move(res));
}

void PollingTransport::send(std::vector<FramePtr>& frames) {
  if (!poll_) return frames.clear();
  if (auto session = session_.lock(); session && session->protocol() == 3) {
    return send_v3(frames, session->binary_as_base64());
  }
  std::size_t size = frames.empty() ? 0 : frames.size() - 1;
  for (const auto& frame : frames) size += frame->polling_bytes().size();
  std::string body;
  body.reserve(size);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (i) body += kRecordSeparator;
    body += frames[i]->polling_bytes();
  }
  frames.clear();
  auto connection = std::move(poll_);
  poll_ = nullptr;
  answer(connection, poll_request_, http::status::ok, std::move(body), "text/plain; charset=UTF-8");
}

// v3 payloads: the binary form when the client takes binary and there is some to send, as
// engine.io does; the text form otherwise.
void PollingTransport::send_v3(std::vector<FramePtr>& frames, bool base64) {
  const bool binary = !base64 && std::any_of(frames.begin(), frames.end(),
                                             [](const FramePtr& f) { return f->is_binary(); });
  std::size_t size = 0;
  for (const auto& frame : frames) {
    size += (binary ? frame->polling_v3_binary() : frame->polling_v3_text()).size();
  }
  std::string body;
  body.reserve(size);
  for (const auto& frame : frames) body += binary ? frame->polling_v3_binary() : frame->polling_v3_text();
  frames.clear();
  auto connection = std::move(poll_);
  poll_ = nullptr;
  answer(connection, poll_request_, http::status::ok, std::move(body),
         binary ? "application/octet-stream" : "text/plain; charset=UTF-8");
}

void PollingTransport::close(bool client_initiated) {
  if (closed_) return;
  closed_ = true;
  if (poll_) {
    send_one(Frame::text(client_initiated ? PacketType::noop : PacketType::close));
  }
}

void PollingTransport::on_poll(const std::shared_ptr<http::HttpConnection>& connection,
                               http::HttpRequest request) {
  auto session = session_.lock();
  if (!session || closed_) {
    return answer(connection, request, http::status::bad_request, "", "text/plain");
  }
  if (poll_) {
    // Two GETs at once would let responses overtake each other: the spec closes the session.
    answer(connection, request, http::status::bad_request, "", "text/plain");
    return session->terminate(CloseReason::transport_error);
  }
  poll_ = connection;
  request.message.body().clear();
  poll_request_ = std::move(request);
  std::weak_ptr<PollingTransport> weak = shared_from_this();
  connection->watch_for_disconnect([weak, connection] {
    auto self = weak.lock();
    if (!self || self->poll_ != connection) return;
    self->poll_ = nullptr;
    if (auto session = self->session_.lock())
      self->report_closed(*session, CloseReason::transport_error);
  });
  report_writable(*session);
}

void PollingTransport::on_data(const std::shared_ptr<http::HttpConnection>& connection,
                               http::HttpRequest request) {
  auto session = session_.lock();
  if (!session || closed_) {
    return answer(connection, request, http::status::bad_request, "", "text/plain");
  }
  if (request.body_too_large) {
    auto res = http::make_response(request, http::status::payload_too_large, "", "text/plain");
    res.keep_alive(false);
    if (decorate) decorate(request, res);
    connection->respond(std::move(res));
    return session->terminate(CloseReason::transport_error);
  }
  const bool binary_body = request.header(http::field::content_type) == "application/octet-stream";
  std::optional<std::vector<Packet>> packets;
  if (session->protocol() == 3) {
    packets = binary_body ? decode_payload_v3_binary(request.message.body())
                          : decode_payload_v3_text(request.message.body());
  } else if (binary_body) {
    // v4 payloads are text only (binary travels base64-encoded).
    answer(connection, request, http::status::bad_request, "", "text/plain");
    return session->terminate(CloseReason::transport_error);
  } else {
    packets = decode_payload(request.message.body());
  }
  if (!packets) {
    answer(connection, request, http::status::bad_request, "", "text/plain");
    return session->terminate(CloseReason::parse_error);
  }
  for (const auto& packet : *packets) {
    if (session->state() == Session::State::closed) break;
    deliver_packet(*session, packet.type, packet.data, packet.binary);
  }
  // "text/html" rather than "text/plain": some user agents offer a plain-text answer as a download.
  answer(connection, request, http::status::ok, "ok", "text/html");
}

}  // namespace sio::engineio
