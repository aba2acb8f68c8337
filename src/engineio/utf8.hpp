#pragma once
// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). Text packets
// must be valid UTF-8; a peer that sends anything else is at fault and gets a parse error.

#include <string_view>

namespace sio::engineio {

bool is_valid_utf8(std::string_view text);

}  // namespace sio::engineio
