#include "http/tls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace sio::http {

namespace ssl = boost::asio::ssl;

TlsContext::TlsContext(std::string certificate_file, std::string private_key_file)
    : certificate_file_(std::move(certificate_file)),
      private_key_file_(std::move(private_key_file)),
      context_(load()) {}

std::shared_ptr<ssl::context> TlsContext::load() const {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  auto* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // An idle connection gives its record buffers back (about 34 KiB each way).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // Renegotiation is a CPU cost a client could impose at will; TLS 1.3 has none anyway.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(certificate_file_, ec);
  if (ec) throw std::runtime_error("TLS certificate " + certificate_file_ + ": " + ec.message());
  context->use_private_key_file(private_key_file_, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS private key " + private_key_file_ + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("TLS private key " + private_key_file_ +
                             " does not match the certificate " + certificate_file_);
  }
  return context;
}

std::shared_ptr<ssl::context> TlsContext::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

std::string TlsContext::reload() {
  try {
    auto fresh = load();
    std::lock_guard lock(mutex_);
    context_ = std::move(fresh);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace sio::http
