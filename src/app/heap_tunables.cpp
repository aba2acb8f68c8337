#include "app/heap_tunables.hpp"

#include <limits.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sio::app {

namespace {

struct Tunable {
  std::string_view name;
  std::string_view value;
};
constexpr std::array<Tunable, 2> kTunables{{
    {"glibc.malloc.hugetlb", "1"},
    {"glibc.malloc.tcache_count", "64"},
}};
// Set for the new image only, so that it never starts itself again, whatever glibc made of
// GLIBC_TUNABLES meanwhile (it parses it in place).
constexpr const char* kRestarted = "SIO_HEAP_TUNABLES_RESTARTED";

// Whether the colon-separated `name=value` list `tunables` sets `name`.
bool names(std::string_view tunables, std::string_view name) {
  while (!tunables.empty()) {
    const auto end = tunables.find(':');
    const auto item = tunables.substr(0, end);
    if (item.starts_with(name) && item.size() > name.size() && item[name.size()] == '=')
      return true;
    if (end == std::string_view::npos) break;
    tunables.remove_prefix(end + 1);
  }
  return false;
}

bool under_sanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

}  // namespace

std::string with_heap_tunables(std::string_view current) {
  std::string tunables(current);
  for (const auto& tunable : kTunables) {
    if (names(current, tunable.name)) continue;
    if (!tunables.empty()) tunables += ':';
    tunables += tunable.name;
    tunables += '=';
    tunables += tunable.value;
  }
  return tunables;
}

void restart_with_heap_tunables(char** argv) {
  if (std::getenv(kRestarted)) {
    unsetenv(kRestarted);
    return;
  }
  if (under_sanitizer()) return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  const bool had_tunables = current != nullptr;
  const std::string tunables = had_tunables ? current : "";
  const std::string wanted = with_heap_tunables(tunables);
  if (wanted == tunables) return;
  // The program's own path, not /proc/self/exe: the process keeps its name (ps, pgrep, logs).
  std::array<char, PATH_MAX> path{};
  const auto length = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0 || static_cast<std::size_t>(length) >= path.size() - 1) return;
  if (setenv("GLIBC_TUNABLES", wanted.c_str(), 1) != 0) return;
  setenv(kRestarted, "1", 1);
  execv(path.data(), argv);
  // Not restarted: go on without the tunables (and without pretending they are set).
  unsetenv(kRestarted);
  if (had_tunables)
    setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  else
    unsetenv("GLIBC_TUNABLES");
}

}  // namespace sio::app
