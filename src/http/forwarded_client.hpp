#pragma once
// The address of the client a request is for. From a peer that is not a trusted proxy it is the
// peer itself. From a trusted proxy it is read from the hops the proxies recorded, the
// standard `Forwarded` header's `for=` parameters when there is one, else `X-Forwarded-For`: the
// hops are walked from the right (the one the nearest proxy added) past every trusted proxy, and
// the first untrusted one is the client. Anything further left was written by the client and
// proves nothing. When every hop is trusted, the leftmost is taken.
//
// A hop that is not an address (`unknown`, an obfuscated `_name`, garbage) ends the walk: the
// last trusted hop before it is the client as far as anyone can tell.

#include <boost/asio/ip/address.hpp>

#include "http/http_request.hpp"
#include "http/trusted_proxies.hpp"

namespace sio::http {

boost::asio::ip::address forwarded_client(const boost::asio::ip::address& peer,
                                          const Request& message, const TrustedProxies& trusted);

}  // namespace sio::http
