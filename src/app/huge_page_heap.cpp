#include "app/huge_page_heap.hpp"

#include <limits.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sio::app {

namespace {

constexpr std::string_view kTunable = "glibc.malloc.hugetlb";
// Set for the new image only, so that it never starts itself again, whatever glibc made of
// GLIBC_TUNABLES meanwhile (it parses it in place).
constexpr const char* kRestarted = "SIO_HUGE_PAGE_HEAP_RESTARTED";

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

void restart_with_huge_page_heap(char** argv) {
  if (std::getenv(kRestarted)) {
    unsetenv(kRestarted);
    return;
  }
  if (under_sanitizer()) return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  const bool had_tunables = current != nullptr;
  const std::string tunables = had_tunables ? current : "";
  if (tunables.find(kTunable) != std::string::npos) return;
  const std::string setting = std::string(kTunable) + "=1";
  const std::string wanted = tunables.empty() ? setting : tunables + ":" + setting;
  // The program's own path, not /proc/self/exe: the process keeps its name (ps, pgrep, logs).
  std::array<char, PATH_MAX> path{};
  const auto length = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0 || static_cast<std::size_t>(length) >= path.size() - 1) return;
  if (setenv("GLIBC_TUNABLES", wanted.c_str(), 1) != 0) return;
  setenv(kRestarted, "1", 1);
  execv(path.data(), argv);
  // Not restarted: go on without the tunable (and without pretending it is set).
  unsetenv(kRestarted);
  if (had_tunables)
    setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  else
    unsetenv("GLIBC_TUNABLES");
}

}  // namespace sio::app
