// Supervision orders (督办), see orders.cpp.
#pragma once

#include <optional>
#include <string>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/clock.h"
#include "reference/reference.h"
#include "store/db.h"

namespace tb::catalog {
class CatalogService;
}

namespace tb::supervision {

class OrderService {
 public:
  OrderService(store::Db& db, const Clock& clock, reference::ReferenceService& reference, catalog::CatalogService& catalog);

  // {"department", "case_no"?, "subject", "content", "reply_days" (working days, default 3)}
  Result<Json> issue(const Json& body, const audit::Actor& actor);
  // All orders (supervisors), or the caller's departments' (own_departments).
  Result<Json> list(const std::optional<std::string>& state, const audit::Actor& actor, bool own_departments);
  Result<Json> reply(std::int64_t id, const Json& body, const audit::Actor& actor);
  Result<Json> close(std::int64_t id, const Json& body, const audit::Actor& actor);

 private:
  store::Db& db_;
  const Clock& clock_;
  reference::ReferenceService& reference_;
  catalog::CatalogService& catalog_;
};

}  // namespace tb::supervision
