#include "http/router.h"
#include "supervision/orders.h"
#include "supervision/supervision.h"

#include <charconv>

namespace tb::supervision {
namespace {

using http::Request;
using http::Response;

using audit::actor_of;

Result<std::int64_t> int64_text(const std::string& text, const std::string& field) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    return fail(codes::kValidationFailed, field + " 须为整数", {{"field", field}});
  return v;
}

// kind, state, cursor and limit, shared by the supervisors' list and the workbench.
Result<AlertQuery> alert_query(const Request& r) {
  AlertQuery q;
  q.kind = r.query_param("kind");
  q.department = r.query_param("department");
  q.division = r.query_param("division");
  q.state = r.query_param("state").value_or("open");
  if (auto cursor = r.query_param("cursor")) {
    auto v = int64_text(*cursor, "cursor");
    if (!v) return std::unexpected(v.error());
    q.cursor = *v;
  }
  auto limit = http::int_query(r, "limit", 50);
  if (!limit) return std::unexpected(limit.error());
  q.limit = *limit;
  return q;
}

}  // namespace

void add_routes(http::Router& router, SupervisionService& svc) {
  router.add(http::get("/api/v1/supervision/board", "supervision.read", [&svc](Request& r) {
    BoardQuery q;
    q.group = r.query_param("group").value_or("department");
    q.division = r.query_param("division");
    return http::render(svc.board(q, actor_of(r)));
  }));
  router.add(http::get("/api/v1/supervision/cases", "supervision.read", [&svc](Request& r) {
    CaseQuery q;
    q.state = r.query_param("state").value_or("overdue");
    q.department = r.query_param("department");
    q.division = r.query_param("division");
    TB_TRY(limit, http::int_query(r, "limit", 50));
    TB_TRY(offset, http::int_query(r, "offset", 0));
    q.limit = *limit;
    q.offset = *offset;
    return http::render(svc.cases(q, actor_of(r)));
  }));
  router.add(http::get("/api/v1/supervision/rules", "supervision.read", [&svc](Request&) { return Response::json(svc.rules()); }));
  router.add(http::put("/api/v1/supervision/rules", "supervision.manage",
                       [&svc](Request& r) { return http::render(svc.set_rules(r.json, actor_of(r))); }));
  router.add(http::get("/api/v1/supervision/alerts", "supervision.read", [&svc](Request& r) {
    TB_TRY(q, alert_query(r));
    return http::render(svc.alerts(*q, actor_of(r)));
  }));
  router.add(http::get("/api/v1/workbench/alerts", "supervision.alerts", [&svc](Request& r) {
    TB_TRY(q, alert_query(r));
    return http::render(svc.workbench_alerts(*q, actor_of(r)));
  }));
}

namespace {
Result<std::int64_t> order_id(const Request& r) {
  return int64_text(r.param("id"), "id");
}
}  // namespace

void add_order_routes(http::Router& router, OrderService& orders) {
  router.add(http::post("/api/v1/supervision/orders", "supervision.manage",
                        [&orders](Request& r) { return http::render(orders.issue(r.json, actor_of(r)), 201); }));
  router.add(http::get("/api/v1/supervision/orders", "supervision.read", [&orders](Request& r) {
    return http::render(orders.list(r.query_param("state"), actor_of(r), false));
  }));
  router.add(http::post("/api/v1/supervision/orders/{id}/close", "supervision.manage", [&orders](Request& r) {
    TB_TRY(id, order_id(r));
    return http::render(orders.close(*id, r.json, actor_of(r)));
  }));
  // The ordered department.
  router.add(http::get("/api/v1/supervision/my-orders", "supervision.reply", [&orders](Request& r) {
    return http::render(orders.list(r.query_param("state"), actor_of(r), true));
  }));
  router.add(http::post("/api/v1/supervision/orders/{id}/reply", "supervision.reply", [&orders](Request& r) {
    TB_TRY(id, order_id(r));
    return http::render(orders.reply(*id, r.json, actor_of(r)));
  }));
}

}  // namespace tb::supervision
