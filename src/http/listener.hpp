#pragma once
// Accepts TCP connections and spreads them over the reactors of a pool: one acceptor, on reactor
// 0, accepts each connection straight into the io_context of the next reactor in turn, which
// then serves it (an HttpConnection). Listens dual-stack ("::" takes IPv4 too) unless given an
// IPv4 address.
//
// One acceptor rather than one SO_REUSEPORT acceptor per reactor: measured the same
// (bench/results/2026-12-02-accept-modes.md), it spreads connections exactly evenly, and it cannot
// silently share its port with another process started on it by mistake.
//
// Each connection is admitted by the ConnectionLimit first: over a limit it is closed at once,
// before a byte is read (cheap under a flood; clients see a transport error and retry later), and
// reported to `on_refused`. An admitted connection holds its lease until it ends; whoever takes
// its stream over (a WebSocket) keeps the lease.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "http/connection_limit.hpp"
#include "http/http_connection.hpp"
#include "http/tls_context.hpp"
#include "reactor/reactor_pool.hpp"

namespace sio::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using RefusalHandler = std::function<void(ConnectionLimit::Refusal)>;

  // Binds at once, so that a port in use stops start-up with a clear error (throws). Call on
  // reactor 0 (or before the reactors run).
  Listener(reactor::ReactorPool& reactors, const std::string& host, unsigned short port,
           HttpRouter& router, const HttpLimits& limits, ConnectionLimit& limit,
           RefusalHandler on_refused, std::shared_ptr<TlsContext> tls = nullptr);

  void start();
  // Stops accepting; from any thread.
  void stop();
  unsigned short port() const { return port_; }

 private:
  void accept();
  void admit(boost::asio::ip::tcp::socket socket, std::size_t reactor);

  reactor::ReactorPool& reactors_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  HttpRouter& router_;
  const HttpLimits& limits_;
  ConnectionLimit& limit_;
  RefusalHandler on_refused_;
  std::shared_ptr<TlsContext> tls_;
  unsigned short port_ = 0;
  std::size_t next_reactor_ = 0;
};

}  // namespace sio::http
