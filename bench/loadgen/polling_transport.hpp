#pragma once
// Engine.IO over HTTP long-polling, as a browser without WebSocket does it: one keep-alive
// connection always holds a GET open for what the server has to say, a second one POSTs what
// the client says, batching every packet queued while the previous POST was out.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/transport.hpp"

namespace sio::bench {

class PollingTransport : public Transport, public std::enable_shared_from_this<PollingTransport> {
 public:
  PollingTransport(boost::asio::io_context& ctx, const Target& target, PacketSink& sink);

  void start(std::optional<boost::asio::ip::address> source) override;
  void send(std::string_view packet) override;
  void close() override;

 private:
  void poll();
  void on_poll(const boost::system::error_code& ec);
  void connect_post();
  void flush();
  void send_post();
  void retry_post(std::string_view what, const boost::system::error_code& ec);
  void on_posted(const boost::system::error_code& ec);
  void fail(std::string_view reason);
  std::string query() const;

  const Target& target_;
  PacketSink* sink_;
  std::optional<boost::asio::ip::address> source_;
  bool closed_ = false;
  std::string sid_;

  boost::beast::tcp_stream get_;
  boost::beast::flat_buffer get_buffer_;
  boost::beast::http::request<boost::beast::http::empty_body> get_request_;
  boost::beast::http::response<boost::beast::http::string_body> get_response_;

  boost::beast::tcp_stream post_;
  boost::beast::flat_buffer post_buffer_;
  boost::beast::http::request<boost::beast::http::string_body> post_request_;
  boost::beast::http::response<boost::beast::http::string_body> post_response_;
  bool post_ready_ = false;
  bool posting_ = false;
  bool post_retried_ = false;
  std::string post_body_;  // kept until answered, for a retry on a fresh connection
  std::vector<std::string> queue_;
};

}  // namespace sio::bench
