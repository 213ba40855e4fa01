#include "http/router.h"
#include "statistics/statistics.h"

namespace tb::statistics {

void add_routes(http::Router& router, StatisticsService& svc) {
  // The headline figures are public (the city publishes them); the same with a department.
  router.add(http::get("/api/v1/statistics/indicators", http::kPublic, [&svc](http::Request& r) {
    IndicatorQuery q;
    q.department = r.query_param("department");
    q.from = r.query_param("from");
    q.to = r.query_param("to");
    return http::render(svc.indicators(q));
  }));
}

}  // namespace tb::statistics
