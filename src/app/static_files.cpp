#include "app/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sio::app {

namespace {

std::string content_type_of(const std::filesystem::path& path) {
  const auto ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".json" || ext == ".map") return "application/json";
  return "application/octet-stream";
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

StaticFiles::StaticFiles(const std::string& web_root) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(web_root, ec)) {
    if (!entry.is_regular_file()) continue;
    if (auto body = read_file(entry.path())) {
      files_["/" + entry.path().filename().string()] = {content_type_of(entry.path()), std::move(*body)};
    }
  }
  if (auto index = files_.find("/index.html"); index != files_.end()) files_["/"] = index->second;
}

bool StaticFiles::add_tree(const std::string& root, const std::string& prefix) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root, ec)) {
    if (!entry.is_regular_file()) continue;
    if (auto body = read_file(entry.path())) {
      const auto relative = std::filesystem::relative(entry.path(), root, ec).generic_string();
      files_[prefix + "/" + relative] = {content_type_of(entry.path()), std::move(*body)};
    }
  }
  if (auto index = files_.find(prefix + "/index.html"); index != files_.end()) {
    files_[prefix + "/"] = index->second;
  }
  return true;
}

const StaticFile* StaticFiles::find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace sio::app
