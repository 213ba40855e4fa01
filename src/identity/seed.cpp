// Demo accounts for ./scripts/run and the tests. Demo only: the README lists their
// credentials, so a real deployment never runs `seed` (it uses `admin create-admin`).
#include "core/ids.h"
#include "crypto/crypto.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "identity/service_internal.h"
#include "identity/store.h"

namespace tb::identity {
namespace {

constexpr const char* kDemoPassword = "Tongban@2026";
constexpr const char* kDemoTotpSecret = "JBSWY3DPEHPK3PXP";  // base32, for the demo administrators

struct DemoPerson {
  const char* name;
  const char* id17;  // the check character is computed
  const char* phone;
  int level;
};

struct DemoStaff {
  const char* staff_no;
  const char* name;
  const char* department;
  const char* division;
  const char* role;
  bool totp;
};

const DemoPerson kPersons[] = {
    {"张三", "34150219900101001", "13800000001", 2},
    {"李四", "34150319920202002", "13800000002", 2},
    {"王五", "34152219850303003", "13800000003", 1},
};

const DemoStaff kStaff[] = {
    {"clerk01", "王敏", "六安市政务服务中心", "341500", "window_clerk", false},
    {"approver01", "赵刚", "六安市市场监督管理局", "341500", "approver", false},
    // Departments by their catalogue names: the cases module maps them to codes (GA, XFJY …).
    {"approver02", "钱丽", "六安市公安局", "341500", "approver", false},
    {"fire01", "韩冰", "六安市消防救援支队", "341500", "approver", false},
    {"jinan01", "蒋涛", "金安区市场监督管理局", "341502", "approver", false},
    {"supervisor01", "孙强", "六安市数据资源局", "341500", "supervisor", false},
    {"hall01", "郑红", "六安市政务服务中心", "341500", "hall_manager", false},
    {"hotline01", "冯雪", "六安市12345热线", "341500", "hotline_operator", false},
    {"auditor01", "周静", "六安市数据资源局", "341500", "auditor", false},
    {"reviewer01", "黄芳", "六安市委编办", "341500", "catalog_reviewer", false},
    {"deptadmin01", "吴磊", "六安市市场监督管理局", "341500", "department_admin", true},
    {"admin", "陈平", "六安市数据资源局", "341500", "platform_admin", true},
};

std::string demo_uscc() {
  std::string org = "MA2N0001";
  org += ids::org_code_check_char(org);
  std::string first17 = "91341500" + org;
  return first17 + ids::uscc_check_char(first17);
}

}  // namespace

Json IdentityService::seed_demo() {
  EpochMs now = clock_.now_ms();
  std::string totp_secret = *crypto::base32_decode(kDemoTotpSecret);
  int added = 0;
  db_.write([&](store::Conn& c) {
    std::vector<std::int64_t> person_ids;
    for (const auto& d : kPersons) {
      std::string id = std::string(d.id17) + ids::resident_check_char(d.id17);
      std::string index = impl_->id_index(id);
      if (auto existing = sql::account_by_index(c, "id_number_index", index)) {
        person_ids.push_back(existing->account.id);
        continue;
      }
      // Each its own salt, as for real accounts.
      sql::NewAccount a = sql::person(key_, d.name, id, d.phone, crypto::hash_password(kDemoPassword), d.level);
      std::int64_t account_id = sql::insert_account(c, a, now);
      sql::insert_role(c, account_id, {"citizen", std::nullopt, std::nullopt}, std::nullopt, now);
      person_ids.push_back(account_id);
      ++added;
    }
    for (const auto& d : kStaff) {
      if (sql::account_by_staff_no(c, d.staff_no)) continue;
      sql::NewAccount a;
      a.kind = "staff";
      a.name = d.name;
      a.staff_no = d.staff_no;
      a.department = d.department;
      a.division_code = d.division;
      a.password_hash = crypto::hash_password(kDemoPassword);
      a.real_name_level = 2;
      std::int64_t id = sql::insert_account(c, a, now);
      sql::insert_role(c, id, {d.role, std::string(d.department), std::string(d.division)}, std::nullopt, now);
      if (d.totp) sql::set_totp(c, id, key_.seal(totp_secret, sql::kTotpSeal), true, 0, now);
      ++added;
    }
    std::string uscc = demo_uscc();
    if (!sql::company_by_uscc(c, uscc)) {
      std::int64_t company = sql::insert_company(c, uscc, "六安皖西示范科技有限公司", "张三", person_ids[0], now);
      sql::upsert_agent(c, company, person_ids[0], R"(["*"])", now + 10LL * 366 * 86400000, person_ids[0], now);
      sql::upsert_agent(c, company, person_ids[1], R"(["apply","view"])", now + 366LL * 86400000, person_ids[0], now);
      ++added;
    }
    if (added > 0)
      impl_->audit(c, nullptr, "tongban seed", "seed.demo_accounts", "accounts", true, {"local", "tongban seed", ""},
                   {{"added", added}});
  });
  return Json{{"demo_accounts_added", added}};
}

}  // namespace tb::identity
