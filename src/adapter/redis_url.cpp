#include "adapter/redis_url.hpp"

#include <boost/url/parse.hpp>
#include <charconv>
#include <stdexcept>

namespace sio::adapter {

namespace {

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

RedisUrl parse_redis_url(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) throw std::invalid_argument("invalid Redis URL: " + std::string(text));
  const auto& url = *parsed;
  if (url.scheme() != "redis" && url.scheme() != "rediss") {
    throw std::invalid_argument("unsupported Redis URL scheme '" + std::string(url.scheme()) +
                                "' (redis:// or rediss://)");
  }

  RedisUrl out;
  out.tls = url.scheme() == "rediss";
  if (!url.host().empty()) {
    // An IPv6 literal comes bracketed in a URL; the resolver wants it bare.
    out.host = url.host_type() == boost::urls::host_type::ipv6
                   ? url.host_ipv6_address().to_string()
                   : std::string(url.encoded_host().decode());
  }
  if (url.has_port()) {
    unsigned int port = 0;
    if (!parse_number(url.port(), port) || port == 0 || port > 65535) {
      throw std::invalid_argument("invalid port in Redis URL: " + std::string(url.port()));
    }
    out.port = static_cast<unsigned short>(port);
  }
  if (url.has_userinfo()) {
    out.username = url.user();
    if (url.has_password()) out.password = url.password();
  }
  std::string_view path = url.encoded_path();
  if (!path.empty() && path != "/") {
    path.remove_prefix(1);
    if (!parse_number(path, out.db) || out.db < 0) {
      throw std::invalid_argument("invalid database number in Redis URL: " + std::string(path));
    }
  }
  return out;
}

}  // namespace sio::adapter
