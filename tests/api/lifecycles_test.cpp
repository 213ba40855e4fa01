// Every transition of the seal lifecycle and the licence states, allowed and refused, from
// a table written here apart from the code's: each (state, action) pair is tried on its own
// seal or licence; a refusal is 409 and changes nothing.
#include <gtest/gtest.h>

#include <set>

#include "store/db.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

class Lifecycles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string out;
    ASSERT_EQ(run_tongban({"seed", "--db", db_.url()}, &out), 0) << out;
    server_ = std::make_unique<ServerProcess>(db_.url(), std::vector<std::string>{"--no-access-log"},
                                              std::map<std::string, std::string>{{"TONGBAN_NOW", "2026-03-02T09:00:00+08:00"}});
    admin_ = log_in(port(), "admin", kDemoPassword, kDemoTotpSecret);
    police_ = log_in(port(), "approver02", kDemoPassword);
  }
  int port() const { return server_->port(); }
  HttpResponse post(const std::string& token, const std::string& path, const Json& body) {
    return http_request(port(), "POST", path, body.dump(), bearer(token));
  }
  Json body_of(const std::string& action) {
    if (action == "review") return {{"action", "review"}, {"approve", true}};
    return {{"action", action}, {"reason", "测试"}};
  }

  TestDatabase db_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_, police_;
};

TEST_F(Lifecycles, EverySealTransitionAllowedAndRefused) {
  const std::vector<std::string> actions{"review", "make", "record", "issue", "suspend", "resume", "report_lost", "destroy"};
  const std::map<std::string, std::vector<Json>> paths{
      {"applied", {}},
      {"approved", {{{"action", "review"}, {"approve", true}}}},
      {"rejected", {{{"action", "review"}, {"approve", false}, {"reason", "材料不全"}}}},
      {"made", {{{"action", "review"}, {"approve", true}}, {{"action", "make"}}}},
      {"recorded", {{{"action", "review"}, {"approve", true}}, {{"action", "make"}}, {{"action", "record"}}}},
      {"issued", {{{"action", "review"}, {"approve", true}}, {{"action", "make"}}, {{"action", "record"}}, {{"action", "issue"}}}},
      {"suspended", {{{"action", "review"}, {"approve", true}}, {{"action", "make"}}, {{"action", "record"}}, {{"action", "issue"}},
                     {{"action", "suspend"}, {"reason", "x"}}}},
      {"lost", {{{"action", "review"}, {"approve", true}}, {{"action", "make"}}, {{"action", "record"}}, {{"action", "issue"}},
                {{"action", "report_lost"}, {"reason", "x"}}}},
      {"destroyed", {{{"action", "destroy"}, {"reason", "x"}}}},
  };
  // (state, action) → the state it leads to; every pair not listed is refused.
  const std::map<std::pair<std::string, std::string>, std::string> allowed{
      {{"applied", "review"}, "approved"},     {{"approved", "make"}, "made"},
      {{"made", "record"}, "recorded"},        {{"recorded", "issue"}, "issued"},
      {{"issued", "suspend"}, "suspended"},    {{"suspended", "resume"}, "issued"},
      {{"issued", "report_lost"}, "lost"},     {{"suspended", "report_lost"}, "lost"},
      {{"applied", "destroy"}, "destroyed"},   {{"approved", "destroy"}, "destroyed"},
      {{"rejected", "destroy"}, "destroyed"},  {{"made", "destroy"}, "destroyed"},
      {{"recorded", "destroy"}, "destroyed"},  {{"issued", "destroy"}, "destroyed"},
      {{"suspended", "destroy"}, "destroyed"}, {{"lost", "destroy"}, "destroyed"},
  };
  int tried = 0, refused = 0;
  for (const auto& [state, path] : paths)
    for (const auto& action : actions) {
      auto applied = post(admin_, "/api/v1/admin/seals", {{"department", "WL"}, {"type", 3}, {"name", "测试章"}});
      ASSERT_EQ(applied.status, 201) << applied.body;
      std::string es = applied.json()["es_id"];
      for (const auto& step : path) ASSERT_EQ(post(admin_, "/api/v1/admin/seals/" + es + "/actions", step).status, 200) << state;
      auto res = post(admin_, "/api/v1/admin/seals/" + es + "/actions", body_of(action));
      auto after = http_request(port(), "GET", "/api/v1/admin/seals/" + es, "", bearer(admin_)).json();
      auto it = allowed.find({state, action});
      ++tried;
      if (it != allowed.end()) {
        EXPECT_EQ(res.status, 200) << state << " + " << action << ": " << res.body;
        EXPECT_EQ(after["state"], it->second) << state << " + " << action;
      } else {
        ++refused;
        EXPECT_EQ(res.status, 409) << state << " + " << action << ": " << res.body;
        EXPECT_EQ(res.json()["error"]["code"], "SEAL_TRANSITION_INVALID") << state << " + " << action;
        EXPECT_EQ(after["state"], state) << state << " + " << action << " changed the seal";
      }
    }
  EXPECT_EQ(tried, 72);
  EXPECT_EQ(refused, 72 - 16);
}

TEST_F(Lifecycles, EveryLicenceStateChangeAllowedAndRefused) {
  const std::vector<std::string> actions{"suspend", "resume", "revoke", "replace"};
  auto issue = [&] {
    auto res = post(police_, "/api/v1/licences",
                    {{"type", "特种行业许可证"}, {"holder", {{"uscc", "91341500MA2N0001XH"}, {"name", "六安宾馆"}}}});
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json().value("licence_id", "");
  };
  const std::map<std::string, std::vector<std::string>> paths{
      {"valid", {}}, {"suspended", {"suspend"}}, {"revoked", {"revoke"}}, {"replaced", {"replace"}}};
  const std::map<std::pair<std::string, std::string>, std::string> allowed{
      {{"valid", "suspend"}, "suspended"}, {{"suspended", "resume"}, "valid"}, {{"valid", "revoke"}, "revoked"},
      {{"suspended", "revoke"}, "revoked"}, {{"valid", "replace"}, "replaced"}};
  auto status_of = [&](const std::string& id) {
    return http_request(port(), "GET", "/api/v1/licences/" + id + "/verify").json()["status"].get<std::string>();
  };
  for (const auto& [state, path] : paths)
    for (const auto& action : actions) {
      std::string id = issue();
      for (const auto& step : path) ASSERT_EQ(post(police_, "/api/v1/licences/" + id + "/actions", body_of(step)).status, 200);
      ASSERT_EQ(status_of(id), state);
      auto res = post(police_, "/api/v1/licences/" + id + "/actions", body_of(action));
      auto it = allowed.find({state, action});
      if (it != allowed.end()) {
        EXPECT_EQ(res.status, 200) << state << " + " << action << ": " << res.body;
        EXPECT_EQ(status_of(id), it->second);
      } else {
        EXPECT_EQ(res.status, 409) << state << " + " << action << ": " << res.body;
        EXPECT_EQ(res.json()["error"]["code"], "LICENCE_TRANSITION_INVALID");
        EXPECT_EQ(status_of(id), state) << state << " + " << action << " changed the licence";
      }
    }
  // Expired (by date, computed): nothing more can be done with it.
  std::string old = issue();
  ASSERT_EQ(http_request(port(), "POST", "/api/v1/admin/clock", Json{{"now", "2031-03-10T09:00:00+08:00"}}.dump()).status, 200);
  police_ = log_in(port(), "approver02", kDemoPassword);
  ASSERT_EQ(status_of(old), "expired");
  for (const auto& action : actions) {
    auto res = post(police_, "/api/v1/licences/" + old + "/actions", body_of(action));
    EXPECT_EQ(res.status, 409) << "expired + " << action << ": " << res.body;
    EXPECT_EQ(status_of(old), "expired");
  }
}

}  // namespace
}  // namespace tb::testing
