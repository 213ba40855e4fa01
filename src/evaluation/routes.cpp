#include <charconv>

#include "evaluation/evaluation.h"
#include "http/router.h"
#include "identity/permissions.h"

namespace tb::evaluation {
namespace {

using http::Request;
using http::Response;

using audit::actor_of;

Result<std::int64_t> id_param(const Request& r, const std::string& name) {
  std::int64_t v = 0;
  const std::string& text = r.param(name);
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size())
    return fail(codes::kValidationFailed, name + " 须为整数", {{"field", name}});
  return v;
}

}  // namespace

void add_routes(http::Router& router, EvaluationService& svc) {
  router.add(http::post("/api/v1/cases/{no}/evaluation", identity::kAuthenticated,
                        [&svc](Request& r) { return http::render(svc.rate(r.param("no"), r.json, actor_of(r)), 201); }));
  router.add(http::get("/api/v1/cases/{no}/evaluation", identity::kAuthenticated,
                       [&svc](Request& r) { return http::render(svc.of_case(r.param("no"), actor_of(r))); }));
  router.add(http::get("/api/v1/me/evaluations", identity::kAuthenticated,
                       [&svc](Request& r) { return http::render(svc.mine(actor_of(r))); }));
  auto summary_query = [](const Request& r) {
    return SummaryQuery{r.query_param("department"), r.query_param("item"), r.query_param("from"), r.query_param("to")};
  };
  router.add(http::get("/api/v1/evaluations/summary", http::kPublic,
                       [&svc, summary_query](Request& r) { return http::render(svc.summary(summary_query(r))); }));
  router.add(http::get("/api/v1/evaluations/summary/departments", http::kPublic, [&svc, summary_query](Request& r) {
    return http::render(svc.summary_by_department(summary_query(r)));
  }));

  router.add(http::get("/api/v1/evaluations/queue", "evaluations.handle",
                       [&svc](Request& r) { return http::render(svc.queue(actor_of(r))); }));
  router.add(http::post("/api/v1/evaluations/{id}/call-back", "evaluations.handle", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    return http::render(svc.call_back(*id, r.json, actor_of(r)));
  }));
  router.add(http::post("/api/v1/evaluations/{id}/rectification", "evaluations.handle", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    return http::render(svc.rectify(*id, r.json, actor_of(r)));
  }));
  router.add(http::post("/api/v1/evaluations/{id}/appeals", "evaluations.handle", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    return http::render(svc.appeal(*id, r.json, actor_of(r)), 201);
  }));

  router.add(http::get("/api/v1/evaluations/appeals", "evaluations.decide",
                       [&svc](Request& r) { return http::render(svc.appeals(actor_of(r))); }));
  router.add(http::post("/api/v1/evaluations/appeals/{id}/decision", "evaluations.decide", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    return http::render(svc.decide_appeal(*id, r.json, actor_of(r)));
  }));
}

}  // namespace tb::evaluation
