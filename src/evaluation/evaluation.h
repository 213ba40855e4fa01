// Good/bad reviews (好差评, issue 8, STANDARDS §6): the applicant rates each case once (一事一评)
// on five levels with tags and a comment, real-name or anonymous; a bad review (不满意,
// 非常不满意) goes to the department that handled the case, where a named person calls back
// — facts clear: fixed at once; otherwise a rectification with a deadline in working days
// (default 5) — and the rater sees the result and may rate again. Departments may appeal a
// mistaken or malicious review; a supervisor decides. Public figures per department and item.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "audit/audit.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "reference/reference.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}

namespace tb::evaluation {

inline constexpr int kDefaultRectifyDays = 5;

class EvaluationService {
 public:
  EvaluationService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                    catalog::CatalogService& catalog);
  ~EvaluationService();

  // The applicant: {"level": 1–5, "tags": [...], "comment": "…", "anonymous": false, "channel": "web"}.
  Result<Json> rate(const std::string& case_no, const Json& body, const audit::Actor& actor);
  Result<Json> of_case(const std::string& case_no, const audit::Actor& actor);
  // The rater's own evaluations, newest first (the portal's 我的评价 and each case page).
  Result<Json> mine(const audit::Actor& actor);

  // The handling department's staff.
  Result<Json> queue(const audit::Actor& actor);
  Result<Json> call_back(std::int64_t id, const Json& body, const audit::Actor& actor);
  Result<Json> rectify(std::int64_t id, const Json& body, const audit::Actor& actor);
  Result<Json> appeal(std::int64_t id, const Json& body, const audit::Actor& actor);
  // Supervisors.
  Result<Json> appeals(const audit::Actor& actor);
  Result<Json> decide_appeal(std::int64_t appeal_id, const Json& body, const audit::Actor& actor);

  // Public: counts, satisfaction rate, rectification and call-back rates (removed reviews excluded).
  Result<Json> summary(const std::optional<std::string>& department, const std::optional<std::string>& item);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, EvaluationService& service);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::evaluation
