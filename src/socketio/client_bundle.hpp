#pragma once
// The official socket.io-client's browser bundles — socket.io.js, .min.js, .msgpack.min.js,
// .esm.min.js and their source maps, from the npm package this build pins — built into the
// library, so that a server serves them under its path as Node's does (`serveClient`), with no
// file to find at run time. A build made without the package (no `npm ci`) has none of them.

#include <string_view>

namespace sio::socketio {

struct ClientFile {
  std::string_view name;  // "socket.io.min.js"
  std::string_view content;
  std::string_view content_type;  // as Node sends it
};

// The bundle file called `name`, or null.
const ClientFile* find_client_file(std::string_view name);

// The bundled client's version ("4.8.4"); empty without a bundle. Node's ETag is this, quoted.
std::string_view client_bundle_version();

}  // namespace sio::socketio
