#include "loadgen/polling_transport.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace sio::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
constexpr char kRecordSeparator = '\x1e';
}

PollingTransport::PollingTransport(asio::io_context& ctx, const Target& target, PacketSink& sink)
    : target_(target), sink_(&sink), get_(ctx), post_(ctx) {}

std::string PollingTransport::query() const {
  auto q = target_.path + "?EIO=4&transport=polling";
  if (!sid_.empty()) q += "&sid=" + sid_;
  return q;
}

void PollingTransport::start(std::optional<asio::ip::address> source) {
  source_ = source;
  try {
    bind_source(get_.socket(), source_);
  } catch (const boost::system::system_error& e) {
    return asio::post(get_.get_executor(), [self = shared_from_this(), ec = e.code()] {
      self->fail("connect: " + ec.message());
    });
  }
  get_.async_connect(target_.server,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (self->closed_) return;
                       if (ec) return self->fail("connect: " + ec.message());
                       self->get_.socket().set_option(tcp::no_delay(true));
                       self->poll();  // the first GET is the handshake
                     });
}

void PollingTransport::poll() {
  get_request_ = {http::verb::get, query(), 11};
  get_request_.set(http::field::host, target_.host_header);
  http::async_write(get_, get_request_,
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      if (self->closed_) return;
                      if (ec) return self->fail("poll write: " + ec.message());
                      self->get_response_ = {};
                      http::async_read(self->get_, self->get_buffer_, self->get_response_,
                                       [self](const boost::system::error_code& ec, std::size_t) {
                                         self->on_poll(ec);
                                       });
                    });
}

void PollingTransport::on_poll(const boost::system::error_code& ec) {
  if (closed_) return;
  if (ec) return fail("poll read: " + ec.message());
  if (get_response_.result() != http::status::ok) {
    return fail("poll: HTTP " + std::to_string(get_response_.result_int()) + " " +
                get_response_.body());
  }
  const std::string body = std::move(get_response_.body());
  if (sid_.empty()) {
    const auto at = body.find(R"("sid":")");
    if (body.empty() || body[0] != '0' || at == std::string::npos)
      return fail("handshake: no open packet");
    const auto start = at + 7;
    sid_ = body.substr(start, body.find('"', start) - start);
    connect_post();
  }
  std::size_t pos = 0;
  while (pos <= body.size() && !closed_) {
    auto end = body.find(kRecordSeparator, pos);
    if (end == std::string::npos) end = body.size();
    const std::string_view packet(body.data() + pos, end - pos);
    if (packet == "1") return fail("server closed the session");
    if (sink_ && !packet.empty()) sink_->on_packet(packet);
    pos = end + 1;
  }
  if (!closed_) poll();
}

void PollingTransport::connect_post() {
  try {
    bind_source(post_.socket(), source_);
  } catch (const boost::system::system_error& e) {
    return fail("connect: " + e.code().message());
  }
  post_.async_connect(target_.server,
                      [self = shared_from_this()](const boost::system::error_code& ec) {
                        if (self->closed_) return;
                        if (ec) return self->fail("connect: " + ec.message());
                        self->post_.socket().set_option(tcp::no_delay(true));
                        self->post_ready_ = true;
                        if (self->posting_) return self->send_post();  // a retry
                        self->flush();
                      });
}

void PollingTransport::send(std::string_view packet) {
  if (closed_) return;
  queue_.emplace_back(packet);
  flush();
}

void PollingTransport::flush() {
  if (!post_ready_ || posting_ || queue_.empty() || closed_) return;
  posting_ = true;
  post_body_.clear();
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    if (i) post_body_ += kRecordSeparator;
    post_body_ += queue_[i];
  }
  queue_.clear();
  send_post();
}

void PollingTransport::send_post() {
  post_request_ = {http::verb::post, query(), 11};
  post_request_.set(http::field::host, target_.host_header);
  post_request_.set(http::field::content_type, "text/plain;charset=UTF-8");
  post_request_.body() = post_body_;
  post_request_.prepare_payload();
  http::async_write(post_, post_request_,
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      if (self->closed_) return;
                      if (ec) return self->retry_post("post write", ec);
                      self->post_response_ = {};
                      http::async_read(self->post_, self->post_buffer_, self->post_response_,
                                       [self](const boost::system::error_code& ec, std::size_t) {
                                         self->on_posted(ec);
                                       });
                    });
}

void PollingTransport::retry_post(std::string_view what, const boost::system::error_code& ec) {
  // A server may close a keep-alive connection that sat idle (Node's http server does after
  // 5 s) just as we send on it; like a browser, open a new one and send the request again.
  const bool idle_close = ec == http::error::end_of_stream || ec == asio::error::eof ||
                          ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
  if (!idle_close || post_retried_) return fail(std::string(what) + ": " + ec.message());
  post_retried_ = true;
  post_ready_ = false;
  boost::system::error_code ignored;
  post_.socket().close(ignored);
  post_buffer_.clear();
  connect_post();
}

void PollingTransport::on_posted(const boost::system::error_code& ec) {
  if (closed_) return;
  if (ec) return retry_post("post read", ec);
  if (post_response_.result() != http::status::ok) {
    return fail("post: HTTP " + std::to_string(post_response_.result_int()));
  }
  posting_ = false;
  post_retried_ = false;
  flush();
}

void PollingTransport::close() {
  if (closed_) return;
  closed_ = true;
  sink_ = nullptr;
  boost::system::error_code ignored;
  get_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  get_.socket().close(ignored);
  post_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  post_.socket().close(ignored);
}

void PollingTransport::fail(std::string_view reason) {
  if (closed_) return;
  auto* sink = sink_;
  close();
  if (sink) sink->on_closed(reason);
}

}  // namespace sio::bench
