#include "http/http_connection.hpp"

#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

namespace sio::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// Enough to notice a peer that goes away, or to take the first bytes of a pipelined request.
constexpr std::size_t kWatchChunk = 4096;
// Bodies of routes that did not ask for more.
constexpr std::size_t kDefaultBodyLimit = 64 * 1024;
}  // namespace

HttpConnection::HttpConnection(tcp::socket socket, HttpRouter& router, const HttpLimits& limits,
                               ConnectionLimit::LeasePtr lease,
                               std::optional<ConnectionOrigin> origin)
    : stream_(std::move(socket)),
      router_(router),
      limits_(limits),
      lease_(std::move(lease)),
      idle_timer_(stream_.get_executor()) {
  beast::error_code ec;
  if (origin) {
    origin_ = std::move(*origin);
    return;
  }
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    origin_.address = address.to_string();
  }
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

void HttpConnection::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
}

// Waits for the first byte of the next request under the idle timeout, so that a slow request
// line is held to the (shorter) header timeout from its first byte on.
void HttpConnection::wait_for_request() {
  state_ = State::reading;
  if (buffer_.size() > 0) return read_header();
  stream_.expires_after(limits_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kWatchChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) return self->close();
                            self->buffer_.commit(n);
                            self->read_header();
                          });
}

void HttpConnection::read_header() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  // The parser would refuse a large Content-Length while reading the header, before the route
  // is known; the route's own limit is applied in on_header.
  parser_->body_limit(boost::none);
  stream_.expires_after(limits_.header_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpConnection::on_header(beast::error_code ec) {
  if (ec == http::error::header_limit) return reject(http::status::request_header_fields_too_large);
  if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
    return close();
  }
  if (ec) return reject(http::status::bad_request);

  const auto limit = router_.body_limit(parser_->get());
  const auto length = parser_->content_length();
  if (length && *length > limit) return dispatch(true);
  parser_->body_limit(limit);
  if (parser_->is_done()) return on_body({});
  stream_.expires_after(limits_.body_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void HttpConnection::on_body(beast::error_code ec) {
  if (ec == http::error::body_limit) return dispatch(true);
  if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return close();
  }
  if (ec) return reject(http::status::bad_request);
  dispatch(false);
}

void HttpConnection::dispatch(bool body_too_large) {
  stream_.expires_never();
  HttpRequest request;
  request.message = parser_->release();
  request.remote_address = origin_.address;
  request.peer_address = origin_.address;
  request.secure = origin_.secure;
  request.received_at = std::chrono::system_clock::now();
  request.body_too_large = body_too_large;
  parser_.reset();
  if (!request.parse_target()) return reject(http::status::bad_request);
  state_ = State::handling;
  // After an oversized body the rest of the stream is unreadable: the answer closes it.
  router_.handle(shared_from_this(), std::move(request));
}

void HttpConnection::watch_for_disconnect(std::function<void()> on_disconnect) {
  if (state_ != State::handling || watching_) return;
  on_disconnect_ = std::move(on_disconnect);
  watching_ = true;
  stream_.async_read_some(
      buffer_.prepare(kWatchChunk),
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_watch(ec, n); });
}

// The watch read ended: either the peer left, or it sent the next (pipelined) request early.
void HttpConnection::on_watch(beast::error_code ec, std::size_t bytes) {
  watching_ = false;
  idle_timer_.cancel();
  if (ec) {
    auto notify = std::move(on_disconnect_);
    on_disconnect_ = nullptr;
    close();
    if (notify) notify();
    return;
  }
  buffer_.commit(bytes);
  on_disconnect_ = nullptr;
  // The response has gone out meanwhile: carry on with the request that arrived.
  if (state_ == State::reading) read_header();
}

void HttpConnection::respond(Response response) {
  if (state_ != State::handling) return;
  state_ = State::writing;
  on_disconnect_ = nullptr;
  response.prepare_payload();
  const bool close_after = !response.keep_alive() || response.need_eof();
  response_ = std::make_shared<Response>(std::move(response));
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                      self->on_write(ec, close_after);
                    });
}

void HttpConnection::on_write(beast::error_code ec, bool close_after) {
  response_.reset();
  if (ec || close_after) return close();
  if (!watching_) return wait_for_request();
  // A watch read is still pending: it becomes the wait for the next request, held to the idle
  // timeout by a timer of its own (the stream's timer cannot be re-armed under a pending read).
  state_ = State::reading;
  idle_timer_.expires_after(limits_.idle_timeout);
  idle_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->close();
  });
}

void HttpConnection::reject(http::status status) {
  Response res{status, 11};
  res.set(http::field::content_type, "text/plain");
  res.set(http::field::connection, "close");
  res.keep_alive(false);
  res.body() = std::string(http::obsolete_reason(status));
  state_ = State::handling;
  respond(std::move(res));
}

beast::tcp_stream HttpConnection::take_stream() {
  state_ = State::closed;
  return std::move(stream_);
}

void HttpConnection::move_to(asio::io_context& target, HttpRequest request) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  idle_timer_.cancel();
  beast::error_code ec;
  auto socket = stream_.release_socket();
  const auto protocol = socket.local_endpoint(ec).protocol();
  const auto fd = ec ? -1 : socket.release(ec);
  if (ec || fd < 0) return;  // the socket is gone: so is the request
  // A pipelined request may have been read already: it goes along.
  auto unread = beast::buffers_to_string(buffer_.data());
  asio::post(target, [&target, &router = router_, &limits = limits_, lease = std::move(lease_),
                      protocol, fd, unread = std::move(unread), origin = origin_,
                      request = std::move(request)]() mutable {
    beast::error_code assign_ec;
    tcp::socket moved(target);
    moved.assign(protocol, fd, assign_ec);
    if (assign_ec) {
      ::close(fd);
      return;
    }
    auto connection = std::make_shared<HttpConnection>(std::move(moved), router, limits,
                                                       std::move(lease), std::move(origin));
    auto into = connection->buffer_.prepare(unread.size());
    asio::buffer_copy(into, asio::buffer(unread));
    connection->buffer_.commit(unread.size());
    connection->state_ = State::handling;
    router.handle(connection, std::move(request));
  });
}

void HttpConnection::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  idle_timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace sio::http
