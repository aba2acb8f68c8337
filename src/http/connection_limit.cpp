#include "http/connection_limit.hpp"

namespace sio::http {

ConnectionLimit::ConnectionLimit(std::size_t max_connections, std::size_t max_connections_per_ip,
                                 TrustedProxies trusted_proxies)
    : max_connections_(max_connections),
      max_connections_per_ip_(max_connections_per_ip),
      trusted_proxies_(std::move(trusted_proxies)) {}

ConnectionLimit::Admission ConnectionLimit::admit(const boost::asio::ip::address& peer) {
  std::lock_guard lock(counts_->mutex);
  if (max_connections_ != 0 && counts_->total >= max_connections_) {
    return {nullptr, Refusal::max_connections};
  }
  if (trusted_proxies_.contains(peer)) {
    ++counts_->total;
    return {std::make_shared<Lease>(counts_, std::nullopt), Refusal::none};
  }
  const auto key = address_key(peer);
  if (max_connections_per_ip_ != 0) {
    auto it = counts_->per_address.find(key);
    if (it != counts_->per_address.end() && it->second >= max_connections_per_ip_) {
      return {nullptr, Refusal::max_connections_per_ip};
    }
  }
  ++counts_->total;
  ++counts_->per_address[key];
  return {std::make_shared<Lease>(counts_, key), Refusal::none};
}

bool ConnectionLimit::rekey(Lease& lease, const boost::asio::ip::address& client) {
  const auto key = address_key(client);
  std::lock_guard lock(counts_->mutex);
  if (lease.key_ == key) return true;
  auto& count = counts_->per_address[key];
  if (max_connections_per_ip_ != 0 && count >= max_connections_per_ip_) return false;
  ++count;
  if (lease.key_) {
    auto it = counts_->per_address.find(*lease.key_);
    if (it != counts_->per_address.end() && --it->second == 0) counts_->per_address.erase(it);
  }
  lease.key_ = key;
  return true;
}

std::size_t ConnectionLimit::open() const {
  std::lock_guard lock(counts_->mutex);
  return counts_->total;
}

std::size_t ConnectionLimit::open_from(const boost::asio::ip::address& peer) const {
  std::lock_guard lock(counts_->mutex);
  auto it = counts_->per_address.find(address_key(peer));
  return it == counts_->per_address.end() ? 0 : it->second;
}

std::size_t ConnectionLimit::addresses() const {
  std::lock_guard lock(counts_->mutex);
  return counts_->per_address.size();
}

ConnectionLimit::Lease::Lease(std::shared_ptr<Counts> counts, std::optional<AddressKey> key)
    : counts_(std::move(counts)), key_(key) {}

// Addresses are forgotten with their last connection, so the table holds no more entries than
// there are open connections.
ConnectionLimit::Lease::~Lease() {
  std::lock_guard lock(counts_->mutex);
  --counts_->total;
  if (!key_) return;
  auto it = counts_->per_address.find(*key_);
  if (it != counts_->per_address.end() && --it->second == 0) counts_->per_address.erase(it);
}

}  // namespace sio::http
