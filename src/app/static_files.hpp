#pragma once
// The demo page's files, read once at start-up and served from memory. Only the files found then
// are served, so no request path can reach outside them.

#include <map>
#include <optional>
#include <string>

namespace sio::app {

struct StaticFile {
  std::string content_type;
  std::string body;
};

class StaticFiles {
 public:
  // Maps "/<name>" to every regular file directly in `web_root`, and "/" to index.html. (The
  // page loads the client from /socket.io/socket.io.min.js, which the library serves.)
  explicit StaticFiles(const std::string& web_root);

  // Maps "<prefix>/<path>" to every regular file under `root`, subdirectories included, and
  // "<prefix>/" to its index.html (the admin UI's built files). False when `root` is not there.
  bool add_tree(const std::string& root, const std::string& prefix);

  const StaticFile* find(const std::string& path) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, StaticFile> files_;
};

}  // namespace sio::app
