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
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/divisions/{code}"
  std::function<Response(Request&)> handler;
  Body body = Body::kNone;
};

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

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;  // "{name}" marks a parameter
  };
  static bool match(const Compiled& c, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string>* params);
  std::vector<Compiled> compiled_;
  std::vector<Route> routes_;
};

}  // namespace tb::http
