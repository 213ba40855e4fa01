// Who is making a request, as every module sees it once identity has authenticated it.
// Kept in core so modules can check it without depending on the identity module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tb {

// A role held by an account. Staff roles are scoped to a department and a division
// subtree (a county approver acts in that county's divisions only).
struct RoleGrant {
  std::string role;  // "citizen", "window_clerk", "approver", … (identity/permissions.h)
  std::optional<std::string> department;
  std::optional<std::string> division;  // the subtree's root code
};

struct Principal {
  std::int64_t account_id = 0;
  std::string kind;  // "person" or "staff"
  std::string name;
  int real_name_level = 1;
  std::vector<RoleGrant> roles;
  std::int64_t session_id = 0;
  bool via_cookie = false;  // cookie sessions need a CSRF token on writes
  std::optional<std::int64_t> acting_company_id;

  bool has_role(std::string_view role) const {
    for (const auto& g : roles)
      if (g.role == role) return true;
    return false;
  }
};

// True when `code` lies in the subtree rooted at `root` (both division codes): the root
// with its trailing zero groups removed is a prefix of the code ("341500" → "3415").
bool division_within(std::string_view code, std::string_view root);

}  // namespace tb
