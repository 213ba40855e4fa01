// Staff accounts and roles, managed by platform administrators and, within their own
// department and division subtree, by department administrators.
#include "core/ids.h"
#include "crypto/crypto.h"
#include "crypto/password.h"
#include "identity/permissions.h"
#include "identity/service_internal.h"
#include "identity/store.h"

namespace tb::identity {
namespace {

// Roles only a platform administrator may hand out.
bool platform_only(const std::string& role) {
  return role == "platform_admin" || role == "auditor" || role == "department_admin" || role == "catalog_reviewer";
}

// Whether the actor may manage staff of this department and division.
bool manages(const Principal& actor, const std::optional<std::string>& department,
             const std::optional<std::string>& division) {
  if (actor.has_role("platform_admin")) return true;
  for (const auto& g : actor.roles) {
    if (g.role != "department_admin" || !g.department || !g.division) continue;
    if (department == g.department && division && division_within(*division, *g.division)) return true;
  }
  return false;
}

// The login field tells ID numbers, phones and staff numbers apart by their shape.
bool valid_staff_no(const std::string& s) {
  return !s.empty() && s.size() <= 40 && !Impl::valid_phone(s) && !Impl::looks_like_id_number(s);
}

std::unexpected<Error> out_of_scope() {
  return fail(codes::kForbidden, "超出您的管理范围（部门或区划）");
}

// A temporary password that meets the policy; the holder must change it at first login.
std::string temporary_password() {
  static constexpr char kChars[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  std::string out;
  for (unsigned char b : crypto::random_bytes(12)) out += kChars[b % (sizeof(kChars) - 1)];
  return out + "#7a";
}

}  // namespace

Result<Account> IdentityService::create_staff(const Principal& p, const StaffInput& in, const Origin& origin) {
  auto invalid = [](const std::string& field, const std::string& message) {
    return fail(codes::kValidationFailed, message, {{"field", field}});
  };
  if (in.name.empty()) return invalid("name", "请填写姓名");
  if (!valid_staff_no(in.staff_no)) return invalid("staff_no", "工号须为 1–40 个字符，且不能形如身份证号或手机号");
  if (in.department.empty()) return invalid("department", "请填写所属部门");
  auto division = ids::check_division_code(in.division_code);
  if (!division.valid) return invalid("division_code", division.reason);
  if (auto weak = password_weakness(in.password, "", "")) return fail(codes::kWeakPassword, *weak, {{"field", "password"}});
  if (!manages(p, in.department, in.division_code)) return out_of_scope();
  for (const auto& g : in.roles) {
    if (std::find(all_roles().begin(), all_roles().end(), g.role) == all_roles().end() || !is_staff_role(g.role))
      return fail(codes::kRoleInvalid, "角色不正确：" + g.role, {{"role", g.role}});
    if (platform_only(g.role) && !p.has_role("platform_admin")) return out_of_scope();
  }
  EpochMs now = clock_.now_ms();
  std::string hash = crypto::hash_password(in.password);
  return db_.write([&](store::Conn& c) -> Result<Account> {
    if (sql::account_by_staff_no(c, in.staff_no)) return fail(codes::kAccountExists, "工号已存在", {{"field", "staff_no"}});
    sql::NewAccount a;
    a.kind = "staff";
    a.name = in.name;
    a.staff_no = in.staff_no;
    a.department = in.department;
    a.division_code = in.division_code;
    a.password_hash = hash;
    a.real_name_level = 2;  // staff are identified by their employer
    a.must_change_password = true;
    std::int64_t id = sql::insert_account(c, a, now);
    for (auto g : in.roles) {
      // A role without its own scope takes the account's department and division.
      if (!g.department) g.department = in.department;
      if (!g.division) g.division = in.division_code;
      sql::insert_role(c, id, g, p.account_id, now);
    }
    impl_->audit(c, &p, "", "staff.create", "account:" + std::to_string(id), true, origin,
                 {{"staff_no", in.staff_no}, {"department", in.department}});
    return sql::account_by_id(c, id)->account;
  });
}

std::vector<Account> IdentityService::staff(const Principal& p) {
  auto all = db_.read([&](store::Conn& c) { return sql::staff_accounts(c); });
  std::vector<Account> out;
  for (auto& a : all)
    if (manages(p, a.department, a.division_code)) out.push_back(std::move(a));
  return out;
}

std::vector<Account> IdentityService::all_staff() {
  return db_.read([&](store::Conn& c) { return sql::staff_accounts(c); });
}

Result<Account> IdentityService::grant_role(const Principal& p, std::int64_t account_id, const RoleGrant& g,
                                            const Origin& origin) {
  if (std::find(all_roles().begin(), all_roles().end(), g.role) == all_roles().end() || !is_staff_role(g.role))
    return fail(codes::kRoleInvalid, "角色不正确：" + g.role, {{"role", g.role}});
  if (g.division) {
    auto check = ids::check_division_code(*g.division);
    if (!check.valid) return fail(codes::kValidationFailed, check.reason, {{"field", "division_code"}});
  }
  if (platform_only(g.role) && !p.has_role("platform_admin")) return out_of_scope();
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Account> {
    auto a = sql::account_by_id(c, account_id);
    if (!a || a->account.kind != "staff" || !manages(p, a->account.department, a->account.division_code))
      return fail(codes::kAccountNotFound, "工作人员账号不存在", {{"account_id", account_id}});
    RoleGrant grant = g;
    if (!grant.department) grant.department = a->account.department;
    if (!grant.division) grant.division = a->account.division_code;
    if (!manages(p, grant.department, grant.division)) return out_of_scope();
    sql::insert_role(c, account_id, grant, p.account_id, now);
    impl_->audit(c, &p, "", "staff.role.grant", "account:" + std::to_string(account_id), true, origin,
                 {{"role", grant.role}, {"department", *grant.department}, {"division", *grant.division}});
    return sql::account_by_id(c, account_id)->account;
  });
}

Result<Account> IdentityService::revoke_role(const Principal& p, std::int64_t account_id, const std::string& role,
                                             const Origin& origin) {
  if (platform_only(role) && !p.has_role("platform_admin")) return out_of_scope();
  return db_.write([&](store::Conn& c) -> Result<Account> {
    auto a = sql::account_by_id(c, account_id);
    if (!a || a->account.kind != "staff" || !manages(p, a->account.department, a->account.division_code))
      return fail(codes::kAccountNotFound, "工作人员账号不存在", {{"account_id", account_id}});
    if (account_id == p.account_id && role == "platform_admin")
      return fail(codes::kConflict, "不能撤销自己的平台管理员角色");
    if (sql::delete_role(c, account_id, role) == 0) return fail(codes::kRoleInvalid, "该账号没有此角色", {{"role", role}});
    impl_->audit(c, &p, "", "staff.role.revoke", "account:" + std::to_string(account_id), true, origin,
                 {{"role", role}});
    return sql::account_by_id(c, account_id)->account;
  });
}

Result<Json> IdentityService::admin_reset_password(const Principal& p, std::int64_t account_id, const Origin& origin) {
  std::string temp = temporary_password();
  std::string hash = crypto::hash_password(temp);
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    auto a = sql::account_by_id(c, account_id);
    if (!a || a->account.kind != "staff" || !manages(p, a->account.department, a->account.division_code))
      return fail(codes::kAccountNotFound, "工作人员账号不存在", {{"account_id", account_id}});
    sql::set_password(c, account_id, hash, true, now);
    sql::revoke_all_sessions(c, account_id, std::nullopt, now);
    impl_->audit(c, &p, "", "staff.password.reset", "account:" + std::to_string(account_id), true, origin);
    // Shown once to the administrator, who hands it over; it must be changed at first login.
    return Json{{"temporary_password", temp}, {"must_change_password", true}};
  });
}

Result<Account> IdentityService::verify_real_name(const Principal& p, std::int64_t account_id, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Account> {
    auto a = sql::account_by_id(c, account_id);
    if (!a || a->account.kind != "person") return fail(codes::kAccountNotFound, "账号不存在", {{"account_id", account_id}});
    if (a->account.real_name_level < 2) sql::set_real_name_level(c, account_id, 2, now);
    impl_->audit(c, &p, "", "account.verify", "account:" + std::to_string(account_id), true, origin,
                 {{"level", 2}, {"method", "window"}});
    return sql::account_by_id(c, account_id)->account;
  });
}

Result<Account> IdentityService::create_admin(const std::string& name, const std::string& staff_no,
                                              const std::string& password) {
  if (auto weak = password_weakness(password, "", "")) return fail(codes::kWeakPassword, *weak, {{"field", "password"}});
  if (!valid_staff_no(staff_no))
    return fail(codes::kValidationFailed, "工号须为 1–40 个字符，且不能形如身份证号或手机号", {{"field", "staff_no"}});
  EpochMs now = clock_.now_ms();
  std::string hash = crypto::hash_password(password);
  return db_.write([&](store::Conn& c) -> Result<Account> {
    if (sql::account_by_staff_no(c, staff_no)) return fail(codes::kAccountExists, "工号已存在", {{"field", "staff_no"}});
    sql::NewAccount a;
    a.kind = "staff";
    a.name = name;
    a.staff_no = staff_no;
    a.department = "平台运维";
    a.division_code = "341500";
    a.password_hash = hash;
    a.real_name_level = 2;
    std::int64_t id = sql::insert_account(c, a, now);
    sql::insert_role(c, id, {"platform_admin", std::string("平台运维"), std::string("341500")}, std::nullopt, now);
    impl_->audit(c, nullptr, "command line", "staff.create_admin", "account:" + std::to_string(id), true,
                 {"local", "tongban admin create-admin", ""});
    return sql::account_by_id(c, id)->account;
  });
}

}  // namespace tb::identity
