// Electronic supervision (电子监察, issue 8): every accepted case watched against its
// working-day limits — normal, warning (yellow), overdue (red), paused — kept up to date by a
// consumer of the case outbox (by position, resumable, idempotent: it recomputes from the
// case's current state), and a board with live counts by department and division and a
// drill-down to the cases. The dates a case changes colour are stored, so a board for any
// day is a pass over one covering index.
//
// Alerts (监察预警, 异常; rules.h lists the kinds): raised by the same consumer from the events
// and by a sweep it runs at most once per business day (the cases whose warning or overdue
// day came since, by an index range; items published since), cleared when the condition
// ends. A new alert sends one message through identity's outbox to the staff responsible
// and their department's administrators, in the transaction that raises it.
//
//   supervision.consume(500);                      // from the serve loop
//   auto board = supervision.board({.group = "department"}, actor);
//   auto open = supervision.alerts({.kind = "case_overdue"}, actor);
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "reference/reference.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}
namespace tb::catalog {
class CatalogService;
}
namespace tb::identity {
class IdentityService;
}

namespace tb::supervision {

struct BoardQuery {
  std::string group = "department";  // or "division"
  std::optional<std::string> division;
};

struct CaseQuery {
  std::string state = "overdue";  // normal | warning | overdue | paused
  std::optional<std::string> department, division;
  int limit = 50, offset = 0;
};

struct AlertQuery {
  std::optional<std::string> kind, department, division;
  std::string state = "open";          // open | cleared | all
  std::optional<std::int64_t> cursor;  // from the previous page's next_cursor
  int limit = 50;
};

class SupervisionService {
 public:
  SupervisionService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                     catalog::CatalogService& catalog, identity::IdentityService& identity);
  ~SupervisionService();

  std::size_t consume(int limit);
  bool caught_up();

  Result<Json> board(const BoardQuery& q, const audit::Actor& actor);
  Result<Json> cases(const CaseQuery& q, const audit::Actor& actor);
  Json rules();
  Result<Json> set_rules(const Json& body, const audit::Actor& actor);

  // Supervisors and the platform administrator: alerts in their division subtree.
  Result<Json> alerts(const AlertQuery& q, const audit::Actor& actor);
  // Staff: their departments' open alerts (the workbench).
  Result<Json> workbench_alerts(const AlertQuery& q, const audit::Actor& actor);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class OrderService;

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, SupervisionService& service);
void add_order_routes(http::Router& router, OrderService& orders);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::supervision
