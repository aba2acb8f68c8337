#include "engineio/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

namespace sio::engineio {

namespace {

// A zlib stream of one kind for this thread, made on first use.
struct Deflater {
  explicit Deflater(int level, int window_bits) {
    if (deflateInit2(&stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::bad_alloc();
    }
  }
  ~Deflater() { deflateEnd(&stream); }
  z_stream stream{};
};

struct Inflater {
  Inflater() {
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw std::bad_alloc();
  }
  ~Inflater() { inflateEnd(&stream); }
  z_stream stream{};
};

// Runs `data` through `stream` to the end (`flush`), appending to `out`.
void run_deflate(z_stream& stream, std::string_view data, int flush, std::string& out) {
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  while (true) {
    const std::size_t before = out.size();
    const std::size_t room = std::max<std::size_t>(deflateBound(&stream, stream.avail_in), 64);
    out.resize(before + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream.avail_out = static_cast<uInt>(room);
    const int status = deflate(&stream, flush);
    out.resize(before + room - stream.avail_out);
    if (status == Z_STREAM_END) return;
    if (status != Z_OK && status != Z_BUF_ERROR) throw std::runtime_error("deflate failed");
    // A sync flush is done once zlib had output room to spare.
    if (flush == Z_SYNC_FLUSH && stream.avail_in == 0 && stream.avail_out > 0) return;
  }
}

}  // namespace

std::string deflate_message(std::string_view data) {
  // Messages are broadcast once and sent to many: the default level's better ratio pays.
  thread_local Deflater deflater(Z_DEFAULT_COMPRESSION, -MAX_WBITS);
  deflateReset(&deflater.stream);
  std::string out;
  run_deflate(deflater.stream, data, Z_SYNC_FLUSH, out);
  if (out.size() >= 4 && out.compare(out.size() - 4, 4, std::string_view("\0\0\xff\xff", 4)) == 0) {
    out.resize(out.size() - 4);
  }
  return out;
}

std::optional<std::string> inflate_message(std::string_view data, std::size_t max_size,
                                           bool& too_big) {
  thread_local Inflater inflater;
  too_big = false;
  inflateReset(&inflater.stream);
  static constexpr char kTail[] = {0, 0, '\xff', '\xff'};
  std::string out;
  auto feed = [&](std::string_view input) -> bool {
    auto& s = inflater.stream;
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    s.avail_in = static_cast<uInt>(input.size());
    while (s.avail_in > 0) {
      const std::size_t before = out.size();
      const std::size_t room = std::min<std::size_t>(std::max<std::size_t>(input.size() * 4, 4096),
                                                     max_size + 1 - before);
      if (room == 0) {
        too_big = true;
        return false;
      }
      out.resize(before + room);
      s.next_out = reinterpret_cast<Bytef*>(out.data() + before);
      s.avail_out = static_cast<uInt>(room);
      const int status = inflate(&s, Z_SYNC_FLUSH);
      out.resize(before + room - s.avail_out);
      if (out.size() > max_size) {
        too_big = true;
        return false;
      }
      if (status == Z_STREAM_END) return s.avail_in == 0;
      if (status != Z_OK && status != Z_BUF_ERROR) return false;
      if (status == Z_BUF_ERROR && s.avail_out > 0) return false;  // stuck: malformed
    }
    return true;
  };
  if (!feed(data) || !feed(std::string_view(kTail, sizeof kTail))) return std::nullopt;
  return out;
}

HttpEncoding choose_http_encoding(std::string_view accept_encoding) {
  auto accepts = [&](std::string_view name) {
    std::size_t at = 0;
    while (at < accept_encoding.size()) {
      auto end = accept_encoding.find(',', at);
      if (end == std::string_view::npos) end = accept_encoding.size();
      auto item = accept_encoding.substr(at, end - at);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      const auto semi = item.find(';');
      auto token = item.substr(0, semi);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      const bool refused = semi != std::string_view::npos &&
                           item.find("q=0", semi) != std::string_view::npos &&
                           item.find("q=0.", semi) == std::string_view::npos;
      if (token.size() == name.size() &&
          std::equal(
              token.begin(), token.end(), name.begin(),
              [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }) &&
          !refused) {
        return true;
      }
      at = end + 1;
    }
    return false;
  };
  if (accepts("gzip")) return HttpEncoding::gzip;
  if (accepts("deflate")) return HttpEncoding::deflate;
  return HttpEncoding::identity;
}

std::string compress_http(std::string_view data, HttpEncoding encoding) {
  // Each response is compressed for one client: the fastest level.
  thread_local Deflater gzip(Z_BEST_SPEED, MAX_WBITS + 16);
  thread_local Deflater zlib(Z_BEST_SPEED, MAX_WBITS);
  auto& deflater = encoding == HttpEncoding::gzip ? gzip : zlib;
  deflateReset(&deflater.stream);
  std::string out;
  run_deflate(deflater.stream, data, Z_FINISH, out);
  return out;
}

}  // namespace sio::engineio
