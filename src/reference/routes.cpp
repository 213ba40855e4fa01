#include "http/router.h"
#include "reference/reference.h"

namespace tb::reference {
namespace {

Json to_json(const Division& d) {
  return Json{{"code", d.code}, {"name", d.name}, {"level", d.level},
              {"parent_code", d.parent_code ? Json(*d.parent_code) : Json(nullptr)}};
}

Json to_json(const CalendarYear& y) {
  return Json{{"year", y.year},
              {"holidays", y.holidays},
              {"makeup_workdays", y.makeup_workdays},
              {"revision", y.revision},
              {"source", y.source}};
}

Result<Date> date_query(const http::Request& r, const std::string& name) {
  auto text = http::required_query(r, name);
  if (!text) return std::unexpected(text.error());
  auto d = Date::parse(*text);
  if (!d) return fail(d.error().code, d.error().message, {{"field", name}, {"value", *text}});
  return d;
}

}  // namespace

void add_routes(http::Router& router, ReferenceService& svc) {
  using http::Request;
  using http::Response;

  router.add(http::get("/api/v1/divisions", http::kPublic, [&svc](Request& r) {
                auto limit = http::int_query(r, "limit", 100);
                if (!limit) return Response::error(limit.error());
                auto page = svc.children(r.query_param("parent").value_or(""), r.query_param("cursor").value_or(""),
                                         *limit);
                if (!page) return Response::error(page.error());
                Json items = Json::array();
                for (const auto& d : page->items) items.push_back(to_json(d));
                return Response::json({{"items", items},
                                       {"next_cursor", page->next_cursor ? Json(*page->next_cursor) : Json(nullptr)}});
              }));

  router.add(http::get("/api/v1/divisions/{code}", http::kPublic, [&svc](Request& r) {
                auto d = svc.division(r.param("code"));
                return d ? Response::json(to_json(*d)) : Response::error(d.error());
              }));

  router.add(http::get("/api/v1/ids/validate", http::kPublic, [&svc](Request& r) {
                auto type_name = http::required_query(r, "type");
                if (!type_name) return Response::error(type_name.error());
                auto type = id_type_from(*type_name);
                if (!type)
                  return Response::error(fail(codes::kValidationFailed, "type 须为 resident、uscc 或 division",
                                              {{"field", "type"}, {"allowed", {"resident", "uscc", "division"}}})
                                             .error());
                auto value = r.query_param("value");
                if (!value)
                  return Response::error(fail(codes::kValidationFailed, "缺少参数 value", {{"field", "value"}}).error());
                auto check = svc.validate_id(*type, *value);
                return Response::json({{"type", *type_name}, {"valid", check.valid}, {"reason", check.reason}});
              }));

  router.add(http::get("/api/v1/calendar/add-workdays", http::kPublic, [&svc](Request& r) {
                auto from = date_query(r, "from");
                if (!from) return Response::error(from.error());
                auto days = http::int_query(r, "days");
                if (!days) return Response::error(days.error());
                auto date = svc.add_workdays(*from, *days);
                return date ? Response::json({{"date", date->to_string()}}) : Response::error(date.error());
              }));

  router.add(http::get("/api/v1/calendar/workdays-between", http::kPublic, [&svc](Request& r) {
                auto from = date_query(r, "from");
                if (!from) return Response::error(from.error());
                auto to = date_query(r, "to");
                if (!to) return Response::error(to.error());
                auto days = svc.workdays_between(*from, *to);
                return days ? Response::json({{"days", *days}}) : Response::error(days.error());
              }));

  router.add(http::get("/api/v1/calendar/years", http::kPublic, [&svc](Request&) {
                Json items = Json::array();
                for (const auto& y : svc.calendar_years()) items.push_back(to_json(y));
                return Response::json({{"items", items}});
              }));

  // Admin only once accounts exist (identity module); the year's file arrives each November.
  router.add(http::put("/api/v1/admin/calendar/{year}", "calendar.manage", [&svc](Request& r) {
                auto year = http::parse_int(r.param("year"), "year");
                if (!year || *year < 1949 || *year > 2200)
                  return Response::error(
                      fail(codes::kValidationFailed, "年份不正确", {{"field", "year"}, {"value", r.param("year")}})
                          .error());
                auto loaded = svc.load_calendar_year(*year, r.json, {&*r.principal, r.remote_address, r.request_id});
                return loaded ? Response::json(to_json(*loaded)) : Response::error(loaded.error());
              }));
}

}  // namespace tb::reference
