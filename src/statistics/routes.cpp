#include "http/router.h"
#include "statistics/statistics.h"

namespace tb::statistics {

namespace {

IndicatorQuery query_of(const http::Request& r) {
  IndicatorQuery q;
  q.department = r.query_param("department");
  q.division = r.query_param("division");
  q.item = r.query_param("item");
  q.from = r.query_param("from");
  q.to = r.query_param("to");
  return q;
}

}  // namespace

void add_routes(http::Router& router, StatisticsService& svc) {
  // The headline figures are public (the city publishes them); the same with a department.
  router.add(http::get("/api/v1/statistics/indicators", http::kPublic,
                       [&svc](http::Request& r) { return http::render(svc.indicators(query_of(r))); }));
  router.add(http::get("/api/v1/statistics/departments", http::kPublic,
                       [&svc](http::Request& r) { return http::render(svc.by_department(query_of(r))); }));
  router.add(http::get("/api/v1/statistics/divisions", http::kPublic, [&svc](http::Request& r) {
    return http::render(svc.by_division(query_of(r), r.query_param("parent").value_or("341500")));
  }));
  router.add(http::get("/api/v1/statistics/indicators.xlsx", http::kPublic, [&svc](http::Request& r) {
    auto q = query_of(r);
    TB_TRY(bytes, svc.export_xlsx(q));
    auto res = http::Response::text(std::move(*bytes), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"indicators.xlsx\"");
    return res;
  }));
}

}  // namespace tb::statistics
