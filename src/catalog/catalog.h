// The service-item catalogue (事项管理): departments, implementation items with versions
// and review, scenarios (一件事), themes, publishing and search (STANDARDS §2). Data comes
// in the format of docs/catalog-format.md.
//
//   auto guide = catalog.guide("11341500…3000117001000");   // Result<std::string>, JSON text
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "audit/audit.h"
#include "catalog/rules.h"
#include "catalog/search.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "reference/reference.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}

namespace tb::catalog {

// One published version of an item, as cases file against it. Versions never change once
// published, so callers may keep them.
struct PublishedItem {
  std::string impl_code;
  int version = 0;
  std::string name, department, division;
  Json data;
};

class CatalogService {
 public:
  CatalogService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                 std::filesystem::path search_dir);
  ~CatalogService();

  // Public.
  Result<std::string> guide(const std::string& impl_code);  // the published guide, JSON text
  Result<Json> search(const SearchQuery& q);
  Json departments(const std::optional<std::string>& division);
  Result<Json> department(const std::string& code);  // a department's page with its items (旗舰店)
  Json scenarios();
  Result<Json> scenario(const std::string& code);  // merged form and materials, each asked once
  Json themes();

  // For the cases module: the published version of an active item (ITEM_NOT_FOUND otherwise),
  // a department's code from its name (staff accounts carry the name), and a scenario's items.
  // With a version: that version if it was ever published (a case keeps its version).
  Result<std::shared_ptr<const PublishedItem>> published_item(const std::string& impl_code,
                                                              std::optional<int> version = std::nullopt);
  std::optional<std::string> department_code(const std::string& code_or_name);
  // For supervision's check of required elements (item_incomplete): the current published
  // versions of active items that were published in (after, upto], oldest first.
  std::vector<PublishedItem> published_between(EpochMs after, EpochMs upto);
  Result<std::vector<std::string>> scenario_items(const std::string& code);

  // Administration (editors: department admins for their department; reviewers: 编办).
  Result<Json> import_items(const Json& items, bool publish, const audit::Actor& actor);
  Json export_items();
  std::string export_xlsx();  // the same items as an Excel workbook (xlsx bytes)
  Result<Json> save_draft(const std::string& impl_code, const Json& item, const audit::Actor& actor);
  Result<Json> submit(const std::string& impl_code, int version, const audit::Actor& actor);
  Result<Json> review(const std::string& impl_code, int version, bool approve, const std::string& comment,
                      const audit::Actor& actor);
  Result<Json> retire(const std::string& impl_code, const audit::Actor& actor);
  // Colloquial words → catalogue words, maintained by reviewers; search uses them at once.
  Json synonyms();
  Result<Json> set_synonyms(const Json& synonyms, const audit::Actor& actor);
  Result<Json> versions(const std::string& impl_code);
  Result<Json> version(const std::string& impl_code, int version);
  Result<Json> diff_versions(const std::string& impl_code, int from, int to);

  // Seed data from data/catalog (embedded); idempotent.
  Json seed();
  // Rebuilds the search index from the published items.
  std::size_t reindex();
  // Rebuilds only when the index and the database disagree (at start-up); returns the size.
  std::size_t ensure_index();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, CatalogService& service);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();
std::vector<EmbeddedFile> seed_files();

}  // namespace tb::catalog
