// The one place that decides permissions: roles and what each may do. Deny by default.
// A route names one permission; "public" needs nothing, "session" any session (even one
// that still owes MFA or a password change), "authenticated" any complete session.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/principal.h"

namespace tb::identity {

inline constexpr const char* kSession = "session";
inline constexpr const char* kAuthenticated = "authenticated";

// Every role, in the order the README lists them.
const std::vector<std::string>& all_roles();
bool is_staff_role(const std::string& role);
// Roles that must use a second factor (STANDARDS §8: staff with administrative rights).
bool needs_mfa(const Principal& p);

// role → permissions it grants.
const std::map<std::string, std::set<std::string>>& role_permissions();

// Whether the principal may use the permission at all (scope checks happen in services).
bool allowed(const Principal& p, const std::string& permission);

}  // namespace tb::identity
