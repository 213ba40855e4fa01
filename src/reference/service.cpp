#include <sstream>

#include "reference/reference.h"
#include "reference/store.h"

namespace tb::reference {

std::optional<IdType> id_type_from(std::string_view name) {
  if (name == "resident") return IdType::kResident;
  if (name == "uscc") return IdType::kUscc;
  if (name == "division") return IdType::kDivision;
  return std::nullopt;
}

std::vector<store::Migration> migrations() { return store::module_migrations("reference", migration_files()); }

std::optional<Division> find_division(store::Conn& c, std::string_view code) { return sql::find_division(c, code); }

Result<Division> ReferenceService::division(std::string_view code) {
  auto found = db_.read([&](store::Conn& c) { return sql::find_division(c, code); });
  if (!found) return fail(codes::kDivisionNotFound, "区划代码不存在", {{"code", std::string(code)}});
  return *found;
}

Result<DivisionPage> ReferenceService::children(std::string_view parent, std::string_view after_code, int limit) {
  if (limit < 1 || limit > 500)
    return fail(codes::kValidationFailed, "limit 须在 1 到 500 之间", {{"field", "limit"}, {"value", limit}});
  return db_.read([&](store::Conn& c) -> Result<DivisionPage> {
    DivisionPage page;
    // One extra row tells whether another page follows.
    page.items = parent.empty() ? sql::roots(c, after_code, limit + 1) : sql::children(c, parent, after_code, limit + 1);
    if (page.items.empty() && after_code.empty() && !parent.empty() && !sql::find_division(c, parent))
      return fail(codes::kDivisionNotFound, "上级区划代码不存在", {{"code", std::string(parent)}});
    if (static_cast<int>(page.items.size()) > limit) {
      page.items.resize(limit);
      page.next_cursor = page.items.back().code;
    }
    return page;
  });
}

ids::Check ReferenceService::validate_id(IdType type, std::string_view value) const {
  switch (type) {
    case IdType::kResident:
      return ids::check_resident_id(value, clock_.today());
    case IdType::kUscc:
      return ids::check_uscc(value);
    case IdType::kDivision:
      return ids::check_division_code(value);
  }
  return {false, "未知的证件类型"};
}

std::shared_ptr<const WorkdayCalendar> ReferenceService::calendar() {
  return db_.read([&](store::Conn& c) { return calendar(c); });
}

std::shared_ptr<const WorkdayCalendar> ReferenceService::calendar(store::Conn& c) {
  // Cached per process, keyed by a version every process can read: a year loaded
  // through any node is seen by all of them on their next computation.
  auto version = sql::calendar_version(c);
  std::lock_guard lock(cache_mutex_);
  if (cache_ && version == cache_key_) return cache_;
  auto fresh = std::make_shared<WorkdayCalendar>();
  for (auto& [year, days] : sql::calendar_all(c)) fresh->set_year(year, std::move(days));
  cache_ = fresh;
  cache_key_ = version;
  return cache_;
}

Result<Date> ReferenceService::add_workdays(Date from, int days) { return calendar()->add_workdays(from, days); }

Result<int> ReferenceService::workdays_between(Date from, Date to) { return calendar()->workdays_between(from, to); }

std::vector<CalendarYear> ReferenceService::calendar_years() {
  return db_.read([&](store::Conn& c) { return sql::calendar_years(c); });
}

namespace {
std::map<Date, std::string> day_names(const Json& holiday_file) {
  std::map<Date, std::string> names;
  for (const auto& d : holiday_file.value("days", Json::array()))
    if (auto day = Date::parse(d.value("date", "")); day) names[*day] = d.value("name", "");
  return names;
}
}  // namespace

Result<CalendarYear> ReferenceService::load_calendar_year(int year, const Json& holiday_file,
                                                          const audit::Actor& actor) {
  auto parsed = parse_holiday_year(holiday_file, year);
  if (!parsed) return std::unexpected(parsed.error());
  std::string source = "admin:" + (actor.principal ? actor.principal->name : std::string("?")) + ":" + actor.request_id;
  return db_.write([&](store::Conn& c) -> Result<CalendarYear> {
    sql::replace_calendar_year(c, year, *parsed, day_names(holiday_file), source, clock_.now_ms());
    audit::record(c, clock_, {.actor = actor.principal, .action = "calendar.load", .target = "calendar:" + std::to_string(year),
                              .ip = actor.ip, .request_id = actor.request_id, .after = holiday_file.dump()});
    for (const auto& y : sql::calendar_years(c))
      if (y.year == year) return y;
    throw FatalError("calendar year vanished inside its own transaction");
  });
}

namespace {
std::vector<Division> parse_divisions_csv(const std::string& text) {
  std::vector<Division> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header: code,name,level,parent_code
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) f.push_back(cell);
    if (f.size() < 3) throw FatalError("bad divisions row: " + line);
    Division d{f[0], f[1], f[2], std::nullopt};
    if (f.size() > 3 && !f[3].empty()) d.parent_code = f[3];
    out.push_back(std::move(d));
  }
  return out;
}
}  // namespace

SeedReport ReferenceService::seed() {
  SeedReport report;
  std::vector<std::pair<int, Json>> years;
  std::vector<Division> divisions;
  for (const auto& f : seed_files()) {
    if (f.name.ends_with(".csv")) {
      auto more = parse_divisions_csv(f.text);
      divisions.insert(divisions.end(), more.begin(), more.end());
    } else if (f.name.ends_with(".json")) {
      years.emplace_back(std::stoi(f.name.substr(0, 4)), Json::parse(f.text));
    }
  }
  db_.write([&](store::Conn& c) {
    for (const auto& d : divisions)
      if (sql::insert_division_if_absent(c, d)) ++report.divisions_added;
    for (const auto& [year, file] : years) {
      // A year already present may have been replaced by an administrator: keep theirs.
      if (sql::calendar_year_exists(c, year)) continue;
      auto parsed = parse_holiday_year(file, year);
      if (!parsed) throw FatalError("embedded holiday file " + std::to_string(year) + " is invalid: " +
                                    parsed.error().message);
      sql::replace_calendar_year(c, year, *parsed, day_names(file), "seed:" + std::to_string(year) + ".json",
                                 clock_.now_ms());
      ++report.calendar_years_added;
    }
  });
  return report;
}

}  // namespace tb::reference
