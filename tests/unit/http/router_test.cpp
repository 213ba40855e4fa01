#include <gtest/gtest.h>

#include "http/metrics.h"
#include "http/router.h"

namespace tb::http {
namespace {

Response named(const std::string& name) { return Response::json({{"route", name}}); }

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(get("/api/v1/cases/{no}", kPublic, [](Request& r) { return named("case " + r.param("no")); }));
    router_.add(get("/api/v1/cases/search", kPublic, [](Request&) { return named("search"); }));
    router_.add(post("/api/v1/cases", kPublic, [](Request& r) { return Response::json(r.json, 201); }));
    router_.add(post("/api/v1/cases/{no}/actions/{action}", kPublic,
                     [](Request& r) { return named(r.param("no") + ":" + r.param("action")); }, Body::kNone));
    router_.add(get("/api/v1/secret", "secret.read", [](Request&) { return named("secret"); }));
    router_.add(get("/api/v1/unguarded", "", [](Request&) { return named("unguarded"); }));
  }
  Dispatch call(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& content_type = "") {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    if (!content_type.empty()) r.headers["content-type"] = content_type;
    return router_.dispatch(r);
  }
  static Json body(const Dispatch& d) { return Json::parse(d.response.body); }
  Router router_;
};

TEST_F(RouterTest, ParametersAndLiteralSegments) {
  EXPECT_EQ(body(call("GET", "/api/v1/cases/C123"))["route"], "case C123");
  // A literal segment beats a parameter wherever it was registered.
  EXPECT_EQ(body(call("GET", "/api/v1/cases/search"))["route"], "search");
  EXPECT_EQ(body(call("POST", "/api/v1/cases/C1/actions/accept"))["route"], "C1:accept");
  EXPECT_EQ(call("GET", "/api/v1/cases/C1").route, "/api/v1/cases/{no}");
  EXPECT_EQ(body(call("GET", "/api/v1/cases/C9/"))["route"], "case C9");  // a trailing slash is the same path
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  auto d = call("GET", "/api/v1/nothing");
  EXPECT_EQ(d.response.status, 404);
  EXPECT_EQ(body(d)["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(d.route, "unmatched");
  auto m = call("DELETE", "/api/v1/cases");
  EXPECT_EQ(m.response.status, 405);
  EXPECT_EQ(body(m)["error"]["code"], "METHOD_NOT_ALLOWED");
  ASSERT_EQ(m.response.headers.size(), 1u);
  EXPECT_EQ(m.response.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
}

TEST_F(RouterTest, HeadIsServedByGet) { EXPECT_EQ(call("HEAD", "/api/v1/cases/C1").response.status, 200); }

TEST_F(RouterTest, JsonRoutesCheckMediaTypeAndSyntax) {
  EXPECT_EQ(call("POST", "/api/v1/cases", R"({"a":1})", "application/json; charset=utf-8").response.status, 201);
  EXPECT_EQ(call("POST", "/api/v1/cases", R"({"a":1})", "Application/JSON").response.status, 201);
  auto wrong = call("POST", "/api/v1/cases", R"({"a":1})", "text/plain");
  EXPECT_EQ(wrong.response.status, 415);
  EXPECT_EQ(body(wrong)["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");
  auto missing_type = call("POST", "/api/v1/cases", R"({"a":1})");
  EXPECT_EQ(missing_type.response.status, 415);
  auto bad = call("POST", "/api/v1/cases", R"({"a":)", "application/json");
  EXPECT_EQ(bad.response.status, 400);
  EXPECT_EQ(body(bad)["error"]["code"], "MALFORMED_JSON");
  EXPECT_EQ(body(bad)["error"]["details"]["offset"], 6);
  // No body at all is an empty object, for actions that need no input.
  EXPECT_EQ(body(call("POST", "/api/v1/cases")), Json::object());
}

TEST_F(RouterTest, RegisteringARouteTwiceIsABug) {
  EXPECT_THROW(router_.add(get("/api/v1/cases/{no}", kPublic, [](Request&) { return named("x"); })), FatalError);
}

TEST_F(RouterTest, DenyByDefaultAndTheGuardDecides) {
  // No guard installed: anything not public is refused.
  EXPECT_EQ(call("GET", "/api/v1/secret").response.status, 403);
  std::vector<std::string> asked;
  router_.set_guard([&](Request& r, const Route& route) -> std::optional<Response> {
    asked.push_back(route.permission);
    if (r.header("authorization") == "yes") return std::nullopt;
    return Response::error(fail(codes::kForbidden, "no").error());
  });
  EXPECT_EQ(call("GET", "/api/v1/secret").response.status, 403);
  Request r;
  r.method = "GET";
  r.path = "/api/v1/secret";
  r.headers["authorization"] = "yes";
  EXPECT_EQ(router_.dispatch(r).response.status, 200);
  // A route that names no permission is refused without asking the guard.
  EXPECT_EQ(call("GET", "/api/v1/unguarded").response.status, 403);
  EXPECT_EQ(asked, (std::vector<std::string>{"secret.read", "secret.read"}));
  // Public routes never reach the guard.
  EXPECT_EQ(call("GET", "/api/v1/cases/C1").response.status, 200);
  EXPECT_EQ(asked.size(), 2u);
}

TEST(Query, PercentDecodingAndPlus) {
  auto q = parse_query("name=%E5%85%AD%E5%AE%89&x=a+b&empty=&flag&bad=%zz");
  EXPECT_EQ(q["name"], "六安");
  EXPECT_EQ(q["x"], "a b");
  EXPECT_EQ(q["empty"], "");
  EXPECT_EQ(q["flag"], "");
  EXPECT_FALSE(q.count("bad")) << "an undecodable value is dropped, not passed on garbled";
  EXPECT_EQ(percent_decode("/a%2Fb+c", false), "/a/b+c");
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_encode("六安 a+b/~"), "%E5%85%AD%E5%AE%89%20a%2Bb%2F~");
  EXPECT_EQ(percent_decode(percent_encode("身份证?x=1&y"), true), "身份证?x=1&y");
}

TEST(Query, IntegerParameters) {
  Request r;
  r.query = {{"days", "20"}, {"bad", "2x"}, {"big", "99999999999"}};
  EXPECT_EQ(int_query(r, "days"), 20);
  EXPECT_EQ(int_query(r, "missing", 7), 7);
  EXPECT_EQ(int_query(r, "missing").error().details["field"], "missing");
  EXPECT_EQ(int_query(r, "bad").error().code, "VALIDATION_FAILED");
  EXPECT_EQ(int_query(r, "big").error().code, "VALIDATION_FAILED");
}

TEST(Metrics, PrometheusTextWithHistogramAndSources) {
  Metrics m;
  m.observe("GET", "/healthz", 200, 0.0004);
  m.observe("GET", "/healthz", 200, 0.02);
  m.observe("GET", "/x\"y", 404, 3);
  m.add_source([](std::string& out) { out += "# TYPE extra gauge\nextra 7\n"; });
  std::string text = m.render();
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has(R"(tongban_http_requests_total{method="GET",route="/healthz",status="200"} 2)"));
  EXPECT_TRUE(has(R"(tongban_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="0.0005"} 1)"));
  EXPECT_TRUE(has(R"(tongban_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="0.025"} 2)"));
  EXPECT_TRUE(has(R"(tongban_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 2)"));
  EXPECT_TRUE(has(R"(tongban_http_request_duration_seconds_count{method="GET",route="/x\"y",status="404"} 1)"));
  EXPECT_TRUE(has(R"(tongban_http_request_duration_seconds_bucket{method="GET",route="/x\"y",status="404",le="2.5"} 0)"));
  EXPECT_TRUE(has("extra 7"));
}

}  // namespace
}  // namespace tb::http
