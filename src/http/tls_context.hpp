#pragma once
// The server's TLS settings: a certificate chain and its private key (PEM files), TLS 1.2 and
// later only. reload() reads the files again (SIGHUP in sio-server): connections made afterwards
// use the new certificate, those already made keep theirs, and a reload that fails (a missing
// file, a key that does not match) changes nothing.
//
// Thread-safe: current() and reload() may be called from any thread (a mutex held per accepted
// connection, never per message).

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

namespace sio::http {

class TlsContext {
 public:
  // Reads the files; throws std::runtime_error saying what is wrong with them.
  TlsContext(std::string certificate_file, std::string private_key_file);

  std::shared_ptr<boost::asio::ssl::context> current() const;
  // Empty on success, else why the files were not taken (the previous ones stay).
  std::string reload();

  const std::string& certificate_file() const { return certificate_file_; }

 private:
  std::shared_ptr<boost::asio::ssl::context> load() const;

  const std::string certificate_file_;
  const std::string private_key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
};

}  // namespace sio::http
