#include "http/router.h"

#include <algorithm>

namespace tb::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto next = path.find('/', i);
    if (next == std::string_view::npos) next = path.size();
    parts.push_back(path.substr(i, next - i));
    i = next;
  }
  return parts;
}

std::string media_type(const std::string& content_type) {
  auto semicolon = content_type.find(';');
  std::string base = content_type.substr(0, semicolon);
  base.erase(std::remove(base.begin(), base.end(), ' '), base.end());
  std::transform(base.begin(), base.end(), base.begin(), ::tolower);
  return base;
}

bool is_json_media_type(const std::string& content_type) { return media_type(content_type) == "application/json"; }

}  // namespace

void Router::add(Route route) {
  Compiled c;
  for (auto part : split_path(route.pattern)) c.segments.emplace_back(part);
  for (const auto& existing : routes_)
    if (existing.method == route.method && existing.pattern == route.pattern)
      throw FatalError("route registered twice: " + route.method + " " + route.pattern);
  c.route = route;
  compiled_.push_back(std::move(c));
  routes_.push_back(std::move(route));
}

bool Router::match(const Compiled& c, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string>* params) {
  if (c.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = c.segments[i];
    bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (!is_param && seg != parts[i]) return false;
  }
  if (params) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = c.segments[i];
      if (seg.size() > 2 && seg.front() == '{') (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    }
  }
  return true;
}

const Route* Router::find(const std::string& method, std::string_view path) const {
  auto parts = split_path(path);
  const Route* best = nullptr;
  int best_params = 0;
  for (const auto& c : compiled_) {
    if (c.route.method != method || !match(c, parts, nullptr)) continue;
    int n = static_cast<int>(std::count_if(c.segments.begin(), c.segments.end(),
                                           [](const std::string& s) { return !s.empty() && s.front() == '{'; }));
    if (!best || n < best_params) {
      best = &c.route;
      best_params = n;
    }
  }
  return best;
}

Dispatch Router::dispatch(Request& request) const {
  auto parts = split_path(request.path);
  const Compiled* found = nullptr;
  int found_params = 0;
  std::vector<std::string> allowed;
  // A literal segment beats a parameter: "/cases/search" wins over "/cases/{no}".
  for (const auto& c : compiled_) {
    if (!match(c, parts, nullptr)) continue;
    if (c.route.method == request.method || (request.method == "HEAD" && c.route.method == "GET")) {
      int n = static_cast<int>(std::count_if(c.segments.begin(), c.segments.end(),
                                             [](const std::string& s) { return !s.empty() && s.front() == '{'; }));
      if (!found || n < found_params) {
        found = &c;
        found_params = n;
      }
    } else {
      allowed.push_back(c.route.method);
    }
  }
  if (!found) {
    if (!allowed.empty()) {
      std::string allow;
      for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      auto r = Response::error(fail(codes::kMethodNotAllowed, "该地址不支持 " + request.method + " 方法",
                                     {{"method", request.method}, {"allowed", allowed}})
                                    .error());
      r.headers.emplace_back("Allow", allow);
      return {std::move(r), "unmatched"};
    }
    if (fallback_)
      if (auto page = fallback_(request)) return {std::move(*page), "web"};
    return {Response::error(fail(codes::kNotFound, "请求的地址不存在", {{"path", request.path}}).error()),
            "unmatched"};
  }
  const Route& route = found->route;
  match(*found, parts, &request.params);
  if (route.permission != kPublic) {
    if (!guard_ || route.permission.empty())
      return {Response::error(fail(codes::kForbidden, "无权访问", {{"path", request.path}}).error()), route.pattern};
    if (auto refusal = guard_(request, route)) return {std::move(*refusal), route.pattern};
  }

  if (route.body == Body::kJson) {
    std::string content_type = request.header("content-type");
    if (!request.body.empty() || !content_type.empty()) {
      if (!is_json_media_type(content_type))
        return {Response::error(fail(codes::kUnsupportedMediaType, "请求体须为 application/json",
                                     {{"content_type", content_type}})
                                    .error()),
                route.pattern};
    }
    if (request.body.empty()) {
      request.json = Json::object();
    } else {
      try {
        request.json = Json::parse(request.body);
      } catch (const Json::parse_error& e) {
        return {Response::error(fail(codes::kMalformedJson, "请求体不是合法的 JSON",
                                     {{"offset", e.byte}, {"reason", e.what()}})
                                    .error()),
                route.pattern};
      }
    }
  }
  if (route.body == Body::kForm && !request.body.empty()) {
    std::string content_type = request.header("content-type");
    if (media_type(content_type) != "application/x-www-form-urlencoded")
      return {Response::error(fail(codes::kUnsupportedMediaType, "请求体须为 application/x-www-form-urlencoded",
                                   {{"content_type", content_type}})
                                  .error()),
              route.pattern};
    request.form = parse_query(request.body);
  }
  return {route.handler(request), route.pattern};
}

}  // namespace tb::http
