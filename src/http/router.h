// Routes in the domain's words: method + pattern with {name} segments → handler.
// The router owns the generic HTTP errors (404, 405, 400 malformed JSON, 415) so every
// route gets them the same way.
//
//   router.add({"GET", "/api/v1/divisions/{code}", [&](Request& r) { return render(svc.get(r.param("code"))); }});
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/http.h"

namespace tb::http {

enum class Body {
  kNone,    // no body expected (GET, DELETE, simple actions)
  kJson,    // application/json, parsed into Request::json
  kUpload,  // raw bytes up to the upload limit (multipart or octet-stream)
  kForm,    // application/x-www-form-urlencoded, parsed into Request::form (OAuth 2 token endpoint)
};

// Who may call a route: a permission name decided by the guard (identity/permissions.h).
// Deny by default: a route without one is refused for everybody.
inline constexpr const char* kPublic = "public";

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/divisions/{code}"
  std::function<Response(Request&)> handler;
  Body body = Body::kNone;
  std::string permission;
  std::size_t body_limit = 0;  // bytes; 0 = the server's limit for the media type
};

using Handler = std::function<Response(Request&)>;
inline Route get(std::string pattern, std::string permission, Handler h) {
  return {"GET", std::move(pattern), std::move(h), Body::kNone, std::move(permission)};
}
inline Route post(std::string pattern, std::string permission, Handler h, Body body = Body::kJson) {
  return {"POST", std::move(pattern), std::move(h), body, std::move(permission)};
}
inline Route put(std::string pattern, std::string permission, Handler h, Body body = Body::kJson) {
  return {"PUT", std::move(pattern), std::move(h), body, std::move(permission)};
}
inline Route del(std::string pattern, std::string permission, Handler h) {
  return {"DELETE", std::move(pattern), std::move(h), Body::kNone, std::move(permission)};
}

// Decides whether a request may reach its route; returns the refusal (401/403) or nothing.
// It may set Request::principal.
using Guard = std::function<std::optional<Response>(Request&, const Route&)>;

struct Dispatch {
  Response response;
  std::string route;  // the matched pattern, or "unmatched" (a metrics label)
};

class Router {
 public:
  void add(Route route);
  // Matches, checks method and media type, parses JSON, then calls the handler.
  // Handler exceptions propagate; the server turns them into 500.
  Dispatch dispatch(Request& request) const;
  const std::vector<Route>& routes() const { return routes_; }
  // The route a request would reach (ignoring permissions), for per-route body limits.
  const Route* find(const std::string& method, std::string_view path) const;
  void set_guard(Guard guard) { guard_ = std::move(guard); }
  // Answers a request no route matches (the web's files), before the 404.
  void set_fallback(std::function<std::optional<Response>(const Request&)> fallback) { fallback_ = std::move(fallback); }

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;  // "{name}" marks a parameter
  };
  static bool match(const Compiled& c, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string>* params);
  std::vector<Compiled> compiled_;
  std::vector<Route> routes_;
  Guard guard_;
  std::function<std::optional<Response>(const Request&)> fallback_;
};

}  // namespace tb::http
