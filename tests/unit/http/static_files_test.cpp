// The web's built files served by the binary: files, the SPA's pages, caching, and what it
// must leave to the API's 404.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crypto/crypto.h"
#include "http/router.h"
#include "http/static_files.h"

namespace tb::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tongban-web-" + crypto::random_hex(6));
    fs::create_directories(dir_ / "assets");
    std::ofstream(dir_ / "index.html") << "<div id=\"app\"></div>";
    std::ofstream(dir_ / "assets" / "index-Ab12.js") << "console.log(1)";
    std::ofstream(dir_ / "favicon.svg") << "<svg/>";
  }
  void TearDown() override { fs::remove_all(dir_); }
  static Request get(const std::string& path, const std::string& method = "GET") {
    Request r;
    r.method = method;
    r.path = path;
    return r;
  }
  static std::string header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }
  fs::path dir_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirTypesAndCaching) {
  StaticFiles web(dir_);
  EXPECT_EQ(web.file_count(), 3u);
  auto js = web.serve(get("/assets/index-Ab12.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto svg = web.serve(get("/favicon.svg"));
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->content_type, "image/svg+xml");
  EXPECT_EQ(header(*svg, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, PagesOfTheAppAnswerIndexHtmlThatIsRevalidated) {
  StaticFiles web(dir_);
  for (const char* path : {"/", "/items/000101009000", "/me/cases/X-1", "/workbench", "/verify/1.2.156.3005"}) {
    auto page = web.serve(get(path));
    ASSERT_TRUE(page) << path;
    EXPECT_EQ(page->body, "<div id=\"app\"></div>") << path;
    EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(*page, "Cache-Control"), "no-cache");
  }
  auto first = web.serve(get("/"));
  auto again = get("/");
  again.headers["if-none-match"] = header(*first, "ETag");
  auto revalidated = web.serve(again);
  ASSERT_TRUE(revalidated);
  EXPECT_EQ(revalidated->status, 304);
  EXPECT_TRUE(revalidated->body.empty());
}

TEST_F(StaticFilesTest, LeavesTheApiMissingFilesAndWritesToThe404) {
  StaticFiles web(dir_);
  for (const char* path : {"/api/v1/nothing", "/oauth2/x", "/.well-known/x", "/assets/gone-123.js", "/robots.txt",
                           "/../etc/passwd", "/healthz"})
    EXPECT_FALSE(web.serve(get(path))) << path;
  EXPECT_FALSE(web.serve(get("/", "POST")));
  EXPECT_TRUE(web.serve(get("/", "HEAD")));
}

TEST_F(StaticFilesTest, AFolderWithoutIndexHtmlIsRefused) {
  fs::remove(dir_ / "index.html");
  EXPECT_THROW(StaticFiles{dir_}, FatalError);
}

TEST_F(StaticFilesTest, TheRouterAsksTheFallbackOnlyWhenNoRouteMatches) {
  auto web = std::make_shared<StaticFiles>(dir_);
  Router router;
  router.add(http::get("/api/v1/version", kPublic, [](Request&) { return Response::json({{"v", 1}}); }));
  router.add(http::post("/items", kPublic, [](Request&) { return Response::json({{"posted", true}}); }));
  router.set_fallback([web](const Request& r) { return web->serve(r); });
  Request api = get("/api/v1/version");
  EXPECT_EQ(router.dispatch(api).response.body, R"({"v":1})");
  Request page = get("/items");  // a path an API route owns keeps its 405
  auto d = router.dispatch(page);
  EXPECT_EQ(d.response.status, 405);
  Request missing = get("/api/v1/nope");
  EXPECT_EQ(router.dispatch(missing).response.status, 404);
  Request spa = get("/me");
  auto served = router.dispatch(spa);
  EXPECT_EQ(served.response.status, 200);
  EXPECT_EQ(served.route, "web");
}

}  // namespace
}  // namespace tb::http
