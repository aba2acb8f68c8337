#include "socketio/client_bundle.hpp"

#include <array>

namespace sio::socketio {

#ifdef SIO_CLIENT_DIST

// Each file goes into the object as read-only data between two symbols (`.incbin`): no
// generated source, no copy at start-up. CMake makes this file depend on the bundle's files.
#define SIO_CLIENT_FILE(symbol, file)                                                    \
  asm(".pushsection .rodata\n"                                                           \
      ".global " #symbol "_begin\n" #symbol "_begin:\n"                                  \
      ".incbin \"" SIO_CLIENT_DIST "/" file "\"\n"                                       \
      ".global " #symbol "_end\n" #symbol "_end:\n"                                      \
      ".popsection\n");                                                                  \
  extern "C" const char symbol##_begin[];                                                \
  extern "C" const char symbol##_end[];

SIO_CLIENT_FILE(sio_client_js, "socket.io.js")
SIO_CLIENT_FILE(sio_client_js_map, "socket.io.js.map")
SIO_CLIENT_FILE(sio_client_min_js, "socket.io.min.js")
SIO_CLIENT_FILE(sio_client_min_js_map, "socket.io.min.js.map")
SIO_CLIENT_FILE(sio_client_msgpack_min_js, "socket.io.msgpack.min.js")
SIO_CLIENT_FILE(sio_client_msgpack_min_js_map, "socket.io.msgpack.min.js.map")
SIO_CLIENT_FILE(sio_client_esm_min_js, "socket.io.esm.min.js")
SIO_CLIENT_FILE(sio_client_esm_min_js_map, "socket.io.esm.min.js.map")

namespace {

constexpr std::string_view kScript = "application/javascript; charset=utf-8";
constexpr std::string_view kMap = "application/json; charset=utf-8";

std::string_view between(const char* begin, const char* end) {
  return {begin, static_cast<std::size_t>(end - begin)};
}

const std::array<ClientFile, 8>& client_files() {
  static const std::array<ClientFile, 8> files = {{
      {"socket.io.js", between(sio_client_js_begin, sio_client_js_end), kScript},
      {"socket.io.js.map", between(sio_client_js_map_begin, sio_client_js_map_end), kMap},
      {"socket.io.min.js", between(sio_client_min_js_begin, sio_client_min_js_end), kScript},
      {"socket.io.min.js.map", between(sio_client_min_js_map_begin, sio_client_min_js_map_end),
       kMap},
      {"socket.io.msgpack.min.js",
       between(sio_client_msgpack_min_js_begin, sio_client_msgpack_min_js_end), kScript},
      {"socket.io.msgpack.min.js.map",
       between(sio_client_msgpack_min_js_map_begin, sio_client_msgpack_min_js_map_end), kMap},
      {"socket.io.esm.min.js", between(sio_client_esm_min_js_begin, sio_client_esm_min_js_end),
       kScript},
      {"socket.io.esm.min.js.map",
       between(sio_client_esm_min_js_map_begin, sio_client_esm_min_js_map_end), kMap},
  }};
  return files;
}

}  // namespace

const ClientFile* find_client_file(std::string_view name) {
  for (const auto& file : client_files()) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

std::string_view client_bundle_version() { return SIO_CLIENT_VERSION; }

#else

const ClientFile* find_client_file(std::string_view) { return nullptr; }
std::string_view client_bundle_version() { return {}; }

#endif

}  // namespace sio::socketio
