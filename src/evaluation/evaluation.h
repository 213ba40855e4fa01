// Good/bad reviews (好差评, issue 8, STANDARDS §6): the applicant rates each case once (一事一评)
// on five levels with tags and a comment, real-name or anonymous; a bad review (不满意,
// 非常不满意) goes to the department that handled the case, where a named person calls back
// — facts clear: fixed at once; otherwise a rectification with a deadline in working days
// (default 5) — and the rater sees the result and may rate again. Departments may appeal a
// mistaken or malicious review; a supervisor decides. Public figures per department and item.
#pragma once

#include <map>
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

// The public figures' raw counts (removed reviews excluded); `bad` counts the first rating.
struct Figures {
  std::int64_t total = 0, level[6] = {0, 0, 0, 0, 0, 0}, bad = 0, bad_real_name = 0, bad_called_back = 0,
               bad_real_name_called_back = 0, bad_resolved = 0;
  void add(const Figures& o);
};
// The rates the public sees: satisfaction, bad-review, rectification and real-name call-back.
Json render_figures(const Figures& f);

struct SummaryQuery {
  std::optional<std::string> department, item;
  std::optional<std::string> from, to;  // business dates of the first rating, inclusive
};

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
  Result<Json> summary(const SummaryQuery& q);
  // The same for every department at once, with the total.
  Result<Json> summary_by_department(const SummaryQuery& q);
  // Raw counts per department (the statistics module folds them into its indicators).
  Result<std::map<std::string, Figures>> figures_by_department(const SummaryQuery& q);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, EvaluationService& service);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::evaluation
