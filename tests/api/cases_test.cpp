// Cases over HTTP, the parts a scenario file cannot show: many threads at once (optimistic
// locking, parallel branches joining once, case numbers and idempotency under concurrency),
// scenarios (一件事), filing at the window, immediate items, refusal, withdrawal, drafts,
// material files, extensions and the progress query's throttle. Both engines.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/ids.h"
#include "http/http.h"
#include "store/db.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;


// A valid value for each field type of a form schema (the applicant is 张三).
Json fill_form(const Json& fields) {
  Json form = Json::object();
  for (const auto& f : fields) {
    std::string type = f.value("type", "text"), name = f["name"];
    if (type == "number") form[name] = f.contains("min") ? f["min"] : Json(1);
    else if (type == "boolean") form[name] = true;
    else if (type == "date") form[name] = "2026-01-05";
    else if (type == "select") form[name] = f["options"][0];
    else if (type == "id_number") form[name] = std::string("34150219900101001") + ids::resident_check_char("34150219900101001");
    else if (type == "uscc") form[name] = "91341500MA2N0001XH";
    else if (type == "phone") form[name] = "13800000001";
    else if (type == "division") form[name] = "341502";
    else form[name] = "测试";
  }
  return form;
}

class CasesApi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string out;
    ASSERT_EQ(run_tongban({"seed", "--db", db_.url()}, &out), 0) << out;
    // Monday 2 March 2026, a working day.
    server_ = std::make_unique<ServerProcess>(db_.url(), std::vector<std::string>{"--no-access-log"},
                                              std::map<std::string, std::string>{{"TONGBAN_NOW", "2026-03-02T09:00:00+08:00"}});
    direct_ = store::Db::open(db_.url(), {.size = 1});
    zhang_ = log_in(port(), "13800000001", kDemoPassword);
    clerk_ = log_in(port(), "clerk01", kDemoPassword);
    police_ = log_in(port(), "approver02", kDemoPassword);
    fire_ = log_in(port(), "fire01", kDemoPassword);
    hotel_ = query("SELECT impl_code FROM items WHERE basic_code = '000101009000' AND department_code = 'GA'");
  }

  int port() const { return server_->port(); }
  std::string query(const std::string& sql) {
    return direct_->read([&](store::Conn& c) { return c.query(sql).at(0).text(0); });
  }
  std::int64_t count(const std::string& sql) {
    return direct_->read([&](store::Conn& c) { return c.query(sql).at(0).i64(0); });
  }

  std::int64_t upload(const std::string& token, const std::string& name, const std::string& bytes) {
    auto res = http_request(port(), "POST", "/api/v1/uploads?name=" + http::percent_encode(name), bytes,
                            bearer(token, {{"Content-Type", "application/octet-stream"}}));
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json()["id"];
  }

  Json hotel_application(const std::string& token) {
    Json materials = Json::array();
    for (const char* name : {"特种行业许可证申请登记表", "营业执照", "经营场所房屋产权证明或者租赁合同",
                             "法定代表人（负责人）居民身份证", "场所平面图及安全防范设施配置说明"})
      materials.push_back({{"name", name}, {"upload", upload(token, std::string(name) + ".pdf", std::string("%PDF-1.7 ") + name)}});
    return {{"item", hotel_},
            {"form", {{"company_name", "六安宾馆"}, {"uscc", "91341500MA2N0001XH"}, {"rooms", 30}, {"beds", 40},
                      {"address", "六安市金安区梅山南路1号"}}},
            {"materials", materials}};
  }

  std::string submit(const Json& app, const std::string& token) {
    auto res = http_request(port(), "POST", "/api/v1/cases", app.dump(), bearer(token));
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json().value("case_no", "");
  }

  HttpResponse act(const std::string& token, const std::string& no, const Json& body,
                   std::optional<std::int64_t> if_match = std::nullopt) {
    std::map<std::string, std::string> headers = bearer(token);
    if (if_match) headers["If-Match"] = "\"" + std::to_string(*if_match) + "\"";
    return http_request(port(), "POST", "/api/v1/cases/" + no + "/actions", body.dump(), headers);
  }

  // A hotel case accepted by the window: the parallel group (police review, fire) is active.
  std::string accepted_hotel_case() {
    std::string no = submit(hotel_application(zhang_), zhang_);
    auto res = act(clerk_, no, {{"action", "accept"}});
    EXPECT_EQ(res.status, 200) << res.body;
    return no;
  }

  TestDatabase db_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<store::Db> direct_;
  std::string zhang_, clerk_, police_, fire_, hotel_;
};

TEST_F(CasesApi, TwoStaffActingAtOnceOneSucceedsTheOthersConflict) {
  std::string no = accepted_hotel_case();
  std::int64_t version = http_request(port(), "GET", "/api/v1/cases/" + no, "", bearer(police_)).json()["version"];
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      // Each asks for the version it saw; the opinions differ so a double write would show.
      auto res = act(police_, no,
                     {{"action", "complete_step"}, {"step", "review"}, {"outcome", "approve"},
                      {"opinion", "意见" + std::to_string(i)}},
                     version);
      if (res.status == 200) ++ok;
      else if (res.status == 409 && res.json()["error"]["code"] == "CASE_CONFLICT") ++conflict;
      else ++other;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, kThreads - 1);
  EXPECT_EQ(other, 0);
  std::string id = query("SELECT id FROM cases WHERE case_no = '" + no + "'");
  EXPECT_EQ(count("SELECT count(*) FROM case_events WHERE type = 'step.completed' AND case_id = " + id), 1);
  EXPECT_EQ(count("SELECT version FROM cases WHERE id = " + id), version + 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'case.complete_step' AND target = 'case:" + no + "'"), 1);
}

TEST_F(CasesApi, ParallelBranchesFinishingAtOnceJoinExactlyOnce) {
  constexpr int kCases = 6;
  std::vector<std::string> cases;
  for (int i = 0; i < kCases; ++i) cases.push_back(accepted_hotel_case());
  for (const auto& no : cases) {
    HttpResponse police, fire;
    std::thread a([&] { police = act(police_, no, {{"action", "complete_step"}, {"step", "review"}, {"outcome", "approve"}}); });
    std::thread b([&] { fire = act(fire_, no, {{"action", "complete_step"}, {"step", "fire"}, {"outcome", "approve"}}); });
    a.join();
    b.join();
    // Without If-Match a lost race is retried on the fresh state: both departments succeed.
    EXPECT_EQ(police.status, 200) << police.body;
    EXPECT_EQ(fire.status, 200) << fire.body;
    std::string id = query("SELECT id FROM cases WHERE case_no = '" + no + "'");
    EXPECT_EQ(count("SELECT count(*) FROM case_events WHERE type = 'workflow.joined' AND case_id = " + id), 1) << no;
    EXPECT_EQ(count("SELECT count(*) FROM case_tasks WHERE step_key = 'decide' AND case_id = " + id), 1) << no;
    EXPECT_EQ(count("SELECT count(*) FROM case_tasks WHERE case_id = " + id), 1) << no;
  }
}

TEST_F(CasesApi, CaseNumbersStayUniqueUnderConcurrentSubmission) {
  Json app = hotel_application(zhang_);
  constexpr int kThreads = 6, kEach = 5;
  std::vector<std::thread> threads;
  std::mutex m;
  std::set<std::string> numbers;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto res = http_request(port(), "POST", "/api/v1/cases", app.dump(), bearer(zhang_));
        ASSERT_EQ(res.status, 201) << res.body;
        std::lock_guard lock(m);
        numbers.insert(res.json()["case_no"].get<std::string>());
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(numbers.size(), std::size_t(kThreads * kEach));
  // One sequence per code and day, without gaps: …0001 to …0030.
  EXPECT_EQ(*numbers.begin(), hotel_ + "202603020001");
  EXPECT_EQ(*numbers.rbegin(), hotel_ + "202603020030");
}

TEST_F(CasesApi, TheSameIdempotencyKeyFromManyThreadsFilesOneCase) {
  Json app = hotel_application(zhang_);
  std::vector<std::thread> threads;
  std::mutex m;
  std::set<std::string> numbers;
  std::atomic<int> created{0};
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      auto res = http_request(port(), "POST", "/api/v1/cases", app.dump(), bearer(zhang_, {{"Idempotency-Key", "k-1"}}));
      if (res.status == 201) ++created;
      std::lock_guard lock(m);
      numbers.insert(res.json().value("case_no", res.body));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created, 6);
  EXPECT_EQ(numbers.size(), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM cases"), 1);
}

TEST_F(CasesApi, AScenarioFilesAParentAndOneChildPerItem) {
  Json scenario = http_request(port(), "GET", "/api/v1/scenarios/YJS-TX").json();
  Json materials = Json::array();
  for (const auto& m : scenario["materials"])
    if (m.value("required", false))
      materials.push_back({{"name", m["name"]}, {"upload", upload(zhang_, "m.pdf", "%PDF-1.7 " + m["name"].get<std::string>())}});
  // A name sent by the client is not trusted: the parent is named from the catalogue.
  Json app = {{"scenario", "YJS-TX"}, {"scenario_name", "伪造的名称"},
              {"form", fill_form(scenario["form"]["fields"])}, {"materials", materials}};
  auto res = http_request(port(), "POST", "/api/v1/cases", app.dump(), bearer(zhang_));
  ASSERT_EQ(res.status, 201) << res.body;
  Json body = res.json();
  ASSERT_EQ(body["children"].size(), scenario["items"].size());
  std::string parent = body["case_no"];
  EXPECT_TRUE(parent.starts_with("YJS-TX20260302")) << parent;
  // Each child goes to its own department with only its own form fields.
  for (const auto& child : body["children"]) {
    Json c = http_request(port(), "GET", "/api/v1/cases/" + child["case_no"].get<std::string>(), "", bearer(zhang_)).json();
    EXPECT_EQ(c["parent_case_no"], parent);
    EXPECT_EQ(c["status"], "submitted");
  }
  // One progress view for the applicant: the parent lists the children.
  Json view = http_request(port(), "GET", "/api/v1/cases/" + parent, "", bearer(zhang_)).json();
  EXPECT_EQ(view["children"].size(), scenario["items"].size());
  Json mine = http_request(port(), "GET", "/api/v1/me/cases", "", bearer(zhang_)).json();
  ASSERT_EQ(mine["items"].size(), 1u);  // the parent only
  auto on_parent = act(clerk_, parent, {{"action", "accept"}});
  EXPECT_EQ(on_parent.status, 409);
  EXPECT_EQ(on_parent.json()["error"]["code"], "CASE_TRANSITION_INVALID");
  auto progress = http_request(port(), "GET", "/api/v1/progress?case_no=" + parent + "&name=" + http::percent_encode("张三"));
  ASSERT_EQ(progress.status, 200) << progress.body;
  EXPECT_EQ(progress.json()["children"].size(), scenario["items"].size());
  EXPECT_EQ(progress.json()["item_name"], scenario["name"]);
}

TEST_F(CasesApi, TheWindowFilesForAWalkInApplicant) {
  Json app = hotel_application(clerk_);
  auto missing = http_request(port(), "POST", "/api/v1/cases", app.dump(), bearer(clerk_));
  EXPECT_EQ(missing.status, 422) << missing.body;
  app["applicant"] = {{"id_number", "34150219990909999X"}};
  auto unknown = http_request(port(), "POST", "/api/v1/cases", app.dump(), bearer(clerk_));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.json()["error"]["code"], "ACCOUNT_NOT_FOUND");
  EXPECT_EQ(count("SELECT count(*) FROM cases"), 0);

  std::string li_id17 = "34150319920202002";  // 李四, as the seed makes him
  app["applicant"] = {{"id_number", li_id17 + ids::resident_check_char(li_id17)}};
  auto filed = http_request(port(), "POST", "/api/v1/cases", app.dump(), bearer(clerk_));
  ASSERT_EQ(filed.status, 201) << filed.body;
  std::string no = filed.json()["case_no"];
  EXPECT_EQ(query("SELECT channel FROM cases WHERE case_no = '" + no + "'"), "window");
  std::string li_token = log_in(port(), "13800000002", kDemoPassword);
  Json mine = http_request(port(), "GET", "/api/v1/me/cases", "", bearer(li_token)).json();
  ASSERT_EQ(mine["items"].size(), 1u);
  EXPECT_EQ(mine["items"][0]["case_no"], no);
}

TEST_F(CasesApi, AnImmediateItemIsDecidedAtAcceptance) {
  std::string code = query("SELECT impl_code FROM items WHERE name = '出生登记' AND department_code = 'GA'");
  Json guide = http_request(port(), "GET", "/api/v1/items/" + code).json();
  Json materials = Json::array();
  for (const auto& m : guide["materials"])
    if (m.value("required", false)) materials.push_back({{"name", m["name"]}, {"upload", upload(zhang_, "a.pdf", "%PDF-1.7 x")}});
  std::string no = submit({{"item", code}, {"form", fill_form(guide["form"]["fields"])}, {"materials", materials}}, zhang_);
  auto res = act(clerk_, no, {{"action", "accept"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json()["status"], "decided_approved");
  EXPECT_EQ(res.json()["events"], Json::parse(R"(["case.accepted", "case.decided"])"));
}

TEST_F(CasesApi, RefusalNeedsReasonAndLegalBasisAndWithdrawalCancelsSteps) {
  std::string no = submit(hotel_application(zhang_), zhang_);
  auto bare = act(clerk_, no, {{"action", "refuse"}});
  EXPECT_EQ(bare.status, 422);
  EXPECT_EQ(bare.json()["error"]["details"]["problems"].size(), 2u);
  EXPECT_EQ(count("SELECT count(*) FROM case_events"), 1);  // only the submission
  auto refused = act(clerk_, no, {{"action", "refuse"}, {"reason", "不属于本机关职权范围"}, {"legal_basis", "《行政许可法》第三十二条第一款第（二）项"}});
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(act(clerk_, no, {{"action", "close"}}).status, 200);

  std::string other = accepted_hotel_case();
  auto withdrawn = act(zhang_, other, {{"action", "withdraw"}, {"reason", "不再经营"}});
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  std::string id = query("SELECT id FROM cases WHERE case_no = '" + other + "'");
  EXPECT_EQ(count("SELECT count(*) FROM case_events WHERE type = 'step.cancelled' AND case_id = " + id), 2);
  // Off the departments' lists; only the window's closing task remains.
  EXPECT_EQ(query("SELECT step_key FROM case_tasks WHERE case_id = " + id), "close");
  Json police_todo = http_request(port(), "GET", "/api/v1/workbench/tasks", "", bearer(police_)).json();
  EXPECT_TRUE(police_todo["items"].empty()) << police_todo;
}

TEST_F(CasesApi, ExtensionsAddWorkingDaysUpToTheLegalCap) {
  std::string no = accepted_hotel_case();  // 10 working days from Monday 2 March → 16 March
  Json before = http_request(port(), "GET", "/api/v1/cases/" + no, "", bearer(police_)).json();
  EXPECT_EQ(before["deadline"], "2026-03-16");
  auto too_long = act(police_, no, {{"action", "extend"}, {"days", 16}, {"reason", "需组织专家论证"}});
  EXPECT_EQ(too_long.status, 422);  // joint handling (police + fire): at most 15
  auto ok = act(police_, no, {{"action", "extend"}, {"days", 5}, {"reason", "需组织专家论证"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  Json after = http_request(port(), "GET", "/api/v1/cases/" + no, "", bearer(police_)).json();
  EXPECT_EQ(after["deadline"], "2026-03-23");
  EXPECT_EQ(after["limits"]["case"]["limit_days"], 15);
}

TEST_F(CasesApi, MaterialFilesAreServedToThoseWithAPartInTheCase) {
  std::string no = accepted_hotel_case();
  Json c = http_request(port(), "GET", "/api/v1/cases/" + no, "", bearer(police_)).json();
  std::string id = std::to_string(c["materials"][0]["id"].get<std::int64_t>());
  auto file = http_request(port(), "GET", "/api/v1/cases/" + no + "/materials/" + id + "/file", "", bearer(police_));
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, "%PDF-1.7 特种行业许可证申请登记表");
  EXPECT_EQ(file.header("content-type"), "application/pdf");
  EXPECT_EQ(file.header("x-content-sm3"), c["materials"][0]["sm3"]);
  // Market supervision has no part in it; another citizen does not learn it exists.
  auto market = http_request(port(), "GET", "/api/v1/cases/" + no + "/materials/" + id + "/file", "",
                             bearer(log_in(port(), "approver01", kDemoPassword)));
  EXPECT_EQ(market.status, 403);
  auto li = http_request(port(), "GET", "/api/v1/cases/" + no, "", bearer(log_in(port(), "13800000002", kDemoPassword)));
  EXPECT_EQ(li.status, 404);
}

TEST_F(CasesApi, DraftsAreSavedResumedAndConsumedBySubmission) {
  Json app = hotel_application(zhang_);
  auto saved = http_request(port(), "POST", "/api/v1/me/drafts", Json{{"item", hotel_}, {"form", {{"rooms", 3}}}}.dump(), bearer(zhang_));
  ASSERT_EQ(saved.status, 201) << saved.body;
  std::int64_t id = saved.json()["id"];
  auto updated = http_request(port(), "PUT", "/api/v1/me/drafts/" + std::to_string(id), app.dump(), bearer(zhang_));
  ASSERT_EQ(updated.status, 200) << updated.body;
  auto other = http_request(port(), "GET", "/api/v1/me/drafts/" + std::to_string(id), "", bearer(log_in(port(), "13800000002", kDemoPassword)));
  EXPECT_EQ(other.status, 404);
  app["draft"] = id;
  submit(app, zhang_);
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/me/drafts/" + std::to_string(id), "", bearer(zhang_)).status, 404);
}

TEST_F(CasesApi, GuessingAtTheProgressQueryIsThrottled) {
  std::string no = submit(hotel_application(zhang_), zhang_);
  std::string name = http::percent_encode("张三");
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/progress?case_no=" + no + "&name=" + name).status, 200);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(http_request(port(), "GET", "/api/v1/progress?case_no=" + no + "X&name=" + name).status, 404);
  auto blocked = http_request(port(), "GET", "/api/v1/progress?case_no=" + no + "&name=" + name);
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(blocked.json()["error"]["code"], "RATE_LIMITED");
}

}  // namespace
}  // namespace tb::testing
