// The catalogue over HTTP with the real Lu'an seed data: every query of the search test
// set (data/catalog/search-queries.json) must find its items among the first 10 results.
#include <gtest/gtest.h>

#include <fstream>

#include "http/http.h"
#include "store/db.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

std::string url_encode(const std::string& s) { return http::percent_encode(s); }

TEST(CatalogSearch, ColloquialQueriesFindTheirItems) {
  std::ifstream in(std::string(TB_DATA_DIR) + "/catalog/search-queries.json");
  Json queries = Json::parse(in);
  ASSERT_GE(queries.size(), 40u);
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  ServerProcess server(db.url());
  int found = 0;
  for (const auto& q : queries) {
    auto res = http_request(server.port(), "GET", "/api/v1/items?limit=10&q=" + url_encode(q["q"].get<std::string>()));
    ASSERT_EQ(res.status, 200) << q["q"] << ": " << res.body;
    std::set<std::string> top;
    Json body = res.json();  // kept: ranging over a member of a temporary would dangle
    for (const auto& item : body["items"]) top.insert(item["basic_code"].get<std::string>());
    bool all = true;
    for (const auto& want : q["expect"]) {
      bool hit = top.count(want.get<std::string>()) > 0;
      EXPECT_TRUE(hit) << "「" << q["q"].get<std::string>() << "」 should find " << want << "; got " << res.body.substr(0, 600);
      all = all && hit;
    }
    found += all;
  }
  std::cout << "search test set: " << found << " of " << queries.size() << " queries found all their items\n";
}

}  // namespace
}  // namespace tb::testing

namespace tb::testing {
namespace {


class CatalogAdmin : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string out;
    ASSERT_EQ(run_tongban({"seed", "--db", db_.url()}, &out), 0) << out;
    server_ = std::make_unique<ServerProcess>(db_.url());
    editor_ = log_in(port(), "deptadmin01", kDemoPassword, kDemoTotpSecret);  // 六安市市场监督管理局
    reviewer_ = log_in(port(), "reviewer01", kDemoPassword);                  // 编办
    Json page = http_request(port(), "GET", "/api/v1/departments/SCJG").json();
    ASSERT_FALSE(page["items"].empty());
    code_ = page["items"][0]["code"];
  }
  int port() const { return server_->port(); }
  HttpResponse call(const std::string& method, const std::string& path, const std::string& token,
                    const Json& body = nullptr) {
    return http_request(port(), method, path, body.is_null() ? "" : body.dump(), bearer(token));
  }
  Json data(int version) {
    auto r = call("GET", "/api/v1/admin/items/" + code_ + "/versions/" + std::to_string(version), editor_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["data"];
  }
  std::int64_t count(const std::string& sql) {
    auto direct = store::Db::open(db_.url(), {.size = 1});
    return direct->read([&](store::Conn& c) { return c.query(sql).at(0).i64(0); });
  }

  TestDatabase db_;
  std::unique_ptr<ServerProcess> server_;
  std::string editor_, reviewer_, code_;
};

TEST_F(CatalogAdmin, DraftSubmitReturnApprovePublishWithHistoryAndDiff) {
  Json v1 = data(1);
  Json changed = v1;
  changed["consultation"] = "0564-3370000";
  changed.erase("complaint");
  changed.erase("locations");
  auto saved = call("PUT", "/api/v1/admin/items/" + code_, editor_, changed);
  ASSERT_EQ(saved.status, 201) << saved.body;
  EXPECT_EQ(saved.json()["version"], 2);

  // Incomplete: the refusal lists every missing element at once.
  auto refused = call("POST", "/api/v1/admin/items/" + code_ + "/versions/2/submit", editor_);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.json()["error"]["code"], "ITEM_INCOMPLETE");
  std::set<std::string> missing;
  Json refusal = refused.json();
  for (const auto& m : refusal["error"]["details"]["missing"]) missing.insert(m["field"]);
  EXPECT_EQ(missing, (std::set<std::string>{"complaint", "locations"}));

  changed["complaint"] = v1["complaint"];
  changed["locations"] = v1["locations"];
  ASSERT_EQ(call("PUT", "/api/v1/admin/items/" + code_, editor_, changed).status, 201);
  // Not submitted yet: nothing to review.
  auto early = call("POST", "/api/v1/admin/items/" + code_ + "/versions/3/review", reviewer_, {{"approve", true}});
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(early.json()["error"]["code"], "ITEM_STATE_CONFLICT");
  ASSERT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/versions/3/submit", editor_).status, 200);

  // Returning needs a comment; the editor resubmits the returned version.
  EXPECT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/versions/3/review", reviewer_, {{"approve", false}}).status, 422);
  ASSERT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/versions/3/review", reviewer_,
                 {{"approve", false}, {"comment", "咨询电话请与部门公示一致"}})
                .status,
            200);
  // An editor cannot publish.
  EXPECT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/versions/3/review", editor_, {{"approve", true}}).status, 403);
  ASSERT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/versions/3/submit", editor_).status, 200);
  auto published = call("POST", "/api/v1/admin/items/" + code_ + "/versions/3/review", reviewer_, {{"approve", true}});
  ASSERT_EQ(published.status, 200) << published.body;

  Json guide = http_request(port(), "GET", "/api/v1/items/" + code_).json();
  EXPECT_EQ(guide["version"], 3);
  EXPECT_EQ(guide["consultation"], "0564-3370000");
  EXPECT_EQ(guide["department"]["name"], "六安市市场监督管理局");

  Json history = call("GET", "/api/v1/admin/items/" + code_ + "/versions", editor_).json();
  std::vector<std::string> states;
  for (const auto& v : history["items"]) states.push_back(v["state"]);
  EXPECT_EQ(states, (std::vector<std::string>{"superseded", "draft", "published"}));
  EXPECT_EQ(history["items"][2]["review_comment"], "");

  Json diff = call("GET", "/api/v1/admin/items/" + code_ + "/diff?from=1&to=3", editor_).json();
  EXPECT_EQ(diff["changes"].size(), 1u) << diff.dump();
  EXPECT_EQ(diff["changes"]["consultation"]["to"], "0564-3370000");
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action LIKE 'catalog.item.%'"), 6);
}

TEST_F(CatalogAdmin, EditorsStayInTheirDepartmentAndDraftsMustKeepTheirIdentity) {
  Json ga = http_request(port(), "GET", "/api/v1/departments/GA").json();
  std::string other = ga["items"][0]["code"];
  Json item = http_request(port(), "GET", "/api/v1/items/" + other).json();
  auto r = call("GET", "/api/v1/admin/items/" + other + "/versions/1", editor_);
  ASSERT_EQ(r.status, 200);
  auto refused = call("PUT", "/api/v1/admin/items/" + other, editor_, r.json()["data"]);
  EXPECT_EQ(refused.status, 403);
  // A draft that changes the item's basic code is a different item: refused with the field.
  Json mine = data(1);
  mine["basic_code"] = "ZZZZZZZZZZZZ";
  auto moved = call("PUT", "/api/v1/admin/items/" + code_, editor_, mine);
  EXPECT_EQ(moved.status, 422);
  EXPECT_EQ(moved.json()["error"]["details"]["problems"][0]["field"], "basic_code");
  std::string citizen = log_in(port(), "13800000001", kDemoPassword);
  EXPECT_EQ(call("PUT", "/api/v1/admin/items/" + code_, citizen, data(1)).status, 403);
  EXPECT_EQ(count("SELECT count(*) FROM item_versions WHERE version > 1"), 0);
}

TEST_F(CatalogAdmin, ImportValidatesEverythingFirstAndWritesNothingWhenAnyItemIsBad) {
  Json good = data(1);
  good["basic_code"] = "T00000000001";
  good["name"] = "测试事项（导入）";
  Json bad = good;
  bad["basic_code"] = "short";
  bad["materials"][0]["form"] = "photo";
  Json also_bad = good;
  also_bad["basic_code"] = "T00000000002";
  also_bad.erase("complaint");
  std::int64_t items_before = count("SELECT count(*) FROM items"), versions_before = count("SELECT count(*) FROM item_versions");

  auto refused = call("POST", "/api/v1/admin/items/import", editor_, Json::array({good, bad}));
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.json()["error"]["code"], "ITEM_INVALID");
  auto listed = refused.json()["error"]["details"]["items"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["index"], 1);
  std::set<std::string> fields;
  for (const auto& p : listed[0]["problems"]) fields.insert(p["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"basic_code", "materials[0].form"}));
  // Publishing on import also checks completeness; an editor may not publish at all.
  EXPECT_EQ(call("POST", "/api/v1/admin/items/import?publish=true", editor_, Json::array({good})).status, 403);
  std::string admin = log_in(port(), "admin", kDemoPassword, kDemoTotpSecret);
  auto incomplete = call("POST", "/api/v1/admin/items/import?publish=true", admin, Json::array({good, also_bad}));
  EXPECT_EQ(incomplete.status, 422);
  EXPECT_EQ(incomplete.json()["error"]["details"]["items"][0]["problems"][0]["field"], "complaint");
  EXPECT_EQ(call("POST", "/api/v1/admin/items/import", editor_, Json::array({good, good})).status, 422);
  EXPECT_EQ(count("SELECT count(*) FROM items"), items_before);
  EXPECT_EQ(count("SELECT count(*) FROM item_versions"), versions_before);

  auto imported = call("POST", "/api/v1/admin/items/import", editor_, Json::array({good}));
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(imported.json()["created"], 1);
  EXPECT_EQ(count("SELECT count(*) FROM items"), items_before + 1);
  // A draft is not public yet.
  auto search = http_request(port(), "GET", "/api/v1/items?q=" + std::string("%E6%B5%8B%E8%AF%95%E4%BA%8B%E9%A1%B9"));
  Json results = search.json();
  for (const auto& i : results["items"]) EXPECT_NE(i["basic_code"], "T00000000001");

  auto exported = call("GET", "/api/v1/admin/items/export", editor_);
  ASSERT_EQ(exported.status, 200);
  EXPECT_GE(exported.json().size(), 250u);
}

TEST_F(CatalogAdmin, RetiredItemsLeaveSearchButTheirGuideStaysReadable) {
  Json guide = http_request(port(), "GET", "/api/v1/items/" + code_).json();
  std::string name = guide["name"];
  auto found = [&] {
    Json body = http_request(port(), "GET", "/api/v1/items?limit=50&q=" + url_encode(name)).json();
    for (const auto& i : body["items"])
      if (i["code"] == code_) return true;
    return false;
  };
  ASSERT_TRUE(found());
  EXPECT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/retire", editor_).status, 403);
  ASSERT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/retire", reviewer_).status, 200);
  EXPECT_FALSE(found());
  auto still = http_request(port(), "GET", "/api/v1/items/" + code_);
  EXPECT_EQ(still.status, 200);
  EXPECT_EQ(still.json()["status"], "retired");
  EXPECT_EQ(call("POST", "/api/v1/admin/items/" + code_ + "/retire", reviewer_).status, 409);
}

TEST(CatalogPublic, GuidesDepartmentsScenariosThemesFiltersAndFacets) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  ServerProcess server(db.url());
  int port = server.port();
  EXPECT_EQ(http_request(port, "GET", "/api/v1/items/nope").json()["error"]["code"], "ITEM_NOT_FOUND");
  EXPECT_EQ(http_request(port, "GET", "/api/v1/departments/NOPE").status, 404);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/scenarios/NOPE").status, 404);

  Json departments = http_request(port, "GET", "/api/v1/departments?division=341502").json();
  ASSERT_FALSE(departments["items"].empty());
  for (const auto& d : departments["items"]) EXPECT_EQ(d["division_code"].get<std::string>().substr(0, 6), "341502");

  // Filters: everything found under 霍山县 lies in its subtree, and the facets add up.
  Json huoshan = http_request(port, "GET", "/api/v1/items?division=341525&limit=100&facets=true").json();
  EXPECT_TRUE(huoshan["total_exact"].get<bool>());
  ASSERT_FALSE(huoshan["items"].empty());
  for (const auto& i : huoshan["items"]) EXPECT_EQ(i["division_code"].get<std::string>().substr(0, 6), "341525");
  std::size_t by_type = 0;
  for (auto& [type, n] : huoshan["facets"]["type"].items()) by_type += n.get<std::size_t>();
  EXPECT_EQ(by_type, huoshan["total"].get<std::size_t>());
  // Without facets the answer has none, and its total may be an estimate.
  Json plain = http_request(port, "GET", "/api/v1/items?division=341525&limit=5").json();
  EXPECT_TRUE(plain["facets"].empty());
  EXPECT_EQ(plain["items"].size(), 5u);
  EXPECT_GE(plain["total"].get<std::size_t>(), 5u);
  Json licences = http_request(port, "GET", "/api/v1/items?type=1&object=legal_person&limit=100").json();
  for (const auto& i : licences["items"]) EXPECT_EQ(i["type"], 1);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/items?limit=0").status, 422);
  // "Did you mean": a misspelt query gets a suggestion that itself finds something.
  Json typo = http_request(port, "GET", "/api/v1/items?q=" + url_encode("身分证")).json();
  ASSERT_TRUE(typo["suggestion"].is_string()) << typo.dump();
  EXPECT_FALSE(http_request(port, "GET", "/api/v1/items?q=" + url_encode(typo["suggestion"].get<std::string>()))
                   .json()["items"]
                   .empty());

  Json scenarios = http_request(port, "GET", "/api/v1/scenarios").json();
  ASSERT_GE(scenarios["items"].size(), 6u);
  Json restaurant = http_request(port, "GET", "/api/v1/scenarios/" + scenarios["items"][0]["code"].get<std::string>()).json();
  ASSERT_GE(restaurant["items"].size(), 2u);
  std::set<std::string> materials;
  for (const auto& m : restaurant["materials"]) {
    std::string key = m["licence_type"].is_string() ? "licence:" + m["licence_type"].get<std::string>() : m["name"].get<std::string>();
    EXPECT_TRUE(materials.insert(key).second) << "asked twice: " << key;
  }
  Json themes = http_request(port, "GET", "/api/v1/themes").json();
  EXPECT_GE(themes["natural_person"].size(), 12u);
  EXPECT_GE(themes["legal_person"].size(), 5u);
}

}  // namespace
}  // namespace tb::testing

namespace tb::testing {
namespace {

TEST_F(CatalogAdmin, ExcelExportAndSynonymsTakeEffectAtOnce) {
  auto xlsx = call("GET", "/api/v1/admin/items/export.xlsx", editor_);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  // A zip (xlsx) with its worksheet: local header first, central directory naming the sheet.
  EXPECT_EQ(xlsx.body.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_NE(xlsx.body.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_NE(xlsx.body.find(std::string("PK\x05\x06", 4)), std::string::npos);
  EXPECT_GT(xlsx.body.size(), 20000u);

  auto before = http_request(port(), "GET", "/api/v1/items?q=" + url_encode("整点薯条"));
  Json none = before.json();
  EXPECT_TRUE(none["items"].empty());
  Json synonyms = call("GET", "/api/v1/admin/catalog/synonyms", editor_).json();
  synonyms["整点薯条"] = Json::array({"食品经营许可"});
  EXPECT_EQ(call("PUT", "/api/v1/admin/catalog/synonyms", editor_, synonyms).status, 403);
  EXPECT_EQ(call("PUT", "/api/v1/admin/catalog/synonyms", reviewer_, Json{{"坏", Json::array()}}).status, 422);
  ASSERT_EQ(call("PUT", "/api/v1/admin/catalog/synonyms", reviewer_, synonyms).status, 200);
  Json after = http_request(port(), "GET", "/api/v1/items?q=" + url_encode("整点薯条")).json();
  std::set<std::string> codes;
  for (const auto& i : after["items"]) codes.insert(i["basic_code"]);
  EXPECT_TRUE(codes.count("000117001000")) << after.dump().substr(0, 400);
}

}  // namespace
}  // namespace tb::testing

namespace tb::testing {
namespace {

TEST(CatalogCli, ReindexRebuildsTheSearchIndexFromTheDatabase) {
  TestDatabase db;
  TempDir data;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url(), "--data-dir", data.path().string()}, &out), 0) << out;
  // Seeding writes the database only; the index is built by serve or reindex.
  EXPECT_FALSE(std::filesystem::exists(data.path() / "search"));
  ASSERT_EQ(run_tongban({"reindex", "--db", db.url(), "--data-dir", data.path().string()}, &out), 0) << out;
  auto at = out.find("search index: ");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_GE(std::stoi(out.substr(at + 14)), 150) << out;
  EXPECT_TRUE(std::filesystem::exists(data.path() / "search"));
}

}  // namespace
}  // namespace tb::testing
