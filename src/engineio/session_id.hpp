#pragma once
// Session ids: 120 bits from the kernel's CSPRNG, base64url (20 characters), so that a sid can be
// neither guessed nor enumerated.

#include <string>

namespace sio::engineio {

std::string generate_session_id();

}  // namespace sio::engineio
