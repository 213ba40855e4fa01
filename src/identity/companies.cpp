// Legal persons and the natural persons authorised to act for them (经办人).
#include "core/ids.h"
#include "identity/service_internal.h"
#include "identity/store.h"

namespace tb::identity {
namespace {

const std::vector<std::string> kScopes{"apply", "view", "pay", "manage_agents"};

std::unexpected<Error> company_not_found(const std::string& uscc) {
  // The same answer for a company that does not exist and one the caller may not see.
  return fail(codes::kCompanyNotFound, "企业不存在或您未获授权", {{"uscc", uscc}});
}

bool may_manage(const std::vector<Agent>& mine, std::int64_t company_id) {
  for (const auto& a : mine)
    if (a.company_id == company_id)
      for (const auto& s : a.scope)
        if (s == "*" || s == "manage_agents") return true;
  return false;
}

}  // namespace

Result<Company> IdentityService::register_company(const Principal& p, const std::string& uscc, const std::string& name,
                                                  const Origin& origin) {
  if (p.kind != "person") return fail(codes::kForbidden, "企业须由自然人（法定代表人）登记");
  if (p.real_name_level < 2)
    return fail(codes::kRealNameLevelRequired, "登记企业需要实名认证等级 L2 以上，请到窗口或在线核验身份",
                {{"required", 2}, {"current", p.real_name_level}});
  auto check = ids::check_uscc(uscc);
  if (!check.valid) return fail(codes::kValidationFailed, check.reason, {{"field", "uscc"}});
  if (name.empty() || name.size() > 200) return fail(codes::kValidationFailed, "请填写企业名称", {{"field", "name"}});
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Company> {
    if (sql::company_by_uscc(c, uscc)) return fail(codes::kCompanyExists, "该统一社会信用代码已登记", {{"uscc", uscc}});
    std::int64_t id = sql::insert_company(c, uscc, name, p.name, p.account_id, now);
    // The legal representative holds every scope for ten years, renewable.
    constexpr EpochMs kTenYears = 10LL * 366 * 24 * 3600 * 1000;
    sql::upsert_agent(c, id, p.account_id, R"(["*"])", now + kTenYears, p.account_id, now);
    impl_->audit(c, &p, "", "company.register", "company:" + uscc, true, origin);
    return *sql::company_by_id(c, id);
  });
}

Result<Agent> IdentityService::grant_agent(const Principal& p, const std::string& uscc, const std::string& id_number,
                                           const std::vector<std::string>& scope, Date expires_on,
                                           const Origin& origin) {
  EpochMs now = clock_.now_ms();
  if (scope.empty()) return fail(codes::kValidationFailed, "请选择授权范围", {{"field", "scope"}, {"allowed", kScopes}});
  for (const auto& s : scope)
    if (std::find(kScopes.begin(), kScopes.end(), s) == kScopes.end())
      return fail(codes::kValidationFailed, "授权范围不正确：" + s, {{"field", "scope"}, {"allowed", kScopes}});
  if (expires_on <= clock_.today()) return fail(codes::kValidationFailed, "授权截止日期须晚于今天", {{"field", "expires_on"}});
  // The authorisation ends at the end of its last day, business time.
  EpochMs expires_at =
      std::chrono::duration_cast<std::chrono::milliseconds>(expires_on.plus_days(1).days.time_since_epoch()).count() -
      kBusinessUtcOffsetMs;
  return db_.write([&](store::Conn& c) -> Result<Agent> {
    auto company = sql::company_by_uscc(c, uscc);
    if (!company || !may_manage(sql::agents_of_account(c, p.account_id, now), company->id)) return company_not_found(uscc);
    auto person = sql::account_by_index(c, "id_number_index", impl_->id_index(id_number));
    if (!person || person->account.kind != "person")
      return fail(codes::kAccountNotFound, "被授权人尚未注册通办账号", {{"field", "id_number"}});
    sql::upsert_agent(c, company->id, person->account.id, Json(scope).dump(), expires_at, p.account_id, now);
    impl_->audit(c, &p, "", "company.agent.grant", "company:" + uscc + "/account:" + std::to_string(person->account.id),
                 true, origin, {{"scope", scope}, {"expires_on", expires_on.to_string()}});
    for (const auto& a : sql::agents_of_company(c, company->id, now))
      if (a.account_id == person->account.id) return a;
    throw FatalError("agent vanished inside its own transaction");
  });
}

Result<Json> IdentityService::revoke_agent(const Principal& p, const std::string& uscc, std::int64_t account_id,
                                           const Origin& origin) {
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    auto company = sql::company_by_uscc(c, uscc);
    if (!company || !may_manage(sql::agents_of_account(c, p.account_id, now), company->id)) return company_not_found(uscc);
    if (account_id == p.account_id) return fail(codes::kConflict, "不能撤销自己的授权");
    if (sql::revoke_agent(c, company->id, account_id, now) == 0)
      return fail(codes::kAccountNotFound, "该人员没有有效授权", {{"account_id", account_id}});
    impl_->audit(c, &p, "", "company.agent.revoke", "company:" + uscc + "/account:" + std::to_string(account_id), true,
                 origin);
    return Json{{"revoked", true}};
  });
}

std::vector<Agent> IdentityService::my_companies(const Principal& p) {
  EpochMs now = clock_.now_ms();
  return db_.read([&](store::Conn& c) { return sql::agents_of_account(c, p.account_id, now); });
}

std::vector<Agent> IdentityService::company_agents(const Principal& p, const std::string& uscc) {
  EpochMs now = clock_.now_ms();
  return db_.read([&](store::Conn& c) -> std::vector<Agent> {
    auto company = sql::company_by_uscc(c, uscc);
    if (!company || !may_manage(sql::agents_of_account(c, p.account_id, now), company->id)) return {};
    return sql::agents_of_company(c, company->id, now);
  });
}

Result<Json> IdentityService::act_for(const Principal& p, const std::optional<std::string>& uscc, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    if (!uscc) {
      sql::set_acting_company(c, p.session_id, std::nullopt);
      return Json{{"acting_for", nullptr}};
    }
    auto company = sql::company_by_uscc(c, *uscc);
    bool authorised = false;
    if (company)
      for (const auto& a : sql::agents_of_account(c, p.account_id, now)) authorised |= a.company_id == company->id;
    if (!authorised) return company_not_found(*uscc);
    sql::set_acting_company(c, p.session_id, company->id);
    impl_->audit(c, &p, "", "company.act_for", "company:" + *uscc, true, origin);
    return Json{{"acting_for", {{"uscc", company->uscc}, {"name", company->name}}}};
  });
}

}  // namespace tb::identity
