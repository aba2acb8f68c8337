#pragma once
// Counts the open TCP connections of a server, in all and per peer address (see address_key),
// against `max_connections` and `max_connections_per_ip`. A connection counts for as long as its
// lease lives: the listener gives it to the HTTP connection, and a WebSocket that takes the
// connection's stream over keeps it (see Server).
//
// Behind a proxy every connection comes from the proxy's address, which says nothing about the
// clients. A connection from a trusted proxy is therefore counted in the total only when it is
// accepted; once a request names its client (forwarded_client), `rekey` counts it against that
// client's address instead, and a request from another client on the same connection moves it
// again.
//
// The counts are the whole process's, whichever reactor a connection lives on: admitting and
// releasing take a mutex (once per TCP connection, never per message). Leases keep the counts
// alive, so a connection that outlives its server releases its lease safely.

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "http/address_key.hpp"
#include "http/trusted_proxies.hpp"

namespace sio::http {

class ConnectionLimit {
 public:
  // One open connection; releases its count when destroyed.
  class Lease;
  using LeasePtr = std::shared_ptr<Lease>;

  enum class Refusal { none, max_connections, max_connections_per_ip };
  struct Admission {
    LeasePtr lease;  // null when refused
    Refusal refusal = Refusal::none;
  };

  // 0 means no limit. Connections from `trusted_proxies` are keyed by request (see rekey).
  ConnectionLimit(std::size_t max_connections, std::size_t max_connections_per_ip,
                  TrustedProxies trusted_proxies = {});

  // Admits a new connection from `peer`, or says which limit it would exceed.
  Admission admit(const boost::asio::ip::address& peer);

  // Counts `lease` against `client` from now on (nothing to do when it already is). False, and
  // the lease left as it was, when that would take `client` over max_connections_per_ip.
  bool rekey(Lease& lease, const boost::asio::ip::address& client);

  std::size_t open() const;
  std::size_t open_from(const boost::asio::ip::address& peer) const;
  // Addresses with at least one open connection.
  std::size_t addresses() const;

 private:
  struct Counts {
    std::mutex mutex;
    std::size_t total = 0;
    std::unordered_map<AddressKey, std::size_t> per_address;
  };

  std::size_t max_connections_;
  std::size_t max_connections_per_ip_;
  TrustedProxies trusted_proxies_;
  std::shared_ptr<Counts> counts_ = std::make_shared<Counts>();
};

class ConnectionLimit::Lease {
 public:
  // No key: counted in the total only (a trusted proxy's connection before its first request).
  Lease(std::shared_ptr<Counts> counts, std::optional<AddressKey> key);
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  friend class ConnectionLimit;

  std::shared_ptr<Counts> counts_;
  std::optional<AddressKey> key_;  // written under counts_->mutex
};

}  // namespace sio::http
