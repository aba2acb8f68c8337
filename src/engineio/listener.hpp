#pragma once
// Accepts TCP connections and starts an HttpConnection for each. Listens dual-stack ("::" takes
// IPv4 too) unless given an IPv4 address.
//
// Each connection is admitted by the server's ConnectionLimit first: over a limit it is closed
// at once, before a byte is read (cheap under a flood; clients see a transport error and retry
// later), and counted in Stats. An admitted connection holds its lease until it ends; whoever
// takes its stream over (a WebSocket) keeps the lease with `connection_lease`.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "engineio/connection_limit.hpp"
#include "engineio/http_connection.hpp"
#include "engineio/stats.hpp"

namespace sio::engineio {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds at once, so that a port in use stops start-up with a clear error (throws).
  Listener(boost::asio::io_context& ctx, const std::string& host, unsigned short port,
           HttpRouter& router, const ServerOptions& options, ConnectionLimit& limit, Stats& stats);

  void start();
  void stop();
  unsigned short port() const { return port_; }

 private:
  void accept();
  void admit(boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  HttpRouter& router_;
  const ServerOptions& options_;
  ConnectionLimit& limit_;
  Stats& stats_;
  unsigned short port_ = 0;
};

// The lease of a connection this listener accepted (null for one made elsewhere).
ConnectionLimit::LeasePtr connection_lease(const std::shared_ptr<HttpConnection>& connection);

}  // namespace sio::engineio
