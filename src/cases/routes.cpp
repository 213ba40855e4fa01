#include <charconv>

#include "cases/cases.h"
#include "http/router.h"
#include "identity/permissions.h"

namespace tb::cases {
namespace {

using http::Request;
using http::Response;
using identity::kAuthenticated;

using audit::actor_of;

Result<std::int64_t> int64_param(std::string_view text, const std::string& field) {
  std::int64_t value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    return fail(codes::kValidationFailed, "参数 " + field + " 须为整数", {{"field", field}, {"value", std::string(text)}});
  return value;
}

// If-Match: "3" (or 3): the case version the caller saw.
Result<std::optional<std::int64_t>> if_match(const Request& r) {
  std::string v = r.header("if-match");
  if (v.empty()) return std::optional<std::int64_t>();
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  auto n = http::parse_int(v, "If-Match");
  if (!n) return std::unexpected(n.error());
  return std::optional<std::int64_t>(*n);
}

}  // namespace

void add_routes(http::Router& router, CaseService& svc) {
  // ---- applicants ---------------------------------------------------------------------------
  auto upload = http::post("/api/v1/uploads", kAuthenticated, [&svc](Request& r) {
    TB_TRY(saved, svc.upload(r.body, r.query_param("name").value_or(""), r.header("content-type"), actor_of(r)));
    return Response::json(*saved, 201);
  }, http::Body::kUpload);
  router.add(std::move(upload));

  router.add(http::post("/api/v1/cases", kAuthenticated, [&svc](Request& r) {
    TB_TRY(created, svc.submit(r.json, r.header("idempotency-key"), actor_of(r)));
    return Response::json(created->body, created->status);
  }));

  router.add(http::get("/api/v1/me/cases", kAuthenticated, [&svc](Request& r) {
    std::optional<std::int64_t> before;
    if (auto b = r.query_param("before")) {
      TB_TRY(v, int64_param(*b, "before"));
      before = *v;
    }
    TB_TRY(limit, http::int_query(r, "limit", 20));
    return http::render(svc.my_cases(actor_of(r), before, *limit));
  }));

  router.add(http::get("/api/v1/me/drafts", kAuthenticated, [&svc](Request& r) { return http::render(svc.drafts(actor_of(r))); }));
  router.add(http::post("/api/v1/me/drafts", kAuthenticated, [&svc](Request& r) {
    return http::render(svc.save_draft(std::nullopt, r.json, actor_of(r)), 201);
  }));
  router.add(http::get("/api/v1/me/drafts/{id}", kAuthenticated, [&svc](Request& r) {
    TB_TRY(id, int64_param(r.param("id"), "id"));
    return http::render(svc.draft(*id, actor_of(r)));
  }));
  router.add(http::put("/api/v1/me/drafts/{id}", kAuthenticated, [&svc](Request& r) {
    TB_TRY(id, int64_param(r.param("id"), "id"));
    return http::render(svc.save_draft(*id, r.json, actor_of(r)));
  }));
  router.add(http::del("/api/v1/me/drafts/{id}", kAuthenticated, [&svc](Request& r) {
    TB_TRY(id, int64_param(r.param("id"), "id"));
    return http::render(svc.delete_draft(*id, actor_of(r)));
  }));

  // ---- everyone with a part in the case -------------------------------------------------------
  router.add(http::get("/api/v1/cases/{no}", kAuthenticated,
                       [&svc](Request& r) { return http::render(svc.view(r.param("no"), actor_of(r))); }));

  router.add(http::get("/api/v1/cases/{no}/materials/{id}/file", kAuthenticated, [&svc](Request& r) {
    TB_TRY(id, int64_param(r.param("id"), "id"));
    TB_TRY(file, svc.material_file(r.param("no"), *id, actor_of(r)));
    auto res = Response::text(std::move(file->second), file->first.value("media_type", "application/octet-stream"));
    // The stored name is already cleaned; RFC 5987 carries the Chinese characters.
    res.headers.emplace_back("Content-Disposition", "inline; filename*=UTF-8''" + http::percent_encode(file->first.value("file_name", "file")));
    res.headers.emplace_back("X-Content-SM3", file->first.value("sm3", ""));
    return res;
  }));

  router.add(http::post("/api/v1/cases/{no}/actions", kAuthenticated, [&svc](Request& r) {
    TB_TRY(version, if_match(r));
    return http::render(svc.act(r.param("no"), r.json, *version, actor_of(r)));
  }));

  // ---- staff workbench ------------------------------------------------------------------------
  router.add(http::get("/api/v1/workbench/tasks", "cases.handle", [&svc](Request& r) {
    TodoQuery q;
    q.item = r.query_param("item");
    q.stage = r.query_param("stage");
    q.channel = r.query_param("channel");
    q.mine = r.query_param("mine").value_or("false") == "true";
    TB_TRY(limit, http::int_query(r, "limit", 50));
    TB_TRY(offset, http::int_query(r, "offset", 0));
    q.limit = *limit;
    q.offset = *offset;
    return http::render(svc.todo(q, actor_of(r)));
  }));

  router.add(http::post("/api/v1/cases/{no}/tasks/{step}/claim", "cases.handle", [&svc](Request& r) {
    return http::render(svc.claim(r.param("no"), r.param("step"), actor_of(r)));
  }, http::Body::kNone));

  // ---- public ---------------------------------------------------------------------------------
  router.add(http::get("/api/v1/progress", http::kPublic, [&svc](Request& r) {
    return http::render(svc.progress(r.query_param("case_no").value_or(""), r.query_param("name").value_or(""),
                                     r.remote_address));
  }));

  // ---- exchange with the provincial platform --------------------------------------------------
  router.add(http::get("/api/v1/exchange/case-records", "exchange.read", [&svc](Request& r) {
    std::int64_t after = 0;
    if (auto a = r.query_param("after")) {
      TB_TRY(v, int64_param(*a, "after"));
      after = *v;
    }
    TB_TRY(limit, http::int_query(r, "limit", 200));
    return http::render(svc.exchange_records(after, *limit));
  }));
  router.add(http::post("/api/v1/exchange/case-records/{no}/resend", "exchange.read", [&svc](Request& r) {
    return http::render(svc.resend(r.param("no"), actor_of(r)));
  }, http::Body::kNone));
}

}  // namespace tb::cases
