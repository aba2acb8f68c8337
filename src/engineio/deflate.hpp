#pragma once
// Compression with zlib for the two places Engine.IO uses it, with one zlib stream per thread per
// kind, reset for each use: no connection holds compression state, so a connection with
// compression on costs no more memory at rest than one without.
//
// permessage-deflate (RFC 7692): each message is compressed on its own (as if with
// server_no_context_takeover), so the compressed bytes of a broadcast are shared by every
// recipient; clients are asked to do the same (client_no_context_takeover), so each message they
// send is inflated on its own.
// HTTP: polling responses in gzip or deflate (zlib) Content-Encoding, as Node's httpCompression.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sio::engineio {

// The raw DEFLATE of one WebSocket message, without the 00 00 FF FF tail (RFC 7692 §7.2.1).
std::string deflate_message(std::string_view data);

// Inflates one WebSocket message; nullopt when the data is not valid DEFLATE or would inflate
// past `max_size` (`too_big` then says which).
std::optional<std::string> inflate_message(std::string_view data, std::size_t max_size,
                                           bool& too_big);

enum class HttpEncoding { identity, gzip, deflate };

// The encoding to answer with, from an Accept-Encoding header: gzip, else deflate, else none.
HttpEncoding choose_http_encoding(std::string_view accept_encoding);
std::string compress_http(std::string_view data, HttpEncoding encoding);

}  // namespace sio::engineio
