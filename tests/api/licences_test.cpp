// Licences over HTTP: issuance by staff and from an approved case (once), the GB/T 36904
// identifier, the signature checked with nothing but the openssl command line, every state
// change allowed and refused, tampering / a revoked seal / expiry / an unauthorised signer
// each detected with its own reason, the wallet with authorisations, and a held licence
// standing in for a material. Both engines.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/ids.h"
#include "crypto/crypto.h"
#include "http/http.h"
#include "core/licence_id.h"
#include "store/db.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;



const std::string kZhangId = std::string("34150219900101001") + ids::resident_check_char("34150219900101001");

class LicencesApi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string out;
    ASSERT_EQ(run_tongban({"seed", "--db", db_.url()}, &out), 0) << out;
    server_ = std::make_unique<ServerProcess>(db_.url(), std::vector<std::string>{"--no-access-log"},
                                              std::map<std::string, std::string>{{"TONGBAN_NOW", "2026-03-02T09:00:00+08:00"}});
    direct_ = store::Db::open(db_.url(), {.size = 1});
    police_ = log_in(port(), "approver02", kDemoPassword);
    zhang_ = log_in(port(), "13800000001", kDemoPassword);
  }
  int port() const { return server_->port(); }
  std::int64_t count(const std::string& sql) {
    return direct_->read([&](store::Conn& c) { return c.query(sql).at(0).i64(0); });
  }
  std::string text(const std::string& sql) {
    return direct_->read([&](store::Conn& c) { return c.query(sql).at(0).text(0); });
  }
  HttpResponse post(const std::string& token, const std::string& path, const Json& body) {
    return http_request(port(), "POST", path, body.dump(), bearer(token));
  }
  HttpResponse get(const std::string& token, const std::string& path) {
    return http_request(port(), "GET", path, "", token.empty() ? std::map<std::string, std::string>{} : bearer(token));
  }
  // 特种行业许可证 for 六安宾馆, by the police (GA).
  std::string issue_hotel_licence() {
    auto res = post(police_, "/api/v1/licences",
                    {{"type", "特种行业许可证"},
                     {"holder", {{"uscc", "91341500MA2N0001XH"}, {"name", "六安宾馆"}}},
                     {"data", {{"company_name", "六安宾馆"}, {"rooms", 30}}}});
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json().value("licence_id", "");
  }
  std::string issue_identity_card() {
    auto res = post(police_, "/api/v1/licences",
                    {{"type", "居民身份证"}, {"holder", {{"id_number", kZhangId}, {"name", "张三"}}}, {"data", Json::object()}});
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json().value("licence_id", "");
  }
  HttpResponse act(const std::string& token, const std::string& id, const Json& body) {
    return post(token, "/api/v1/licences/" + id + "/actions", body);
  }

  TestDatabase db_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<store::Db> direct_;
  std::string police_, zhang_;
};

TEST_F(LicencesApi, AnIssuedLicenceVerifiesWithPlainOpenssl) {
  std::string id = issue_hotel_licence();
  auto parts = ids::check_licence_identifier(id);
  ASSERT_TRUE(parts) << id << ": " << parts.error().message;
  EXPECT_EQ(parts->type_code, text("SELECT code FROM licence_types WHERE name = '特种行业许可证'"));
  EXPECT_EQ(parts->issuer_code, text("SELECT uscc FROM departments WHERE code = 'GA'"));
  EXPECT_EQ(parts->serial, "20260000001");
  EXPECT_EQ(parts->version, 1);

  auto res = get(police_, "/api/v1/licences/" + id + "/signature");
  ASSERT_EQ(res.status, 200) << res.body;
  Json s = res.json();
  fs::path dir = fs::temp_directory_path() / ("tb-licence-" + crypto::random_hex(6));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  write("payload.json", s["payload"]);
  write("to_sign.der", *crypto::base64_decode(s["to_sign"].get<std::string>()));
  write("value.der", *crypto::base64_decode(s["signature_value"].get<std::string>()));
  write("cert.pem", s["certificate"]);
  write("ca.pem", s["ca_certificate"]);
  std::string out;
  // 1. The seal's certificate comes from the platform's seal CA.
  EXPECT_EQ(run_command("cd " + dir.string() + " && openssl verify -vfyopt distid:1234567812345678 -CAfile ca.pem cert.pem", &out), 0) << out;
  // 2. The SM2 signature over the to-be-signed structure.
  out.clear();
  EXPECT_EQ(run_command("cd " + dir.string() + " && openssl x509 -in cert.pem -pubkey -noout > pub.pem && openssl dgst -sm3 "
                "-verify pub.pem -sigopt distid:1234567812345678 -signature value.der to_sign.der", &out), 0) << out;
  EXPECT_NE(out.find("Verified OK"), std::string::npos) << out;
  // 3. The structure carries the SM3 of exactly this payload.
  out.clear();
  ASSERT_EQ(run_command("cd " + dir.string() + " && openssl dgst -sm3 -r payload.json", &out), 0) << out;
  std::string digest = out.substr(0, 64);
  EXPECT_EQ(digest, s["data_hash"]);
  EXPECT_EQ(digest, s["payload_sm3"]);
  std::string tbs = *crypto::base64_decode(s["to_sign"].get<std::string>());
  EXPECT_NE(crypto::to_hex(tbs).find(digest), std::string::npos);
  // `tongban verify licence FILE` does the same checks offline, and names the one that fails.
  std::string file = write("signature.json", s.dump());
  std::string cli_out;
  EXPECT_EQ(run_tongban({"verify", "licence", file, "--ca", (dir / "ca.pem").string()}, &cli_out), 0) << cli_out;
  EXPECT_NE(cli_out.find("\"valid\": true"), std::string::npos) << cli_out;
  Json forged = s;
  forged["payload"] = s["payload"].get<std::string>() + " ";
  cli_out.clear();
  EXPECT_EQ(run_tongban({"verify", "licence", write("forged.json", forged.dump())}, &cli_out), 4) << cli_out;
  EXPECT_NE(cli_out.find("document_hash"), std::string::npos) << cli_out;
  EXPECT_EQ(run_tongban({"verify", "licence", write("junk.json", "{}")}, &cli_out), 2);
  fs::remove_all(dir);
  // The payload is canonical JSON: keys sorted, no spaces; it names the holder in full.
  Json payload = Json::parse(s["payload"].get<std::string>());
  EXPECT_EQ(payload.dump(), s["payload"]);
  EXPECT_EQ(payload["holder"]["id"], "91341500MA2N0001XH");

  // Anyone can check it; each look-up is logged.
  Json v = get("", "/api/v1/licences/" + id + "/verify").json();
  EXPECT_EQ(v["authentic"], true) << v;
  EXPECT_EQ(v["status"], "valid");
  EXPECT_EQ(v["signature"]["seal_name"], "六安市公安局行政审批专用章");
  EXPECT_EQ(count("SELECT count(*) FROM licence_verifications WHERE result = 'valid'"), 1);
  EXPECT_EQ(get("", "/api/v1/licences/1.2.156.3005.2.X.Y.1.001.0/verify").status, 404);
  // Someone else cannot read the signed payload.
  EXPECT_EQ(get(log_in(port(), "approver01", kDemoPassword), "/api/v1/licences/" + id + "/signature").status, 404);
}

TEST_F(LicencesApi, TheDocumentReadsInChineseAndItsQrCodeLeadsToVerification) {
  std::string id = issue_hotel_licence();
  auto res = get(police_, "/api/v1/licences/" + id + "/pdf");
  ASSERT_EQ(res.status, 200) << res.body.substr(0, 300);
  EXPECT_EQ(res.header("content-type"), "application/pdf");
  ASSERT_TRUE(res.body.starts_with("%PDF-"));
  EXPECT_EQ(count("SELECT count(*) FROM licences WHERE pdf_sm3 IS NOT NULL"), 1);  // rendered at issuance, stored once
  fs::path dir = fs::temp_directory_path() / ("tb-pdf-" + crypto::random_hex(6));
  fs::create_directories(dir);
  std::ofstream(dir / "licence.pdf", std::ios::binary) << res.body;
  std::string text;
  ASSERT_EQ(run_command("pdftotext -enc UTF-8 " + (dir / "licence.pdf").string() + " -", &text), 0) << text;
  for (const char* want : {"特种行业许可证", "六安宾馆", "91341500MA2N0001XH", "六安市公安局", "客房数", "有效期限"})
    EXPECT_NE(text.find(want), std::string::npos) << want << " not in:\n" << text;
  std::string qr;
  ASSERT_EQ(run_command("cd " + dir.string() + " && pdftoppm -r 150 -png licence.pdf page && zbarimg --quiet --raw page-1.png", &qr), 0) << qr;
  EXPECT_NE(qr.find("/verify/" + id), std::string::npos) << qr;
  fs::remove_all(dir);
  EXPECT_EQ(get(zhang_, "/api/v1/licences/" + id + "/pdf").status, 404);  // not 张三's
}

TEST_F(LicencesApi, EachKindOfForgeryOrLapseHasItsOwnReason) {
  std::string a = issue_hotel_licence(), b = issue_hotel_licence();
  // Tampered: a's record now carries b's signature (a valid signature over another payload).
  direct_->write([&](store::Conn& c) {
    c.exec("UPDATE licences SET signature = (SELECT signature FROM licences WHERE licence_id = ?) WHERE licence_id = ?", {b, a});
  });
  Json tampered = get("", "/api/v1/licences/" + a + "/verify").json();
  EXPECT_EQ(tampered["authentic"], false);
  EXPECT_EQ(tampered["signature"]["failed"], "document_hash") << tampered;

  // Expired: five years on, a 5-year licence is past its end date (its signature still holds).
  auto moved = http_request(port(), "POST", "/api/v1/admin/clock", Json{{"now", "2031-03-03T09:00:00+08:00"}}.dump());
  ASSERT_EQ(moved.status, 200);
  Json expired = get("", "/api/v1/licences/" + b + "/verify").json();
  EXPECT_EQ(expired["status"], "expired") << expired;
  EXPECT_EQ(expired["authentic"], true);
  ASSERT_EQ(http_request(port(), "POST", "/api/v1/admin/clock", Json{{"now", "2026-03-02T10:00:00+08:00"}}.dump()).status, 200);
  police_ = log_in(port(), "approver02", kDemoPassword);  // five years ended the session

  // An unauthorised signer: the police approver loses the seal, and can issue nothing.
  std::string es = text("SELECT es_id FROM seals WHERE department = 'GA' AND type = 2");
  std::string approver = text("SELECT CAST(id AS TEXT) FROM accounts WHERE staff_no = 'approver02'");
  std::string admin = log_in(port(), "admin", kDemoPassword, kDemoTotpSecret);
  ASSERT_EQ(http_request(port(), "DELETE", "/api/v1/admin/seals/" + es + "/users/" + approver, "", bearer(admin)).status, 200);
  std::int64_t before = count("SELECT count(*) FROM licences");
  auto refused = post(police_, "/api/v1/licences",
                      {{"type", "特种行业许可证"}, {"holder", {{"uscc", "91341500MA2N0001XH"}, {"name", "六安宾馆"}}}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.json()["error"]["code"], "SEAL_NOT_AUTHORISED");
  EXPECT_EQ(count("SELECT count(*) FROM licences"), before);

  // A revoked seal: the police report their seal lost; what it signed no longer verifies.
  auto lost = post(admin, "/api/v1/admin/seals/" + es + "/actions", {{"action", "report_lost"}, {"reason", "印章介质丢失"}});
  ASSERT_EQ(lost.status, 200) << lost.body;
  Json revoked = get("", "/api/v1/licences/" + b + "/verify").json();
  EXPECT_EQ(revoked["authentic"], false);
  EXPECT_EQ(revoked["signature"]["failed"], "seal_revoked") << revoked;
}

TEST_F(LicencesApi, StateChangesAreCheckedAuditedAndSignedAnew) {
  std::string id = issue_hotel_licence();
  EXPECT_EQ(act(police_, id, {{"action", "suspend"}}).status, 422);  // a reason is required
  EXPECT_EQ(act(police_, id, {{"action", "fly"}, {"reason", "x"}}).status, 422);
  auto other_dept = act(log_in(port(), "approver01", kDemoPassword), id, {{"action", "suspend"}, {"reason", "x"}});
  EXPECT_EQ(other_dept.status, 403);
  EXPECT_EQ(other_dept.json()["error"]["code"], "LICENCE_FORBIDDEN");
  EXPECT_EQ(act(police_, id, {{"action", "resume"}}).status, 409);  // not suspended
  ASSERT_EQ(act(police_, id, {{"action", "suspend"}, {"reason", "整改期间暂停"}}).status, 200);
  EXPECT_EQ(act(police_, id, {{"action", "suspend"}, {"reason", "again"}}).status, 409);
  // The new signature is over a payload that says "suspended", and it verifies.
  Json v = get("", "/api/v1/licences/" + id + "/verify").json();
  EXPECT_EQ(v["status"], "suspended");
  EXPECT_EQ(v["authentic"], true) << v;
  Json signed_payload = Json::parse(get(police_, "/api/v1/licences/" + id + "/signature").json()["payload"].get<std::string>());
  EXPECT_EQ(signed_payload["state"], "suspended");
  EXPECT_EQ(signed_payload["state_reason"], "整改期间暂停");
  ASSERT_EQ(act(police_, id, {{"action", "resume"}}).status, 200);
  // Replacement: a new version with the same serial, the old one replaced.
  auto replaced = act(police_, id, {{"action", "replace"}, {"reason", "客房数变更"}, {"data", {{"rooms", 45}}}});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  std::string next = replaced.json()["replaced_by"]["licence_id"];
  auto parts = ids::check_licence_identifier(next);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->version, 2);
  EXPECT_EQ(replaced.json()["replaced_by"]["data"]["rooms"], 45);
  EXPECT_EQ(get("", "/api/v1/licences/" + id + "/verify").json()["status"], "replaced");
  EXPECT_EQ(act(police_, id, {{"action", "revoke"}, {"reason", "x"}}).status, 409);
  ASSERT_EQ(act(police_, next, {{"action", "revoke"}, {"reason", "申请人申请注销"}}).status, 200);
  EXPECT_EQ(act(police_, next, {{"action", "resume"}}).status, 409);
  EXPECT_EQ(get("", "/api/v1/licences/" + next + "/verify").json()["status"], "revoked");
  // issue, suspend, resume, replace (which issues version 2 in the same record), revoke
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action LIKE 'licence.%'"), 5);
}

TEST_F(LicencesApi, AnApprovedCaseYieldsItsLicenceExactlyOnce) {
  // A hotel case, approved in parallel by police and fire, decided by the police.
  std::string clerk = log_in(port(), "clerk01", kDemoPassword), fire = log_in(port(), "fire01", kDemoPassword);
  std::string hotel = text("SELECT impl_code FROM items WHERE basic_code = '000101009000' AND department_code = 'GA'");
  Json materials = Json::array();
  for (const char* name : {"特种行业许可证申请登记表", "营业执照", "经营场所房屋产权证明或者租赁合同", "法定代表人（负责人）居民身份证",
                           "场所平面图及安全防范设施配置说明"}) {
    auto up = http_request(port(), "POST", "/api/v1/uploads?name=a.pdf", std::string("%PDF-1.7 ") + name,
                           bearer(zhang_, {{"Content-Type", "application/octet-stream"}}));
    ASSERT_EQ(up.status, 201) << up.body;
    materials.push_back({{"name", name}, {"upload", up.json()["id"]}});
  }
  auto filed = post(zhang_, "/api/v1/cases",
                    {{"item", hotel},
                     {"form", {{"company_name", "六安宾馆"}, {"uscc", "91341500MA2N0001XH"}, {"rooms", 30}, {"beds", 40},
                               {"address", "六安市金安区梅山南路1号"}}},
                     {"materials", materials}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  std::string no = filed.json()["case_no"];
  auto step = [&](const std::string& token, const Json& body) {
    auto r = post(token, "/api/v1/cases/" + no + "/actions", body);
    ASSERT_EQ(r.status, 200) << r.body;
  };
  step(clerk, {{"action", "accept"}});
  step(police_, {{"action", "complete_step"}, {"step", "review"}, {"outcome", "approve"}});
  step(fire, {{"action", "complete_step"}, {"step", "fire"}, {"outcome", "approve"}});
  step(police_, {{"action", "complete_step"}, {"step", "decide"}, {"outcome", "approve"}, {"opinion", "准予许可"}});

  for (int i = 0; i < 3; ++i)  // however often the outbox is read
    ASSERT_EQ(http_request(port(), "POST", "/api/v1/admin/test/consumers/run").json()["caught_up"], true);
  EXPECT_EQ(count("SELECT count(*) FROM licences WHERE case_no = '" + no + "'"), 1);
  EXPECT_EQ(count("SELECT position FROM licence_consumer"), count("SELECT max(id) FROM case_events"));
  Json wallet = get(zhang_, "/api/v1/me/licences").json();
  ASSERT_EQ(wallet["items"].size(), 1u) << wallet;
  EXPECT_EQ(wallet["items"][0]["case_no"], no);
  EXPECT_EQ(wallet["items"][0]["type"]["name"], "特种行业许可证");
  EXPECT_EQ(wallet["items"][0]["holder"]["name"], "六安宾馆");
  EXPECT_EQ(wallet["items"][0]["data"]["rooms"], 30);
  std::string id = wallet["items"][0]["licence_id"];
  EXPECT_EQ(get("", "/api/v1/licences/" + id + "/verify").json()["authentic"], true);
}

TEST_F(LicencesApi, TheWalletAuthorisesUseAndALicenceReplacesAMaterial) {
  std::string card = issue_identity_card();
  Json wallet = get(zhang_, "/api/v1/me/licences").json();
  ASSERT_EQ(wallet["items"].size(), 1u);
  EXPECT_EQ(wallet["items"][0]["holder"]["id"], "3415**********0017");
  EXPECT_EQ(get(log_in(port(), "13800000002", kDemoPassword), "/api/v1/licences/" + card).status, 404);

  auto granted = post(zhang_, "/api/v1/me/licences/" + card + "/grants", {{"department", "六安市市场监督管理局"}});
  ASSERT_EQ(granted.status, 201) << granted.body;
  std::string grant = std::to_string(granted.json()["id"].get<std::int64_t>());
  EXPECT_EQ(get(zhang_, "/api/v1/licences/" + card).json()["grants"][0]["department"], "SCJG");
  EXPECT_EQ(http_request(port(), "DELETE", "/api/v1/me/licences/" + card + "/grants/" + grant, "", bearer(zhang_)).status, 200);
  EXPECT_EQ(http_request(port(), "DELETE", "/api/v1/me/licences/" + card + "/grants/" + grant, "", bearer(zhang_)).status, 404);

  // 减证便民: the hotel application takes the held ID card instead of an upload.
  std::string hotel = text("SELECT impl_code FROM items WHERE basic_code = '000101009000' AND department_code = 'GA'");
  Json materials = Json::array();
  for (const char* name : {"特种行业许可证申请登记表", "营业执照", "经营场所房屋产权证明或者租赁合同", "场所平面图及安全防范设施配置说明"}) {
    auto up = http_request(port(), "POST", "/api/v1/uploads?name=a.pdf", "%PDF-1.7 x",
                           bearer(zhang_, {{"Content-Type", "application/octet-stream"}}));
    materials.push_back({{"name", name}, {"upload", up.json()["id"]}});
  }
  Json app = {{"item", hotel},
              {"form", {{"company_name", "六安宾馆"}, {"uscc", "91341500MA2N0001XH"}, {"rooms", 30}, {"beds", 40},
                        {"address", "六安市金安区梅山南路1号"}}},
              {"materials", materials}};
  // Not replaceable by a licence: the application form itself.
  Json wrong = app;
  wrong["materials"][0] = {{"name", "特种行业许可证申请登记表"}, {"licence", card}};
  wrong["materials"].push_back({{"name", "法定代表人（负责人）居民身份证"}, {"licence", card}});
  auto refused = post(zhang_, "/api/v1/cases", wrong);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.json()["error"]["details"]["problems"][0]["problem"], "not_replaceable") << refused.body;
  app["materials"].push_back({{"name", "法定代表人（负责人）居民身份证"}, {"licence", card}});
  auto filed = post(zhang_, "/api/v1/cases", app);
  ASSERT_EQ(filed.status, 201) << filed.body;
  std::string no = filed.json()["case_no"];
  Json c = get(zhang_, "/api/v1/cases/" + no).json();
  bool used = false;
  for (const auto& m : c["materials"])
    if (m["source"] == "licence") used = m["licence"] == card + "@1";
  EXPECT_TRUE(used) << c["materials"];
  // Someone else's licence, or one no longer valid, does not count.
  ASSERT_EQ(act(police_, card, {{"action", "revoke"}, {"reason", "证件作废"}}).status, 200);
  auto stale = post(zhang_, "/api/v1/cases", app);
  EXPECT_EQ(stale.status, 422);
  EXPECT_EQ(stale.json()["error"]["details"]["problems"][0]["problem"], "licence_invalid") << stale.body;
}

TEST_F(LicencesApi, ACompanysLicenceServesItsAgentsAndFillsTheForm) {
  std::string market = log_in(port(), "approver01", kDemoPassword);
  auto issued = post(market, "/api/v1/licences",
                     {{"type", "营业执照"},
                      {"holder", {{"uscc", "91341500MA2N0001XH"}, {"name", "六安皖西示范科技有限公司"}}},
                      {"data", {{"company_name", "六安皖西示范科技有限公司"}, {"company_type", "有限责任公司（自然人投资或控股）"},
                                {"capital", 100}, {"division", "341502"}}}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  std::string id = issued.json()["licence_id"];
  EXPECT_TRUE(id.find(".11100000000013338W011.") != std::string::npos) << id;  // 营业执照's real type code
  // Bad data is refused field by field, and nothing is issued.
  auto bad = post(market, "/api/v1/licences",
                  {{"type", "营业执照"}, {"holder", {{"uscc", "91341500MA2N0001XA"}, {"name", ""}}}, {"data", {{"capital", "many"}}}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["error"]["details"]["problems"].size(), 3u) << bad.body;
  EXPECT_EQ(count("SELECT count(*) FROM licences"), 1);

  // 张三, the company's legal representative, sees it while acting for the company.
  EXPECT_TRUE(get(zhang_, "/api/v1/me/licences").json()["items"].empty());
  ASSERT_EQ(post(zhang_, "/api/v1/me/acting-for", {{"uscc", "91341500MA2N0001XH"}}).status, 200);
  Json wallet = get(zhang_, "/api/v1/me/licences").json();
  ASSERT_EQ(wallet["items"].size(), 1u) << wallet;
  EXPECT_EQ(wallet["items"][0]["licence_id"], id);

  // The hotel application names the licence for 营业执照 and leaves the name to it.
  std::string hotel = text("SELECT impl_code FROM items WHERE basic_code = '000101009000' AND department_code = 'GA'");
  Json materials = Json::array();
  for (const char* name : {"特种行业许可证申请登记表", "经营场所房屋产权证明或者租赁合同", "法定代表人（负责人）居民身份证",
                           "场所平面图及安全防范设施配置说明"}) {
    auto up = http_request(port(), "POST", "/api/v1/uploads?name=a.pdf", "%PDF-1.7 x",
                           bearer(zhang_, {{"Content-Type", "application/octet-stream"}}));
    materials.push_back({{"name", name}, {"upload", up.json()["id"]}});
  }
  materials.push_back({{"name", "营业执照"}, {"licence", id}});
  auto filed = post(zhang_, "/api/v1/cases",
                    {{"item", hotel},
                     {"form", {{"uscc", "91341500MA2N0001XH"}, {"rooms", 30}, {"beds", 40}, {"address", "六安市金安区梅山南路1号"}}},
                     {"materials", materials}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  Json c = get(zhang_, "/api/v1/cases/" + filed.json()["case_no"].get<std::string>()).json();
  EXPECT_EQ(c["form"]["company_name"], "六安皖西示范科技有限公司") << c["form"];
}

}  // namespace
}  // namespace tb::testing
