#include "identity/permissions.h"

namespace tb::identity {

const std::vector<std::string>& all_roles() {
  static const std::vector<std::string> roles{
      "citizen",      "company_agent",    "window_clerk", "approver",         "department_admin",
      "catalog_reviewer", "supervisor", "hall_manager", "hotline_operator", "auditor", "platform_admin"};
  return roles;
}

bool is_staff_role(const std::string& role) { return role != "citizen" && role != "company_agent"; }

bool needs_mfa(const Principal& p) { return p.has_role("platform_admin") || p.has_role("department_admin"); }

const std::map<std::string, std::set<std::string>>& role_permissions() {
  // Grows as modules land; the table-driven test in tests/api walks every route for
  // every role against this table.
  static const std::map<std::string, std::set<std::string>> table{
      {"citizen", {"companies.manage"}},
      {"company_agent", {}},
      // supervision.alerts: the department's open supervision alerts on the workbench;
      // service_events.record: an in-person service rated on the hall pad (一次一评).
      {"window_clerk",
       {"accounts.verify", "cases.handle", "evaluations.handle", "supervision.reply", "supervision.alerts",
        "service_events.record"}},
      {"approver", {"cases.handle", "licences.issue", "evaluations.handle", "supervision.reply", "supervision.alerts"}},
      {"department_admin", {"staff.manage", "items.edit", "seals.apply", "supervision.reply", "supervision.alerts"}},
      // 编办: reviews and publishes catalogue items.
      {"catalog_reviewer", {"items.review", "items.edit"}},
      {"supervisor", {"supervision.read", "supervision.manage", "evaluations.decide"}},
      {"hall_manager", {}},
      // 12345: records a caller's rating of a case (好差评 by phone).
      {"hotline_operator", {"evaluations.record"}},
      // Separation of duties: the auditor reads the log; administrators do not.
      {"auditor", {"audit.read"}},
      {"platform_admin",
       {"staff.manage", "roles.manage", "calendar.manage", "outbox.read", "oidc.manage", "items.edit", "items.review", "seals.apply", "supervision.read",
        // Until the provincial platform has its own client account, the administrator reads
        // and resends the exchange records.
        "exchange.read"}},
  };
  return table;
}

bool allowed(const Principal& p, const std::string& permission) {
  if (permission == kSession || permission == kAuthenticated) return true;
  const auto& table = role_permissions();
  for (const auto& g : p.roles) {
    auto it = table.find(g.role);
    if (it != table.end() && it->second.count(permission)) return true;
  }
  return false;
}

}  // namespace tb::identity
