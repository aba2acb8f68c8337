#include "engineio/frame.hpp"

#include "engineio/base64.hpp"

namespace sio::engineio {

FramePtr Frame::text(PacketType type, std::string_view data) {
  std::string bytes;
  bytes.reserve(data.size() + 1);
  bytes += char('0' + static_cast<int>(type));
  bytes += data;
  return std::make_shared<const Frame>(type, std::move(bytes), false);
}

FramePtr Frame::binary(std::string bytes) {
  return std::make_shared<const Frame>(PacketType::message, std::move(bytes), true);
}

std::string_view Frame::polling_bytes() const {
  if (!binary_) return bytes_;
  std::call_once(polling_once_, [this] {
    polling_ = 'b';
    polling_ += base64_encode(bytes_);
  });
  return polling_;
}

}  // namespace sio::engineio
