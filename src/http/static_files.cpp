#include "http/static_files.h"

#include <fstream>
#include <sstream>

#include "crypto/crypto.h"

namespace tb::http {
namespace {

std::string content_type_of(const std::filesystem::path& p) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"}, {".jpg", "image/jpeg"}, {".ico", "image/x-icon"},
      {".woff", "font/woff"}, {".woff2", "font/woff2"}, {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"}, {".map", "application/json; charset=utf-8"}};
  auto it = types.find(p.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

bool is_api_path(const std::string& path) {
  for (const char* prefix : {"/api/", "/oauth2/", "/.well-known/", "/healthz", "/readyz", "/metrics"})
    if (path.starts_with(prefix)) return true;
  return false;
}

}  // namespace

StaticFiles::StaticFiles(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(dir / "index.html"))
    throw FatalError("no index.html in the web folder " + dir.string() + " (build it: scripts/build)");
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto body = std::make_shared<const std::string>(text.str());
    std::string rel = "/" + fs::relative(entry.path(), dir).generic_string();
    files_[rel] = File{content_type_of(entry.path()), body,
                       "\"" + crypto::sm3_hex(*body).substr(0, 32) + "\"", rel.starts_with("/assets/")};
  }
}

Response StaticFiles::respond(const File& file, const Request& request) const {
  Response r;
  r.content_type = file.content_type;
  r.headers.emplace_back("ETag", file.etag);
  // index.html must be revalidated so a new deployment's asset names are picked up.
  r.headers.emplace_back("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (file.content_type.starts_with("text/html")) {
    r.headers.emplace_back("X-Frame-Options", "SAMEORIGIN");
    r.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  if (request.header("if-none-match") == file.etag) {
    r.status = 304;
    return r;
  }
  r.body = *file.body;
  return r;
}

std::optional<Response> StaticFiles::serve(const Request& request) const {
  if ((request.method != "GET" && request.method != "HEAD") || is_api_path(request.path)) return std::nullopt;
  if (auto it = files_.find(request.path); it != files_.end()) return respond(it->second, request);
  // A missing file is a real 404; any other path is a page of the SPA (whose parameters, a
  // licence identifier say, may well contain dots).
  if (request.path.starts_with("/assets/") || request.path.find("..") != std::string::npos ||
      content_type_of(std::filesystem::path(request.path)) != "application/octet-stream")
    return std::nullopt;
  return respond(files_.at("/index.html"), request);
}

}  // namespace tb::http
