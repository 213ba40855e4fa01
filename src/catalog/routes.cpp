#include "catalog/catalog.h"
#include "http/router.h"

namespace tb::catalog {
namespace {

using http::Request;
using http::Response;

using audit::actor_of;

Result<int> version_param(const Request& r) { return http::parse_int(r.param("version"), "version"); }

}  // namespace

void add_routes(http::Router& router, CatalogService& svc) {
  // ---- public -------------------------------------------------------------------------
  router.add(http::get("/api/v1/items", http::kPublic, [&svc](Request& r) {
    SearchQuery q;
    q.q = r.query_param("q").value_or("");
    q.division = r.query_param("division");
    q.department = r.query_param("department");
    q.theme = r.query_param("theme");
    q.object = r.query_param("object");
    if (auto t = r.query_param("type")) {
      TB_TRY(type, http::parse_int(*t, "type"));
      q.type = *type;
    }
    if (auto online = r.query_param("online")) q.online = *online == "true" || *online == "1";
    // Facets (and an exact total) cost a pass over every match: asked for by the first page.
    q.facets = r.query_param("facets").value_or("false") == "true";
    TB_TRY(limit, http::int_query(r, "limit", 20));
    TB_TRY(offset, http::int_query(r, "offset", 0));
    q.limit = *limit;
    q.offset = *offset;
    return http::render(svc.search(q));
  }));

  // The guide is stored rendered: the hot path returns it without parsing.
  router.add(http::get("/api/v1/items/{code}", http::kPublic, [&svc](Request& r) {
    TB_TRY(text, svc.guide(r.param("code")));
    return Response::text(std::move(*text), "application/json; charset=utf-8");
  }));

  router.add(http::get("/api/v1/departments", http::kPublic,
                       [&svc](Request& r) { return Response::json(svc.departments(r.query_param("division"))); }));
  router.add(http::get("/api/v1/departments/{code}", http::kPublic,
                       [&svc](Request& r) { return http::render(svc.department(r.param("code"))); }));
  router.add(http::get("/api/v1/scenarios", http::kPublic, [&svc](Request&) { return Response::json(svc.scenarios()); }));
  router.add(http::get("/api/v1/scenarios/{code}", http::kPublic,
                       [&svc](Request& r) { return http::render(svc.scenario(r.param("code"))); }));
  router.add(http::get("/api/v1/themes", http::kPublic, [&svc](Request&) { return Response::json(svc.themes()); }));

  // ---- administration ---------------------------------------------------------------------
  auto import_route = http::post("/api/v1/admin/items/import", "items.edit", [&svc](Request& r) {
    bool publish = r.query_param("publish").value_or("false") == "true";
    TB_TRY(report, svc.import_items(r.json, publish, actor_of(r)));
    return Response::json(*report, 201);
  });
  import_route.body_limit = 16 * 1024 * 1024;  // a whole catalogue in one go
  router.add(std::move(import_route));

  router.add(http::get("/api/v1/admin/items/export", "items.edit",
                       [&svc](Request&) { return Response::json(svc.export_items()); }));

  router.add(http::get("/api/v1/admin/catalog/synonyms", "items.edit",
                       [&svc](Request&) { return Response::json(svc.synonyms()); }));
  router.add(http::put("/api/v1/admin/catalog/synonyms", "items.review",
                       [&svc](Request& r) { return http::render(svc.set_synonyms(r.json, actor_of(r))); }));

  router.add(http::get("/api/v1/admin/items/export.xlsx", "items.edit", [&svc](Request&) {
    auto res = Response::text(svc.export_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"items.xlsx\"");
    return res;
  }));

  router.add(http::put("/api/v1/admin/items/{code}", "items.edit", [&svc](Request& r) {
    TB_TRY(saved, svc.save_draft(r.param("code"), r.json, actor_of(r)));
    return Response::json(*saved, 201);
  }));

  router.add(http::get("/api/v1/admin/items/{code}/versions", "items.edit",
                       [&svc](Request& r) { return http::render(svc.versions(r.param("code"))); }));

  router.add(http::get("/api/v1/admin/items/{code}/versions/{version}", "items.edit", [&svc](Request& r) {
    TB_TRY(v, version_param(r));
    return http::render(svc.version(r.param("code"), *v));
  }));

  router.add(http::post("/api/v1/admin/items/{code}/versions/{version}/submit", "items.edit", [&svc](Request& r) {
    TB_TRY(v, version_param(r));
    return http::render(svc.submit(r.param("code"), *v, actor_of(r)));
  }, http::Body::kNone));

  router.add(http::post("/api/v1/admin/items/{code}/versions/{version}/review", "items.review", [&svc](Request& r) {
    TB_TRY(v, version_param(r));
    if (!r.json.contains("approve") || !r.json["approve"].is_boolean())
      return Response::error(fail(codes::kValidationFailed, "须给出 approve（true 发布，false 退回）", {{"field", "approve"}}).error());
    return http::render(svc.review(r.param("code"), *v, r.json["approve"], r.json.value("comment", ""), actor_of(r)));
  }));

  router.add(http::get("/api/v1/admin/items/{code}/diff", "items.edit", [&svc](Request& r) {
    TB_TRY(from, http::int_query(r, "from"));
    TB_TRY(to, http::int_query(r, "to"));
    return http::render(svc.diff_versions(r.param("code"), *from, *to));
  }));

  router.add(http::post("/api/v1/admin/items/{code}/retire", "items.review",
                        [&svc](Request& r) { return http::render(svc.retire(r.param("code"), actor_of(r))); },
                        http::Body::kNone));
}

}  // namespace tb::catalog
