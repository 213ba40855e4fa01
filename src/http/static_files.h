// The web's built files (web/dist), served by the binary itself: every GET that no API
// route matches. Paths the SPA's router owns (/items/…, /me, …) answer index.html; the API's
// own prefixes keep their JSON 404. Files are read once at start: the set is small (~2 MB)
// and a deployment replaces it with the binary.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "http/http.h"

namespace tb::http {

class StaticFiles {
 public:
  // Throws FatalError when `dir` has no index.html.
  explicit StaticFiles(const std::filesystem::path& dir);

  // The file at `path`, the SPA's index.html for a page path, or nothing (the caller's 404).
  std::optional<Response> serve(const Request& request) const;
  std::size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::shared_ptr<const std::string> body;
    std::string etag;
    bool immutable = false;  // hashed names under assets/: cache for a year
  };
  Response respond(const File& file, const Request& request) const;
  std::map<std::string, File> files_;  // "/assets/index-abc.js" → file
};

}  // namespace tb::http
