#include "audit/audit.h"
#include "http/router.h"

namespace tb::audit {

Actor actor_of(const http::Request& r) { return {r.principal ? &*r.principal : nullptr, r.remote_address, r.request_id}; }
namespace {

Json to_json(const Record& r) {
  return Json{{"id", r.id},
              {"at", format_instant(r.at)},
              {"actor_id", r.actor_id ? Json(*r.actor_id) : Json(nullptr)},
              {"actor_name", r.actor_name},
              {"role", r.role},
              {"action", r.action},
              {"target", r.target},
              {"outcome", r.outcome},
              {"ip", r.ip},
              {"request_id", r.request_id},
              {"before_digest", r.before_digest},
              {"after_digest", r.after_digest},
              {"details", r.details},
              {"hash", r.hash}};
}

Result<std::optional<EpochMs>> instant_query(const http::Request& r, const std::string& name) {
  auto v = r.query_param(name);
  if (!v) return std::optional<EpochMs>();
  auto t = parse_instant(*v);
  if (!t) return fail(t.error().code, t.error().message, {{"field", name}, {"value", *v}});
  return std::optional<EpochMs>(*t);
}

}  // namespace

void add_routes(http::Router& router, store::Db& db) {
  using http::Request;
  using http::Response;

  // Read-only by design: there is no route that changes or deletes a record.
  router.add(http::get("/api/v1/audit", "audit.read", [&db](Request& r) {
    Filter f;
    auto limit = http::int_query(r, "limit", 50);
    if (!limit || *limit < 1 || *limit > 500)
      return Response::error(fail(codes::kValidationFailed, "limit 须在 1 到 500 之间", {{"field", "limit"}}).error());
    f.limit = *limit;
    if (auto cursor = r.query_param("cursor")) {
      auto id = http::parse_int(*cursor, "cursor");
      if (!id) return Response::error(id.error());
      f.before_id = *id;
    }
    if (auto actor = r.query_param("actor_id")) {
      auto id = http::parse_int(*actor, "actor_id");
      if (!id) return Response::error(id.error());
      f.actor_id = *id;
    }
    f.action = r.query_param("action");
    f.outcome = r.query_param("outcome");
    auto from = instant_query(r, "from");
    if (!from) return Response::error(from.error());
    auto to = instant_query(r, "to");
    if (!to) return Response::error(to.error());
    f.from = *from;
    f.to = *to;
    Json items = Json::array();
    auto records = list(db, f);
    for (const auto& rec : records) items.push_back(to_json(rec));
    Json next = static_cast<int>(records.size()) == f.limit ? Json(std::to_string(records.back().id)) : Json(nullptr);
    return Response::json({{"items", items}, {"next_cursor", next}});
  }));

  router.add(http::get("/api/v1/audit/verify", "audit.read", [&db](Request&) {
    auto v = verify(db);
    return Response::json({{"intact", !v.first_broken.has_value()},
                           {"checked", v.checked},
                           {"first_broken", v.first_broken ? Json(*v.first_broken) : Json(nullptr)},
                           {"reason", v.reason}});
  }));
}

}  // namespace tb::audit
