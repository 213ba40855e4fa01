// Statistics from the case outbox: indicators checked against values computed by hand, and
// a consumer killed in the middle of the outbox that resumes without counting twice.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "core/ids.h"
#include "store/db.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

using Json = nlohmann::json;

class StatisticsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string out;
    ASSERT_EQ(run_tongban({"seed", "--db", db_.url()}, &out), 0) << out;
    direct_ = store::Db::open(db_.url(), {.size = 1});
    hotel_ = direct_->read([](store::Conn& c) {
      return c.query("SELECT impl_code FROM items WHERE basic_code = '000101009000' AND department_code = 'GA'").at(0).text(0);
    });
  }
  std::unique_ptr<ServerProcess> start(std::vector<std::string> args = {}) {
    args.push_back("--no-access-log");
    return std::make_unique<ServerProcess>(db_.url(), args,
                                           std::map<std::string, std::string>{{"TONGBAN_NOW", "2026-03-02T09:00:00+08:00"}});
  }
  Json application(int port, const std::string& token) {
    auto up = http_request(port, "POST", "/api/v1/uploads?name=a.pdf", "%PDF-1.7 a",
                           bearer(token, {{"Content-Type", "application/octet-stream"}}));
    Json m = Json::array();
    for (const char* name : {"特种行业许可证申请登记表", "营业执照", "经营场所房屋产权证明或者租赁合同",
                             "法定代表人（负责人）居民身份证", "场所平面图及安全防范设施配置说明"})
      m.push_back({{"name", name}, {"upload", up.json()["id"]}});
    return {{"item", hotel_},
            {"form", {{"company_name", "六安宾馆"}, {"uscc", "91341500MA2N0001XH"}, {"rooms", 30}, {"beds", 40},
                      {"address", "六安市金安区梅山南路1号"}}},
            {"materials", m}};
  }
  std::string submit(int port, const std::string& token, Json app) {
    auto res = http_request(port, "POST", "/api/v1/cases", app.dump(), bearer(token));
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json().value("case_no", "");
  }
  void act(int port, const std::string& token, const std::string& no, const Json& body) {
    auto res = http_request(port, "POST", "/api/v1/cases/" + no + "/actions", body.dump(), bearer(token));
    ASSERT_EQ(res.status, 200) << body << ": " << res.body;
  }
  std::int64_t scalar(const std::string& sql) {
    return direct_->read([&](store::Conn& c) {
      auto rows = c.query(sql);
      return rows.empty() || rows[0].is_null(0) ? std::int64_t(0) : rows[0].i64(0);
    });
  }

  TestDatabase db_;
  std::unique_ptr<store::Db> direct_;
  std::string hotel_;
};

TEST_F(StatisticsApi, IndicatorsMatchValuesComputedByHand) {
  auto server = start();
  int port = server->port();
  std::string zhang = log_in(port, "13800000001", kDemoPassword), clerk = log_in(port, "clerk01", kDemoPassword);
  std::string police = log_in(port, "approver02", kDemoPassword), fire = log_in(port, "fire01", kDemoPassword);
  // Four applications: three online by 张三, one filed at the window for 李四.
  std::string a = submit(port, zhang, application(port, zhang)), b = submit(port, zhang, application(port, zhang)),
              c = submit(port, zhang, application(port, zhang));
  Json walk_in = application(port, clerk);
  walk_in["applicant"] = {{"id_number", std::string("34150319920202002") + ids::resident_check_char("34150319920202002")}};
  std::string d = submit(port, clerk, walk_in);
  // One correction notice (a), three acceptances, one refusal (d), one withdrawal (b).
  act(port, clerk, a, {{"action", "require_correction"}, {"corrections", {{{"material", "营业执照"}, {"reason", "已过期"}}}}});
  act(port, zhang, a, {{"action", "resubmit"}, {"materials", {{{"name", "营业执照"}, {"upload", application(port, zhang)["materials"][0]["upload"]}}}}});
  for (const auto& no : {a, b, c}) act(port, clerk, no, {{"action", "accept"}});
  act(port, clerk, d, {{"action", "refuse"}, {"reason", "不属于受理范围"}, {"legal_basis", "《行政许可法》第三十二条"}});
  act(port, zhang, b, {{"action", "withdraw"}, {"reason", "暂不开业"}});
  // a decided the day it was accepted: 0 of 10 working days. c decided on 20 March, 14 working
  // days after acceptance on 2 March — 4 past its deadline of 16 March.
  auto decide = [&](const std::string& no) {
    act(port, police, no, {{"action", "complete_step"}, {"step", "review"}, {"outcome", "approve"}});
    act(port, fire, no, {{"action", "complete_step"}, {"step", "fire"}, {"outcome", "approve"}});
    act(port, police, no, {{"action", "complete_step"}, {"step", "decide"}, {"outcome", "approve"}});
  };
  decide(a);
  ASSERT_EQ(http_request(port, "POST", "/api/v1/admin/clock", Json{{"now", "2026-03-20T09:00:00+08:00"}}.dump()).status, 200);
  police = log_in(port, "approver02", kDemoPassword);
  fire = log_in(port, "fire01", kDemoPassword);
  decide(c);
  // The visits actually made: a (filed online) is mailed — none; c (online) is collected at
  // the window — one.
  act(port, police, a, {{"action", "deliver"}, {"mode", "mail"}});
  act(port, police, c, {{"action", "deliver"}, {"mode", "window"}});
  ASSERT_EQ(http_request(port, "POST", "/api/v1/admin/test/consumers/run").json()["caught_up"], true);

  Json got = http_request(port, "GET", "/api/v1/statistics/indicators?department=GA").json();
  // The police's 10 catalogue items: 9 online (all 9 fully), 10 at most one visit, 9 with none.
  EXPECT_EQ(got["items"], Json::parse(R"({"total": 10, "online": 9, "online_rate": 0.9, "full_online": 9,
      "full_online_rate": 0.9, "at_most_one_visit": 10, "at_most_one_visit_rate": 1.0, "zero_visit": 9,
      "zero_visit_rate": 0.9})"));
  EXPECT_EQ(got["cases"], Json::parse(R"({"submitted": 4, "by_channel": {"online": 3, "window": 1}, "accepted": 3,
      "corrections": 1, "correction_rate": 0.25, "refused": 1, "withdrawn": 1, "decided": 2, "decided_on_time": 1,
      "decided_late": 1, "on_time_rate": 0.5, "average_workdays_used": 7.0, "average_workdays_promised": 10.0,
      "delivered": 2, "actual_zero_visit_rate": 0.5, "actual_at_most_one_visit_rate": 1.0})"))
      << got["cases"];
  // One item: the hotel licence is every one of these cases.
  Json hotel = http_request(port, "GET", "/api/v1/statistics/indicators?item=" + hotel_).json();
  EXPECT_EQ(hotel["items"]["total"], 1);
  EXPECT_EQ(hotel["cases"], got["cases"]);
  // A period: only what happened on 2 March (the late decision was on the 20th).
  Json day = http_request(port, "GET", "/api/v1/statistics/indicators?department=GA&from=2026-03-02&to=2026-03-02").json();
  EXPECT_EQ(day["cases"]["decided"], 1);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/statistics/indicators?from=2026-13-01").status, 400);

  // By division: the city's bureaus (the police among them) are the city's own row; a county
  // with none of these cases counts only its items; the rows add up to the whole catalogue.
  Json city = http_request(port, "GET", "/api/v1/statistics/indicators?division=341500").json();
  EXPECT_EQ(city["cases"]["submitted"], 4);
  Json jinan = http_request(port, "GET", "/api/v1/statistics/indicators?division=341502").json();
  EXPECT_EQ(jinan["cases"]["submitted"], 0);
  EXPECT_GT(jinan["items"]["total"].get<int>(), 0);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/statistics/indicators?division=34150").status, 422);
  Json divisions = http_request(port, "GET", "/api/v1/statistics/divisions?parent=341500").json();
  ASSERT_GE(divisions["divisions"].size(), 8u);  // the city's own, then its 7 counties and districts
  EXPECT_EQ(divisions["divisions"][0]["division_name"], "六安市本级");
  EXPECT_EQ(divisions["divisions"][0]["cases"]["submitted"], 4);
  std::int64_t division_items = 0;
  for (const auto& row : divisions["divisions"]) {
    division_items += row["items"]["total"].get<std::int64_t>();
    if (row["division"] == "341502") {
      EXPECT_EQ(row["items"], jinan["items"]);
    }
  }
  EXPECT_EQ(division_items, divisions["total"]["items"]["total"].get<std::int64_t>());
  EXPECT_EQ(http_request(port, "GET", "/api/v1/statistics/divisions?parent=999999").status, 404);

  // Every department at once: the police's row is the figure above, and the city's total
  // adds up every department's items (263 in the demo catalogue) and the same 4 cases.
  Json all = http_request(port, "GET", "/api/v1/statistics/departments").json();
  Json police_row;
  std::int64_t items = 0;
  for (const auto& row : all["departments"]) {
    items += row["items"]["total"].get<std::int64_t>();
    if (row["department"] == "GA") police_row = row;
  }
  EXPECT_EQ(police_row["department_name"], "六安市公安局");
  EXPECT_EQ(police_row["items"], got["items"]);
  EXPECT_EQ(police_row["cases"], got["cases"]);
  EXPECT_EQ(all["total"]["items"]["total"], items);
  EXPECT_EQ(items, 263);
  EXPECT_EQ(all["total"]["cases"]["submitted"], 4);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/statistics/departments?to=20260301").status, 400);

  // The same as an Excel workbook: a real xlsx (a zip whose sheet names the city's total and
  // the police with their figures), read back with unzip.
  auto xlsx = http_request(port, "GET", "/api/v1/statistics/indicators.xlsx?from=2026-03-01");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_TRUE(xlsx.body.starts_with("PK"));
  auto dir = fs::temp_directory_path() / ("tongban-xlsx-" + std::to_string(port));
  fs::create_directories(dir);
  std::ofstream(dir / "i.xlsx", std::ios::binary) << xlsx.body;
  std::string strings;
  ASSERT_EQ(run_command("unzip -p " + (dir / "i.xlsx").string() + " xl/sharedStrings.xml", &strings), 0) << strings;
  for (const char* want : {"全市合计", "六安市公安局", "按时办结率", "统计期间：2026-03-01 至 今"})
    EXPECT_NE(strings.find(want), std::string::npos) << want;
  fs::remove_all(dir);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/statistics/indicators.xlsx?from=bad").status, 400);
}

// The "13550" promises from the decisions the consumer records: a case's working days for
// items (public services: 1, real estate: 5), a scenario's slowest child once all are decided
// (opening a business: 3, an industrial construction permit: 50). The consumer's own rows
// come from real cases; the other rows are written here so every category has hand-made values.
TEST_F(StatisticsApi, The13550PromisesAreMeasuredAgainstTheirDays) {
  auto server = start();
  int port = server->port();
  std::string zhang = log_in(port, "13800000001", kDemoPassword), clerk = log_in(port, "clerk01", kDemoPassword);
  std::string a = submit(port, zhang, application(port, zhang));
  act(port, clerk, a, {{"action", "accept"}});
  std::string police = log_in(port, "approver02", kDemoPassword), fire = log_in(port, "fire01", kDemoPassword);
  act(port, police, a, {{"action", "complete_step"}, {"step", "review"}, {"outcome", "approve"}});
  act(port, fire, a, {{"action", "complete_step"}, {"step", "fire"}, {"outcome", "approve"}});
  act(port, police, a, {{"action", "complete_step"}, {"step", "decide"}, {"outcome", "approve"}});
  ASSERT_EQ(http_request(port, "POST", "/api/v1/admin/test/consumers/run").json()["caught_up"], true);
  ASSERT_EQ(http_request(port, "POST", "/api/v1/admin/test/consumers/run").json()["caught_up"], true);
  // The consumer's row for the decided hotel licence, once however often the outbox is read.
  EXPECT_EQ(scalar("SELECT count(*) FROM stat_decisions WHERE case_no = '" + a + "' AND workdays_used = 0 "
                   "AND parent_case_no IS NULL AND day = '2026-03-02'"), 1);

  Json services = http_request(port, "GET", "/api/v1/items?type=20&limit=1").json();
  ASSERT_EQ(services["items"].size(), 1u);
  std::string service = services["items"][0]["code"];
  std::string estate = direct_->read([](store::Conn& c) {
    return c.query("SELECT impl_code FROM items WHERE department_code = 'BDC' ORDER BY impl_code").at(0).text(0);
  });
  direct_->write([&](store::Conn& c) {
    auto row = [&](const std::string& no, const char* parent, const char* scenario, int siblings, const std::string& item,
                   int used) {
      c.exec("INSERT INTO stat_decisions (case_no, parent_case_no, scenario_code, siblings, item_code, department, day, "
             "workdays_used) VALUES (?, ?, ?, ?, ?, 'X', '2026-03-02', ?)",
             {no, parent ? store::Value(std::string(parent)) : store::Value(nullptr),
              scenario ? store::Value(std::string(scenario)) : store::Value(nullptr), siblings, item, used});
    };
    row("S1", nullptr, nullptr, 0, service, 0);
    row("S2", nullptr, nullptr, 0, service, 3);
    row("E1", nullptr, nullptr, 0, estate, 4);
    row("E2", nullptr, nullptr, 0, estate, 5);
    row("E3", nullptr, nullptr, 0, estate, 7);
    int used[] = {1, 2, 2, 0, 1, 1};
    for (int i = 0; i < 6; ++i) row("K1-" + std::to_string(i), "K1", "YJS-KBQY", 6, "k", used[i]);
    for (int i = 0; i < 5; ++i) row("K2-" + std::to_string(i), "K2", "YJS-KBQY", 6, "k", 9);  // one child still open
    for (int i = 0; i < 9; ++i) row("G1-" + std::to_string(i), "G1", "YJS-GYXM", 9, "g", i == 4 ? 48 : 20);
  });
  Json got = http_request(port, "GET", "/api/v1/statistics/indicators?from=2026-03-01").json();
  EXPECT_EQ(got["promises_13550"], Json::parse(R"([
    {"key": "public_service", "name": "公共服务事项", "promised_workdays": 1, "finished": 2, "within_promise": 1,
     "within_promise_rate": 0.5, "average_workdays": 1.5, "longest_workdays": 3},
    {"key": "business_opening", "name": "企业开办", "promised_workdays": 3, "finished": 1, "within_promise": 1,
     "within_promise_rate": 1.0, "average_workdays": 2.0, "longest_workdays": 2},
    {"key": "real_estate", "name": "不动产登记", "promised_workdays": 5, "finished": 3, "within_promise": 2,
     "within_promise_rate": 0.6666666666666666, "average_workdays": 5.333333333333333, "longest_workdays": 7},
    {"key": "industrial_permit", "name": "工业项目施工许可", "promised_workdays": 50, "finished": 1, "within_promise": 1,
     "within_promise_rate": 1.0, "average_workdays": 48.0, "longest_workdays": 48}])")) << got["promises_13550"];
  // Outside the period nothing finished; a department's figures do not carry the city's promises.
  Json later = http_request(port, "GET", "/api/v1/statistics/indicators?from=2026-03-03").json();
  for (const auto& p : later["promises_13550"]) EXPECT_EQ(p["finished"], 0) << p;
  EXPECT_FALSE(http_request(port, "GET", "/api/v1/statistics/indicators?department=GA").json().contains("promises_13550"));
}

TEST_F(StatisticsApi, AConsumerKilledMidStreamResumesWithoutCountingTwice) {
  constexpr int kCases = 30;
  {
    auto server = start({"--consumer-interval-ms", "0"});  // nothing consumed while filing
    std::string zhang = log_in(server->port(), "13800000001", kDemoPassword);
    Json app = application(server->port(), zhang);
    for (int i = 0; i < kCases; ++i) submit(server->port(), zhang, app);
    server->terminate();
  }
  // A long outbox to cut through: the same submissions replayed as 64 × 30 events (the
  // counters do not care that they repeat; the consumer must count each row once).
  for (int i = 0; i < 6; ++i)
    direct_->write([](store::Conn& c) {
      c.exec("INSERT INTO case_events (case_id, type, payload, created_at) "
             "SELECT case_id, type, payload, created_at FROM case_events ORDER BY id");
    });
  std::int64_t last = scalar("SELECT max(id) FROM case_events");
  ASSERT_EQ(last, kCases * 64);
  {
    // One event per transaction, one round a millisecond; killed once a few are counted.
    auto server = start({"--consumer-interval-ms", "1", "--consumer-batch", "1"});
    std::int64_t seen = 0;
    for (int i = 0; i < 5000 && seen < 5; ++i) {
      seen = scalar("SELECT position FROM stat_consumer");
      if (seen < 5) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server->signal(SIGKILL);
    server->wait_exit(5000);
  }
  std::int64_t at_kill = scalar("SELECT position FROM stat_consumer");
  std::int64_t counted = scalar("SELECT sum(value) FROM stat_counters WHERE metric = 'submitted'");
  std::cout << "consumer killed at position " << at_kill << " of " << last << "\n";
  EXPECT_GE(at_kill, 5);
  EXPECT_LT(at_kill, last) << "the kill should land mid-stream";
  EXPECT_EQ(counted, at_kill) << "what was counted is exactly what the position says";
  {
    auto server = start({"--consumer-interval-ms", "0"});
    ASSERT_EQ(http_request(server->port(), "POST", "/api/v1/admin/test/consumers/run").json()["caught_up"], true);
  }
  EXPECT_EQ(scalar("SELECT position FROM stat_consumer"), last);
  EXPECT_EQ(scalar("SELECT sum(value) FROM stat_counters WHERE metric = 'submitted'"), kCases * 64);
}

}  // namespace
}  // namespace tb::testing
