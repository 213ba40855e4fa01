// Operations: health, readiness, metrics, the API document, version, and the test clock.
#include <algorithm>
#include <thread>

#include "app/app.h"

namespace tb::app {

void add_ops_routes(http::Router& router, App& app) {
  using http::Request;
  using http::Response;

  router.add(http::get("/healthz", http::kPublic, [](Request&) { return Response::json({{"status", "ok"}}); }));

  router.add(http::get("/readyz", http::kPublic, [&app](Request&) {
                if (app.db().ping()) return Response::json({{"status", "ready"}});
                return Response::error(fail(codes::kUnavailable, "数据库不可达", {{"db", app.db().describe()}}).error());
              }));

  router.add(http::get("/metrics", http::kPublic, [&app](Request&) {
                return Response::text(app.metrics().render(), "text/plain; version=0.0.4; charset=utf-8");
              }));

  // Built once: the document does not change while the process runs.
  auto document = std::make_shared<std::string>(App::openapi().dump());
  router.add(http::get("/api/v1/openapi.json", http::kPublic, [document](Request&) {
                return Response::text(*document, "application/json; charset=utf-8");
              }));

  router.add(http::get("/api/v1/version", http::kPublic, [&app](Request&) {
                return Response::json({{"version", kVersion},
                                       {"engine", store::engine_name(app.db().engine())},
                                       {"now", format_instant(app.clock().now_ms())},
                                       {"test_clock", app.test_clock() != nullptr}});
              }));

  TestClock* clock = app.test_clock();
  if (!clock) return;  // the routes below exist only with --test-clock

  router.add(http::get("/api/v1/admin/clock", http::kPublic, [clock](Request&) {
                return Response::json({{"now", format_instant(clock->now_ms())}});
              }));

  router.add(http::post("/api/v1/admin/clock", http::kPublic, [clock](Request& r) {
                if (!r.json.is_object() || !r.json.contains("now") || !r.json["now"].is_string())
                  return Response::error(
                      fail(codes::kValidationFailed, "须提供 now（ISO 8601 时间）", {{"field", "now"}}).error());
                auto now = parse_instant(r.json["now"].get<std::string>());
                if (!now) return Response::error(now.error());
                bool frozen = r.json.value("frozen", false);
                clock->set(*now, frozen);
                return Response::json({{"now", format_instant(clock->now_ms())}, {"frozen", frozen}});
              }));

  router.add(http::post("/api/v1/admin/test/fail", http::kPublic, [](Request&) -> Response {
                throw std::runtime_error("deliberate failure for the 500 test");
              }, http::Body::kNone));

  // Runs the outbox consumers until they have read every event (tests need the licence of a
  // case they just approved without waiting for the next poll).
  router.add(http::post("/api/v1/admin/test/consumers/run", http::kPublic, [&app](Request&) {
                std::size_t events = 0;
                for (int round = 0; round < 500; ++round) {
                  events += app.licences().consume(500);
                  events += app.supervision().consume(500);
                  events += app.statistics().consume(500);
                  events += app.rating_channels().consume(500);
                  if (app.licences().caught_up() && app.supervision().caught_up() && app.statistics().caught_up() &&
                      app.rating_channels().caught_up())
                    return Response::json({{"events", events}, {"caught_up", true}});
                  std::this_thread::sleep_for(std::chrono::milliseconds(10));  // another consumer holds the batch
                }
                return Response::json({{"events", events}, {"caught_up", false}});
              }, http::Body::kNone));

  // A slow request, so a test can stop the server while one is in flight.
  router.add(http::post("/api/v1/admin/test/sleep", http::kPublic, [](Request& r) {
                auto ms = http::int_query(r, "ms", 500);
                if (!ms) return Response::error(ms.error());
                std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp(*ms, 0, 10'000)));
                return Response::json({{"slept_ms", *ms}});
              }, http::Body::kNone));
}

}  // namespace tb::app
