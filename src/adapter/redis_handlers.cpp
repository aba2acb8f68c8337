#include "adapter/redis_handlers.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace sio::adapter {

void RedisHandlers::deliver(std::string_view channel, std::string_view payload,
                            std::string_view client) {
  // By index, and each handler copied before it runs: a handler that subscribes may grow the
  // vector under it.
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i].handler) continue;
    auto handler = entries_[i].handler;
    try {
      handler(channel, payload);
    } catch (const std::exception& e) {
      spdlog::error("{}: dropped a message on {}: {}", client, channel, e.what());
    }
  }
}

bool RedisHandlers::unsubscribe(Id id) {
  for (auto& entry : entries_) {
    if (entry.id != id) continue;
    entry.handler = nullptr;
    return true;
  }
  return false;
}

bool RedisHandlers::drop_unsubscribed() {
  std::erase_if(entries_, [](const Entry& e) { return !e.handler; });
  return entries_.empty();
}

}  // namespace sio::adapter
