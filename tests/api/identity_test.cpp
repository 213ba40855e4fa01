// Identity and audit properties that need more than a scenario: what the database file
// holds, tampering with the audit log, and every role against every route.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "store/db.h"
#include "support/fake_provider.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}


TEST(PersonalData, PlaintextIdNumbersAndPhonesAreNowhereInTheDatabaseFile) {
  TestDatabase db("sqlite");
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  {
    ServerProcess server(db.url());
    // Use the data so it passes through every table that might keep a copy (sessions, audit).
    std::string token = log_in(server.port(), "341502199001010017", kDemoPassword);
    EXPECT_EQ(http_request(server.port(), "GET", "/api/v1/me", "", bearer(token)).status, 200);
    log_in(server.port(), "13800000002", kDemoPassword);
    EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/auth/login",
                           R"({"login": "341522198503030035", "password": "wrong-Password-1"})")
                  .status,
              401);
  }
  std::string path = db.url().substr(7);
  // The WAL is checkpointed into the main file when the last connection closes; read both anyway.
  std::string bytes = read_all(path) + read_all(path + "-wal");
  ASSERT_GT(bytes.size(), 10000u);
  for (const char* secret : {"341502199001010017", "341503199202020023", "341522198503030035", "13800000001",
                             "13800000002", "13800000003"})
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " is stored in clear";
  // The masked forms are there: the check is looking at the right file.
  EXPECT_NE(bytes.find("3415**********0017"), std::string::npos);
}

TEST(Audit, TamperingIsDetectedAndNamed) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  {
    ServerProcess server(db.url());
    for (int i = 0; i < 3; ++i) log_in(server.port(), "13800000001", kDemoPassword);
    std::string auditor = log_in(server.port(), "auditor01", kDemoPassword);
    auto v = http_request(server.port(), "GET", "/api/v1/audit/verify", "", bearer(auditor));
    ASSERT_EQ(v.status, 200) << v.body;
    EXPECT_EQ(v.json()["intact"], true);
    EXPECT_GE(v.json()["checked"], 5);
    auto log = http_request(server.port(), "GET", "/api/v1/audit?action=auth.login&limit=2", "", bearer(auditor));
    ASSERT_EQ(log.status, 200);
    EXPECT_EQ(log.json()["items"].size(), 2u);
    EXPECT_EQ(log.json()["items"][0]["actor_name"], "周静");  // newest first: the auditor's own login
    // Administrators do not read the audit log (separation of duties).
    std::string admin = log_in(server.port(), "admin", kDemoPassword, kDemoTotpSecret);
    auto refused = http_request(server.port(), "GET", "/api/v1/audit", "", bearer(admin));
    EXPECT_EQ(refused.status, 403);
  }
  ASSERT_EQ(run_tongban({"verify", "audit", "--db", db.url()}, &out), 0) << out;
  EXPECT_NE(out.find("audit chain intact"), std::string::npos) << out;

  auto direct = store::Db::open(db.url(), {.size = 1});
  // Change one record's outcome: the chain breaks exactly there.
  direct->write([](store::Conn& c) { c.exec("UPDATE audit_log SET outcome = 'failure' WHERE id = 3"); });
  EXPECT_EQ(run_tongban({"verify", "audit", "--db", db.url()}, &out), 3);
  EXPECT_NE(out.find("broken at record 3"), std::string::npos) << out;
  direct->write([](store::Conn& c) { c.exec("UPDATE audit_log SET outcome = 'success' WHERE id = 3"); });
  ASSERT_EQ(run_tongban({"verify", "audit", "--db", db.url()}, &out), 0) << out;

  // Remove a record in the middle, then the last one.
  direct->write([](store::Conn& c) { c.exec("DELETE FROM audit_log WHERE id = 2"); });
  EXPECT_EQ(run_tongban({"verify", "audit", "--db", db.url()}, &out), 3);
  EXPECT_NE(out.find("broken at record 3"), std::string::npos) << out;
}

TEST(Audit, RemovingTheLastRecordIsDetected) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  {
    ServerProcess server(db.url());
    log_in(server.port(), "13800000001", kDemoPassword);
  }
  auto direct = store::Db::open(db.url(), {.size = 1});
  direct->write([](store::Conn& c) { c.exec("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)"); });
  EXPECT_EQ(run_tongban({"verify", "audit", "--db", db.url()}, &out), 3);
  EXPECT_NE(out.find("链尾"), std::string::npos) << out;
}

TEST(Login, ManyFailuresFromOneAddressAreThrottled) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  ServerProcess server(db.url());
  // Different unknown accounts, so no single account locks: the per-address limit (50 in
  // 10 minutes) is what stops the 51st.
  int last = 0;
  for (int i = 0; i < 51; ++i) {
    Json body{{"login", "1390000" + std::to_string(1000 + i)}, {"password", "Guess-123456"}};
    last = http_request(server.port(), "POST", "/api/v1/auth/login", body.dump()).status;
    if (i < 50) {
      ASSERT_EQ(last, 401) << "attempt " << i;
    }
  }
  EXPECT_EQ(last, 429);
  // The right password from the same address is refused too while throttled.
  auto r = http_request(server.port(), "POST", "/api/v1/auth/login",
                        Json{{"login", "13800000001"}, {"password", kDemoPassword}}.dump());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.json()["error"]["code"], "RATE_LIMITED");
}

// Every role against every route: a route answers 403 FORBIDDEN exactly when the role
// lacks its permission. The expected table is written out here, apart from the code's.
TEST(Permissions, EveryRoleAgainstEveryRoute) {
  const std::map<std::string, std::set<std::string>> expected{
      {"citizen", {"companies.manage"}},
      {"window_clerk",
       {"accounts.verify", "cases.handle", "evaluations.handle", "supervision.reply", "supervision.alerts",
        "service_events.record"}},
      {"approver", {"cases.handle", "licences.issue", "evaluations.handle", "supervision.reply", "supervision.alerts"}},
      {"department_admin", {"staff.manage", "items.edit", "seals.apply", "supervision.reply", "supervision.alerts"}},
      {"catalog_reviewer", {"items.review", "items.edit"}},
      {"supervisor", {"supervision.read", "supervision.manage", "evaluations.decide"}},
      {"hall_manager", {}},
      {"hotline_operator", {"evaluations.record"}},
      {"auditor", {"audit.read"}},
      {"platform_admin",
       {"staff.manage", "roles.manage", "calendar.manage", "outbox.read", "oidc.manage", "items.edit", "items.review",
        "exchange.read", "seals.apply", "supervision.read"}},
  };
  const std::map<std::string, std::pair<std::string, std::string>> accounts{
      {"citizen", {"13800000001", ""}},        {"window_clerk", {"clerk01", ""}},
      {"approver", {"approver01", ""}},        {"department_admin", {"deptadmin01", kDemoTotpSecret}},
      {"supervisor", {"supervisor01", ""}},    {"hall_manager", {"hall01", ""}},
      {"hotline_operator", {"hotline01", ""}}, {"auditor", {"auditor01", ""}},
      {"catalog_reviewer", {"reviewer01", ""}},
      {"platform_admin", {"admin", kDemoTotpSecret}},
  };
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  ServerProcess server(db.url());
  Json doc = http_request(server.port(), "GET", "/api/v1/openapi.json").json();
  int checked = 0;
  for (const auto& [role, login] : accounts) {
    std::string token = log_in(server.port(), login.first, kDemoPassword, login.second);
    for (auto& [path, ops] : doc["paths"].items()) {
      for (auto& [method, op] : ops.items()) {
        std::string permission = op.value("x-permission", "");
        if (permission == "public" || permission == "session" || permission == "authenticated") continue;
        if (path.rfind("/api/v1/auth/logout", 0) == 0) continue;
        std::string target = path;
        for (auto at = target.find('{'); at != std::string::npos; at = target.find('{'))
          target.replace(at, target.find('}', at) - at + 1, "0");
        std::string upper = method;
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        auto res = http_request(server.port(), upper, target, upper == "GET" || upper == "DELETE" ? "" : "{}",
                                bearer(token));
        bool forbidden = res.status == 403 && res.json()["error"]["code"] == "FORBIDDEN" &&
                         res.json()["error"]["details"].value("permission", "") == permission;
        bool may = expected.at(role).count(permission) > 0;
        EXPECT_EQ(forbidden, !may) << role << " " << upper << " " << target << " (" << permission << ") → " << res.status
                                   << " " << res.body;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 10 * 10);
}

}  // namespace
}  // namespace tb::testing

namespace tb::testing {
namespace {

TEST(FaceVerification, RaisesAnL2PersonToL3OnlyWhenTheProviderMatches) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  FakeProvider provider;
  ServerProcess server(db.url(), {"--face-verifier-url", provider.url("/verify")});
  std::string image = R"({"image_base64": "/9j/4AAQSkZJRgABAQ=="})";

  // 王五 is only L1.
  std::string wangwu = log_in(server.port(), "13800000003", kDemoPassword);
  auto r = http_request(server.port(), "POST", "/api/v1/me/face-verification", image, bearer(wangwu));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.json()["error"]["code"], "REAL_NAME_LEVEL_REQUIRED");
  EXPECT_TRUE(provider.received().empty()) << "the provider was asked for someone not yet L2";

  std::string zhangsan = log_in(server.port(), "13800000001", kDemoPassword);
  provider.answer(200, {{"match", false}, {"score", 0.31}});
  r = http_request(server.port(), "POST", "/api/v1/me/face-verification", image, bearer(zhangsan));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(http_request(server.port(), "GET", "/api/v1/me", "", bearer(zhangsan)).json()["real_name_level"], 2);

  provider.answer(200, {{"match", true}, {"score", 0.97}});
  r = http_request(server.port(), "POST", "/api/v1/me/face-verification", image, bearer(zhangsan));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["real_name_level"], 3);
  // The provider got the contract's fields: the person's name, ID number and the image.
  auto sent = provider.received();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["name"], "张三");
  EXPECT_EQ(sent[1]["id_number"], "341502199001010017");
  EXPECT_EQ(sent[1]["image_base64"], "/9j/4AAQSkZJRgABAQ==");

  r = http_request(server.port(), "POST", "/api/v1/me/face-verification", R"({"image_base64": "not base64!"})",
                   bearer(zhangsan));
  EXPECT_EQ(r.status, 422);

  // A provider that fails is a clear 503, and nothing changes.
  provider.answer(500, {{"oops", true}});
  std::string lisi = log_in(server.port(), "13800000002", kDemoPassword);
  r = http_request(server.port(), "POST", "/api/v1/me/face-verification", image, bearer(lisi));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.json()["error"]["code"], "UNAVAILABLE");
  EXPECT_EQ(http_request(server.port(), "GET", "/api/v1/me", "", bearer(lisi)).json()["real_name_level"], 2);
}

TEST(FaceVerification, WithoutAProviderTheServiceSaysSo) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
  ServerProcess unconfigured(db.url());
  std::string zhangsan = log_in(unconfigured.port(), "13800000001", kDemoPassword);
  auto r = http_request(unconfigured.port(), "POST", "/api/v1/me/face-verification", R"({"image_base64": "AAAA"})",
                        bearer(zhangsan));
  EXPECT_EQ(r.status, 503);
  unconfigured.terminate();
  // Configured, but nothing listens there.
  ServerProcess unreachable(db.url(), {"--face-verifier-url", "http://127.0.0.1:" + std::to_string(free_port()) + "/v"});
  zhangsan = log_in(unreachable.port(), "13800000001", kDemoPassword);
  r = http_request(unreachable.port(), "POST", "/api/v1/me/face-verification", R"({"image_base64": "AAAA"})",
                   bearer(zhangsan));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.json()["error"]["code"], "UNAVAILABLE");
}

TEST(CreateAdmin, MakesThePlatformAdministratorFromTheCommandLine) {
  TestDatabase db;
  std::string out;
  EXPECT_EQ(run_tongban({"admin", "create-admin", "--db", db.url(), "--name", "刘备", "--staff-no", "root",
                         "--password", "weak"},
                        &out),
            2);
  EXPECT_NE(out.find("WEAK_PASSWORD"), std::string::npos) << out;
  ASSERT_EQ(run_tongban({"admin", "create-admin", "--db", db.url(), "--name", "刘备", "--staff-no", "root"}, &out,
                        {{"TONGBAN_ADMIN_PASSWORD", "First-admin-2026"}}),
            0)
      << out;
  EXPECT_EQ(run_tongban({"admin", "create-admin", "--db", db.url(), "--name", "刘备", "--staff-no", "root",
                         "--password", "First-admin-2026"},
                        &out),
            2);
  EXPECT_NE(out.find("ACCOUNT_EXISTS"), std::string::npos) << out;
  ServerProcess server(db.url());
  auto login = http_request(server.port(), "POST", "/api/v1/auth/login",
                            R"({"login": "root", "password": "First-admin-2026"})");
  ASSERT_EQ(login.status, 200) << login.body;
  // An administrator must bind a second factor before anything else.
  EXPECT_EQ(login.json()["mfa_enrollment_required"], true);
  auto staff = http_request(server.port(), "GET", "/api/v1/admin/staff", "", bearer(login.json()["token"]));
  EXPECT_EQ(staff.json()["error"]["code"], "MFA_ENROLLMENT_REQUIRED");
}

}  // namespace
}  // namespace tb::testing
