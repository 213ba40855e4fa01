// The seal lifecycle, signing and verification, each step by the right role and audited.
#include <algorithm>
#include <mutex>
#include <set>

#include "crypto/crypto.h"
#include "crypto/sm2.h"
#include "seal/picture.h"
#include "seal/seal.h"
#include "seal/signing.h"
#include "seal/store.h"

namespace tb::seal {
namespace {

// The context the private keys are sealed under: changing it would make every stored key unreadable.
constexpr std::string_view kKeyContext = "seal.private_key";
constexpr EpochMs kDayMs = 86400000;
constexpr EpochMs kDemoSealsFrom = 1704038400000;  // 2024-01-01T00:00:00+08:00

// Seal code: the department's division, the type in two digits, a 6-digit sequence.
std::string next_es_id(store::Conn& c, const std::string& division, int type) {
  std::string prefix = division + (type < 10 ? "0" : "") + std::to_string(type);
  std::string seq = std::to_string(sql::next_seal_number(c, prefix));
  return prefix + std::string(seq.size() < 6 ? 6 - seq.size() : 0, '0') + seq;
}

std::unexpected<Error> not_found(const std::string& es_id) {
  return fail(codes::kSealNotFound, "电子印章不存在", {{"es_id", es_id}});
}

struct Step {
  const char* action;
  std::vector<std::string> from;
  const char* to;
  bool platform_only;  // else the seal's department administrator may too
  bool needs_reason;
};

// The lifecycle as data (review → approved, or rejected when approve is false).
const std::vector<Step>& steps() {
  static const std::vector<Step> table{
      {"review", {"applied"}, "approved", true, false},
      {"make", {"approved"}, "made", true, false},
      {"record", {"made"}, "recorded", true, false},
      {"issue", {"recorded"}, "issued", true, false},
      {"suspend", {"issued"}, "suspended", false, true},
      {"resume", {"suspended"}, "issued", true, false},
      {"report_lost", {"issued", "suspended"}, "lost", false, true},
      {"destroy", {"applied", "approved", "rejected", "made", "recorded", "issued", "suspended", "lost"}, "destroyed",
       true, true},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& seal_type_names() {
  static const std::vector<std::string> names{"公章", "行政审批专用章", "业务专用章", "合同专用章", "财务专用章"};
  return names;
}

std::vector<store::Migration> migrations() { return store::module_migrations("seal", migration_files()); }

struct SealService::Impl {
  store::Db& db;
  const Clock& clock;
  crypto::DataKey key;
  catalog::CatalogService& catalog;
  std::mutex ca_mutex;
  std::optional<std::string> ca_pem;  // cached once created

  // The CA inside a transaction: created with the first seal made.
  sql::CaRow ensure_ca(store::Conn& c) {
    if (auto row = sql::ca(c)) return *row;
    auto ca_key = crypto::Sm2Key::generate();
    EpochMs now = clock.now_ms();
    std::string cert = crypto::issue_certificate(
        ca_key,
        {.common_name = "通办电子印章制章 CA", .organisation = "通办政务服务平台", .not_before = now - kDayMs,
         .not_after = now + 20 * 365 * kDayMs, .ca = true},
        ca_key, "");
    sql::CaRow row{cert, key.seal(ca_key.private_pem(), kKeyContext)};
    sql::insert_ca(c, row, now);
    return *sql::ca(c);  // another node may have won the race: use what is stored
  }

  crypto::Sm2Key open_key(const std::string& sealed) {
    auto pem = key.open(sealed, kKeyContext);
    if (!pem) throw FatalError("a seal key does not open with this data key");
    auto k = crypto::Sm2Key::from_private_pem(*pem);
    if (!k) throw FatalError("a stored seal key is not SM2");
    return std::move(*k);
  }

  // Who may act on seals: platform administrators on all; a department's administrators on
  // their own department's, for what is theirs to do. Resolved before any transaction (the
  // catalogue reads through its own connection).
  struct Authority {
    bool platform = false;
    std::set<std::string> departments;
    bool may(const std::string& department, bool platform_only) const {
      return platform || (!platform_only && departments.contains(department));
    }
  };
  Authority authority(const Principal& p) {
    Authority a{p.has_role("platform_admin"), {}};
    for (const auto& g : p.roles)
      if (g.role == "department_admin" && g.department)
        a.departments.insert(catalog.department_code(*g.department).value_or(*g.department));
    return a;
  }

  Json view(store::Conn& c, const sql::SealRow& s) {
    Json out = {{"es_id", s.es_id},
                {"department", s.department},
                {"type", s.type},
                {"type_name", s.type >= 1 && s.type <= int(seal_type_names().size()) ? seal_type_names()[s.type - 1] : ""},
                {"name", s.name},
                {"state", s.state},
                {"valid_from", format_instant(s.valid_from)},
                {"valid_to", format_instant(s.valid_to)},
                {"version", s.version},
                {"users", sql::users(c, s.id)},
                {"history", sql::events(c, s.id)}};
    if (s.cert_pem) out["certificate"] = *s.cert_pem;
    return out;
  }

  // Key pair, certificate under the CA, picture and the signed SESeal. The department's name
  // is looked up by the caller, before its transaction.
  void make(store::Conn& c, sql::SealRow& s, const std::string& department_name) {
    sql::CaRow ca = ensure_ca(c);
    crypto::Sm2Key ca_key = open_key(ca.key_sealed);
    crypto::Sm2Key seal_key = crypto::Sm2Key::generate();
    s.cert_pem = crypto::issue_certificate(
        seal_key, {.common_name = s.name, .organisation = department_name, .not_before = s.valid_from,
                   .not_after = s.valid_to},
        ca_key, ca.cert_pem);
    s.picture = seal_svg(department_name, seal_type_names()[std::size_t(s.type - 1)]);
    SealInfo info;
    info.es_id = s.es_id;
    info.type = s.type;
    info.name = s.name;
    info.cert_list_der = {crypto::pem_to_der(*s.cert_pem)};
    info.created = clock.now_ms();
    info.valid_from = s.valid_from;
    info.valid_to = s.valid_to;
    info.picture = *s.picture;
    s.seal_der = make_seal(info, ca_key, ca.cert_pem);
    s.key_sealed = key.seal(seal_key.private_pem(), kKeyContext);
  }
};

SealService::SealService(store::Db& db, const Clock& clock, crypto::DataKey key, catalog::CatalogService& catalog)
    : impl_(std::make_unique<Impl>(db, clock, std::move(key), catalog)) {}
SealService::~SealService() = default;

std::string SealService::ca_certificate() {
  std::lock_guard lock(impl_->ca_mutex);
  if (!impl_->ca_pem) impl_->ca_pem = impl_->db.write([&](store::Conn& c) { return impl_->ensure_ca(c).cert_pem; });
  return *impl_->ca_pem;
}

Result<Json> SealService::apply(const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  Json problems = Json::array();
  auto text = [&](const char* field) {
    if (!body.contains(field) || !body[field].is_string() || body[field].get<std::string>().empty()) {
      problems.push_back({{"field", field}, {"problem", "required"}});
      return std::string();
    }
    return body[field].get<std::string>();
  };
  std::string department = text("department"), name = text("name");
  int type = body.value("type", 0);
  if (type < 1 || type > int(seal_type_names().size())) problems.push_back({{"field", "type"}, {"problem", "one_of"}});
  int years = body.value("valid_years", 5);
  if (years < 1 || years > 10) problems.push_back({{"field", "valid_years"}, {"problem", "range"}, {"value", "1-10"}});
  if (!problems.empty()) return fail(codes::kValidationFailed, "印章申请信息不完整", {{"problems", problems}});
  auto code = impl_->catalog.department_code(department);
  if (!code) return fail(codes::kDepartmentNotFound, "部门不存在", {{"department", department}});
  if (!impl_->authority(*who.principal).may(*code, false))
    return fail(codes::kSealForbidden, "只能为本部门申请电子印章", {{"department", *code}});
  auto dept = impl_->catalog.department(*code);
  std::string division = dept ? (*dept).value("division_code", "340000") : "340000";
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    sql::SealRow s;
    s.es_id = next_es_id(c, division, type);
    s.department = *code;
    s.type = type;
    s.name = name;
    s.state = "applied";
    s.valid_from = now;
    s.valid_to = now + years * 365 * kDayMs;
    s.applied_by = who.principal->account_id;
    s.created_at = now;
    s.id = sql::insert_seal(c, s);
    s.version = 1;
    sql::insert_event(c, s.id, "apply", "", "applied", who.principal->account_id, {{"name", name}}, now);
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "seal.apply", .target = "seal:" + s.es_id,
                                    .ip = who.ip, .request_id = who.request_id, .details = {{"department", *code}}});
    return impl_->view(c, s);
  });
}

Result<Json> SealService::act(const std::string& es_id, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string action = body.value("action", "");
  const Step* step = nullptr;
  for (const Step& s : steps())
    if (action == s.action) step = &s;
  if (!step) return fail(codes::kValidationFailed, "未知的印章操作", {{"problems", {{{"field", "action"}, {"value", action}}}}});
  std::string reason = body.contains("reason") && body["reason"].is_string() ? body["reason"].get<std::string>() : "";
  bool approve = body.value("approve", true);
  if ((step->needs_reason || (action == std::string("review") && !approve)) && reason.empty())
    return fail(codes::kValidationFailed, "须写明理由", {{"problems", {{{"field", "reason"}, {"problem", "required"}}}}});
  EpochMs now = impl_->clock.now_ms();
  auto authority = impl_->authority(*who.principal);
  std::string department_name;
  if (action == std::string("make")) {
    auto before = impl_->db.read([&](store::Conn& c) { return sql::seal(c, es_id); });
    if (!before) return not_found(es_id);
    auto d = impl_->catalog.department(before->department);
    department_name = d ? d->value("name", before->department) : before->department;
  }
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto s = sql::seal(c, es_id);
    if (!s) return not_found(es_id);
    if (!authority.may(s->department, step->platform_only))
      return fail(codes::kSealForbidden, "您不能对该印章进行此操作", {{"action", action}});
    if (std::find(step->from.begin(), step->from.end(), s->state) == step->from.end())
      return fail(codes::kSealTransitionInvalid, "印章当前状态下不能进行此操作", {{"from", s->state}, {"action", action}});
    std::string from = s->state;
    s->state = action == std::string("review") && !approve ? "rejected" : step->to;
    if (action == std::string("make")) impl_->make(c, *s, department_name);
    if (action == std::string("destroy")) s->key_sealed.reset();  // the key is destroyed with the seal
    if (!sql::update_seal(c, *s, now))
      return fail(codes::kConflict, "印章已被他人更新，请刷新后重试", {{"es_id", es_id}});
    ++s->version;
    sql::insert_event(c, s->id, action, from, s->state, who.principal->account_id, {{"reason", reason}}, now);
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "seal." + action, .target = "seal:" + es_id,
                                    .ip = who.ip, .request_id = who.request_id,
                                    .details = {{"from", from}, {"to", s->state}, {"reason", reason}}});
    return impl_->view(c, *s);
  });
}

Result<Json> SealService::authorise(const std::string& es_id, std::int64_t account_id, bool grant,
                                    const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  EpochMs now = impl_->clock.now_ms();
  auto authority = impl_->authority(*who.principal);
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto s = sql::seal(c, es_id);
    if (!s) return not_found(es_id);
    if (!authority.may(s->department, false))
      return fail(codes::kSealForbidden, "只能授权本部门的印章", {{"es_id", es_id}});
    if (grant && s->state != "issued")
      return fail(codes::kSealTransitionInvalid, "只有已启用的印章可以授权使用人", {{"from", s->state}, {"action", "authorise"}});
    bool changed = grant ? sql::grant_user(c, s->id, account_id, who.principal->account_id, now)
                         : sql::revoke_user(c, s->id, account_id, now);
    if (!changed) return fail(codes::kAccountNotFound, "该账号不是此印章的使用人", {{"account_id", account_id}});
    sql::insert_event(c, s->id, grant ? "authorise" : "unauthorise", s->state, s->state, who.principal->account_id,
                      {{"account_id", account_id}}, now);
    audit::record(c, impl_->clock, {.actor = who.principal, .action = grant ? "seal.authorise" : "seal.unauthorise",
                                    .target = "seal:" + es_id, .ip = who.ip, .request_id = who.request_id,
                                    .details = {{"account_id", account_id}}});
    return impl_->view(c, *s);
  });
}

Result<Json> SealService::list(const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto authority = impl_->authority(*who.principal);
  return impl_->db.read([&](store::Conn& c) -> Result<Json> {
    Json items = Json::array();
    for (const auto& s : sql::seals(c, std::nullopt))
      if (authority.may(s.department, false)) items.push_back(impl_->view(c, s));
    return Json{{"items", items}};
  });
}

Result<Json> SealService::get(const std::string& es_id) {
  return impl_->db.read([&](store::Conn& c) -> Result<Json> {
    auto s = sql::seal(c, es_id);
    if (!s) return not_found(es_id);
    return impl_->view(c, *s);
  });
}

Result<std::string> SealService::picture(const std::string& es_id) {
  auto s = impl_->db.read([&](store::Conn& c) { return sql::seal(c, es_id); });
  if (!s || !s->picture) return not_found(es_id);
  return *s->picture;
}

std::optional<std::string> SealService::seal_of(store::Conn& c, const std::string& department, int type) {
  auto s = sql::issued_seal(c, department, type);
  if (!s) return std::nullopt;
  return s->es_id;
}

Result<std::string> SealService::sign(store::Conn& c, const std::string& es_id, std::int64_t signer_account,
                                      std::string_view document, const std::string& property) {
  auto s = sql::seal(c, es_id);
  if (!s) return not_found(es_id);
  EpochMs now = impl_->clock.now_ms();
  if (s->state != "issued" || now < s->valid_from || now > s->valid_to || !s->key_sealed || !s->seal_der)
    return fail(codes::kSealNotUsable, "该电子印章当前不可用（未启用、已停用、已挂失、已销毁或已过期）",
                {{"es_id", es_id}, {"state", s->state}});
  if (!sql::is_user(c, s->id, signer_account))
    return fail(codes::kSealNotAuthorised, "您未被授权使用该电子印章", {{"es_id", es_id}});
  crypto::Sm2Key k = impl_->open_key(*s->key_sealed);
  std::string der = seal::sign(*s->seal_der, k, *s->cert_pem, document, now, property);
  sql::insert_signature(c, s->id, signer_account, property, crypto::sm3_hex(document), now);
  return der;
}

Result<Json> SealService::sign_document(const std::string& es_id, std::string_view document,
                                        const std::string& property, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto der = sign(c, es_id, who.principal->account_id, document, property);
    if (!der) return std::unexpected(der.error());
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "seal.sign", .target = "seal:" + es_id,
                                    .ip = who.ip, .request_id = who.request_id,
                                    .details = {{"property", property}, {"document_sm3", crypto::sm3_hex(document)}}});
    return Json{{"es_id", es_id}, {"signature", crypto::base64_encode(*der)}};
  });
}

Json SealService::verify(const std::string& signature_der, std::string_view document) {
  Verdict v = seal::verify(signature_der, document, ca_certificate());
  Json out = v.to_json();
  if (!v.ok) return out;
  // The standard's checks passed; the platform adds whether it still holds the seal in force.
  auto s = impl_->db.read([&](store::Conn& c) { return sql::seal(c, v.es_id); });
  if (!s) return out;
  if (s->state == "lost" || s->state == "destroyed") {
    out["valid"] = false;
    out["failed"] = "seal_revoked";
    out["message"] = s->state == "lost" ? "该电子印章已挂失" : "该电子印章已销毁";
  } else if (s->state == "suspended") {
    out["valid"] = false;
    out["failed"] = "seal_suspended";
    out["message"] = "该电子印章已停用";
  }
  out["seal_state"] = s->state;
  return out;
}

Json SealService::seed_demo(const std::vector<std::pair<std::string, std::int64_t>>& department_users) {
  int made = 0;
  EpochMs now = impl_->clock.now_ms();
  Json departments = impl_->catalog.departments(std::nullopt);
  for (const auto& d : departments["items"]) {
    std::string code = d.value("code", "");
    impl_->db.write([&](store::Conn& c) {
      if (!sql::seals(c, code).empty()) return;
      sql::SealRow s;
      s.es_id = next_es_id(c, d.value("division_code", "340000"), 2);
      s.department = code;
      s.type = 2;  // 行政审批专用章
      s.name = d.value("name", code) + "行政审批专用章";
      s.state = "issued";
      // Demo seals date from 2024 so that test clocks set in the past (2026's holidays) find them in force.
      s.valid_from = kDemoSealsFrom;
      s.valid_to = now + 5 * 365 * kDayMs;
      s.created_at = now;
      impl_->make(c, s, d.value("name", code));
      s.id = sql::insert_seal(c, s);
      sql::insert_event(c, s.id, "seed", "", "issued", std::nullopt, {{"demo", true}}, now);
      for (const auto& [dept, account] : department_users)
        if (dept == code) sql::grant_user(c, s.id, account, account, now);
      ++made;
    });
  }
  return {{"seals_made", made}};
}

}  // namespace tb::seal
