#pragma once
// Standard base64 (RFC 4648 §4, with padding) as used by Engine.IO polling payloads for binary
// packets ("b" + base64).

#include <optional>
#include <string>
#include <string_view>

namespace sio::engineio {

std::string base64_encode(std::string_view bytes);

// Strict decoding: returns nullopt on any character outside the alphabet, bad padding or a
// length that is not a multiple of four, so a malformed payload is a parse error rather than
// silently mangled data.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sio::engineio
