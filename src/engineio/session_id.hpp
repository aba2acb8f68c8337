#pragma once
// Session ids: base64url from the kernel's CSPRNG, so that a sid can be neither guessed nor
// enumerated. A plain id is 20 characters (120 bits); the id of an Engine.IO session starts with
// two characters naming the reactor that owns it (108 random bits follow), so that a request for
// it that lands on another reactor finds its owner without asking anyone.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sio::engineio {

std::string generate_session_id();

// The most reactors a session id can name.
constexpr std::size_t kMaxSessionReactors = 64 * 64;

// An id for a session owned by `reactor` (< kMaxSessionReactors).
std::string generate_session_id(std::size_t reactor);
// The reactor named by a session id made by the function above; nullopt for any other string.
std::optional<std::size_t> reactor_of_session_id(std::string_view id);

}  // namespace sio::engineio
