#pragma once
// The rooms of a server that keeps them in a database (sio-server): `join-room` refuses an id
// it does not know, so the rooms are created first through its REST API (`POST /api/rooms`),
// and the ids it hands back are what the clients join and publish to.

#include <cstddef>
#include <string>
#include <vector>

#include "loadgen/transport.hpp"

namespace sio::bench {

// Creates `count` public rooms ("bench-1", "bench-2", …) as the user `token` names and returns
// their ids as decimal strings, in order. Blocking, on one keep-alive connection: it runs before
// the clients' io_context does. Throws std::runtime_error when the server refuses one.
std::vector<std::string> create_rooms(const Target& target, const std::string& token,
                                      std::size_t count);

}  // namespace sio::bench
