// Performance statistics (issue 8): counters from the case outbox — applications by channel,
// acceptances, correction notices, decisions on time and late with the working days used
// against those promised, refusals, withdrawals — and the indicators computed from them and
// from the catalogue: online-handling rate (网上可办率), full-online rate (全程网办), at-most-
// one-visit and zero-visit rates, on-time rate, average working days used vs promised,
// correction rate. The consumer adds a batch and moves its position in one transaction.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cases/cases.h"
#include "catalog/catalog.h"
#include "evaluation/evaluation.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "reference/reference.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}

namespace tb::statistics {

struct IndicatorQuery {
  std::optional<std::string> department;
  std::optional<std::string> division;  // the departments within this division's subtree
  std::optional<std::string> item;      // one item (implementation code)
  std::optional<std::string> from, to;  // business dates, inclusive
};

class StatisticsService {
 public:
  StatisticsService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                    catalog::CatalogService& catalog, evaluation::EvaluationService& evaluations);
  ~StatisticsService();

  std::size_t consume(int limit);
  bool caught_up();
  Result<Json> indicators(const IndicatorQuery& q);
  // The indicators of each child division of `parent` (and the parent's own departments), with the total.
  Result<Json> by_division(const IndicatorQuery& q, const std::string& parent);
  // The same indicators for every department, with the city's total.
  Result<Json> by_department(const IndicatorQuery& q);
  // by_department as an Excel workbook (xlsx bytes), for leaders who work in spreadsheets.
  Result<std::string> export_xlsx(const IndicatorQuery& q);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, StatisticsService& service);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::statistics
