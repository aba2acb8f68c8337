#pragma once
// A token bucket per peer address (see address_key): each address may take `burst` tokens at
// once and `rate` more per second after that. Engine.IO handshakes take one each.
//
// The table of addresses is bounded by `max_addresses`, whatever the number of addresses that
// knock: entries whose bucket has refilled carry nothing worth keeping and are dropped as time
// passes, and when the table is still full the address seen least recently is forgotten (it
// starts again with a full bucket, which is what a new address gets anyway).
//
// A bucket is kept as the time at which it will be full again (the "generic cell rate
// algorithm"): integer clock arithmetic, so no rounding builds up however often it is touched.
//
// One table serves the whole process, whichever reactor a handshake lands on: each call takes a
// mutex (once per handshake, never per message).

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <unordered_map>

#include "http/address_key.hpp"

namespace sio::engineio {

using http::AddressKey;

class AddressRateLimit {
 public:
  using Clock = std::chrono::steady_clock;

  // `rate` tokens per second, up to `burst` (at least 1); `max_addresses` at least 1.
  AddressRateLimit(double rate, double burst, std::size_t max_addresses);

  // Takes a token for `address`; false when its bucket is empty.
  bool try_take(const AddressKey& address, Clock::time_point now = Clock::now());

  // Addresses in the table.
  std::size_t size() const;
  // Time until `address` has a token again (zero when it has one now).
  Clock::duration wait(const AddressKey& address, Clock::time_point now = Clock::now()) const;

 private:
  struct Bucket {
    AddressKey address;
    Clock::time_point full_at;  // the bucket holds `burst` tokens from then on
  };
  using Order = std::list<Bucket>;  // most recently seen first

  void forget_refilled(Clock::time_point now);

  mutable std::mutex mutex_;
  Clock::duration interval_;   // one token's worth of time: 1 / rate
  Clock::duration tolerance_;  // how far ahead full_at may run: (burst - 1) tokens
  std::size_t max_addresses_;
  Order order_;
  std::unordered_map<AddressKey, Order::iterator> index_;
};

}  // namespace sio::engineio
