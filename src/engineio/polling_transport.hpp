#pragma once
// HTTP long-polling: the client's GET is held until there is something to send (everything
// queued goes out in one response), and its POST bodies carry packets in.

#include <memory>

#include "http/http_connection.hpp"
#include "engineio/options.hpp"
#include "engineio/transport.hpp"

namespace sio::engineio {

class Session;

class PollingTransport : public Transport, public std::enable_shared_from_this<PollingTransport> {
 public:
  PollingTransport(std::weak_ptr<Session> session, const ServerOptions& options)
      : session_(std::move(session)), options_(options) {}

  TransportKind kind() const override { return TransportKind::polling; }
  PollingTransport* as_polling() override { return this; }
  bool writable() const override { return poll_ != nullptr; }
  void send(std::vector<FramePtr>& frames) override;
  std::size_t buffered_bytes() const override { return 0; }
  void close(bool client_initiated) override;

  // A GET for this session. A second GET while one is held breaks the protocol.
  void on_poll(const std::shared_ptr<http::HttpConnection>& connection, http::HttpRequest request);
  // A POST for this session, its body complete.
  void on_data(const std::shared_ptr<http::HttpConnection>& connection, http::HttpRequest request);

  // Set by the server: headers every response of this endpoint carries (CORS).
  std::function<void(const http::HttpRequest&, http::Response&)> decorate;

 private:
  void send_v3(std::vector<FramePtr>& frames, bool base64);
  void answer(const std::shared_ptr<http::HttpConnection>& connection, const http::HttpRequest& request,
              http::status status, std::string body, std::string_view content_type);

  std::weak_ptr<Session> session_;
  const ServerOptions& options_;
  std::shared_ptr<http::HttpConnection> poll_;
  http::HttpRequest poll_request_;  // headers only: what the held GET's response must match
  bool closed_ = false;
};

}  // namespace sio::engineio
