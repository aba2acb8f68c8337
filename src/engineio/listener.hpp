#pragma once
// Accepts TCP connections and starts an HttpConnection for each. Listens dual-stack ("::" takes
// IPv4 too) unless given an IPv4 address.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "engineio/http_connection.hpp"

namespace sio::engineio {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds at once, so that a port in use stops start-up with a clear error (throws).
  Listener(boost::asio::io_context& ctx, const std::string& host, unsigned short port,
           HttpRouter& router, const ServerOptions& options);

  void start();
  void stop();
  unsigned short port() const { return port_; }

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  HttpRouter& router_;
  const ServerOptions& options_;
  unsigned short port_ = 0;
};

}  // namespace sio::engineio
