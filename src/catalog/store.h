// SQL of the catalogue module; only service.cpp calls it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/rules.h"
#include "core/time.h"
#include "store/db.h"

namespace tb::catalog::sql {

struct DepartmentRow {
  std::string code, name, uscc, division_code;
  std::optional<std::string> parent_code;
  Json data;
};
std::vector<DepartmentRow> departments(store::Conn& c);
std::optional<DepartmentRow> department(store::Conn& c, const std::string& code);
void upsert_department(store::Conn& c, const DepartmentRow& d, EpochMs now);

struct ItemRow {
  std::int64_t id = 0;
  std::string impl_code, basic_code, department_code, division_code, name, status;
  std::optional<int> published_version;
};
std::optional<ItemRow> item(store::Conn& c, const std::string& impl_code);
std::int64_t insert_item(store::Conn& c, const ItemRow& i, EpochMs now);
void set_published(store::Conn& c, std::int64_t item_id, int version, const std::string& name, const Json& summary,
                   EpochMs now);
// Listing fields of published, active items by code (search results).
std::map<std::string, Json> summaries(store::Conn& c, const std::vector<std::string>& impl_codes);
void set_status(store::Conn& c, std::int64_t item_id, const std::string& status, EpochMs now);

struct VersionRow {
  int version = 0;
  std::string state;
  Json data;
  std::string guide;
  std::optional<std::int64_t> created_by, reviewed_by;
  EpochMs created_at = 0;
  std::optional<EpochMs> submitted_at, reviewed_at, published_at;
  std::optional<std::string> review_comment;
};
int next_version(store::Conn& c, std::int64_t item_id);
void insert_version(store::Conn& c, std::int64_t item_id, int version, const std::string& state, const Json& data,
                    const std::string& guide, std::optional<std::int64_t> by, EpochMs now);
std::optional<VersionRow> version(store::Conn& c, std::int64_t item_id, int version);
std::vector<VersionRow> versions(store::Conn& c, std::int64_t item_id);
void mark_submitted(store::Conn& c, std::int64_t item_id, int version, EpochMs now);
void mark_reviewed(store::Conn& c, std::int64_t item_id, int version, const std::string& state,
                   std::optional<std::int64_t> by, const std::string& comment, EpochMs now);
void supersede_published(store::Conn& c, std::int64_t item_id);
void set_guide(store::Conn& c, std::int64_t item_id, int version, const std::string& guide);

// The published guide text and status of an item (the hot path of the public API).
std::optional<std::string> published_guide(store::Conn& c, const std::string& impl_code);
// Published data of active items (search index, export, department pages).
struct Published {
  std::string impl_code;
  Json data;
  std::string status;
};
std::vector<Published> published(store::Conn& c, const std::optional<std::string>& department_code);
struct PublishedVersion {
  std::string impl_code, name, department_code, division_code;
  int version = 0;
  Json data;
};
std::vector<PublishedVersion> published_between(store::Conn& c, EpochMs after, EpochMs upto);
std::vector<Published> published_by_basic(store::Conn& c, const std::string& basic_code, const std::string& department);

std::optional<Json> list(store::Conn& c, const std::string& name);
void set_list(store::Conn& c, const std::string& name, const Json& data, EpochMs now);

void upsert_scenario(store::Conn& c, const std::string& code, const std::string& name, const Json& data, EpochMs now);
std::vector<Json> scenarios(store::Conn& c);
std::optional<Json> scenario(store::Conn& c, const std::string& code);

}  // namespace tb::catalog::sql
