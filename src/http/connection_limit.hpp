#pragma once
// Counts the open TCP connections of a server, in all and per peer address (see address_key),
// against `max_connections` and `max_connections_per_ip`. A connection counts for as long as its
// lease lives: the listener gives it to the HTTP connection, and a WebSocket that takes the
// connection's stream over keeps it (see Server).
//
// The counts are the whole process's, whichever reactor a connection lives on: admitting and
// releasing take a mutex (once per TCP connection, never per message). Leases keep the counts
// alive, so a connection that outlives its server releases its lease safely.

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/address_key.hpp"

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

  // 0 means no limit.
  ConnectionLimit(std::size_t max_connections, std::size_t max_connections_per_ip);

  // Admits a new connection from `peer`, or says which limit it would exceed.
  Admission admit(const boost::asio::ip::address& peer);

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
  std::shared_ptr<Counts> counts_ = std::make_shared<Counts>();
};

class ConnectionLimit::Lease {
 public:
  Lease(std::shared_ptr<Counts> counts, AddressKey key);
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  std::shared_ptr<Counts> counts_;
  AddressKey key_;
};

}  // namespace sio::http
