#include "reference/store.h"

namespace tb::reference::sql {
namespace {
Division division_from(const store::Row& r) {
  return Division{r.text(0), r.text(1), r.text(2), r.opt_text(3)};
}
}  // namespace

bool insert_division_if_absent(store::Conn& c, const Division& d) {
  return c.exec("INSERT INTO divisions(code, name, level, parent_code) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (code) DO NOTHING",
                {d.code, d.name, d.level, d.parent_code}) == 1;
}

std::optional<Division> find_division(store::Conn& c, std::string_view code) {
  auto rows = c.query("SELECT code, name, level, parent_code FROM divisions WHERE code = ?", {code});
  if (rows.empty()) return std::nullopt;
  return division_from(rows[0]);
}

std::vector<Division> children(store::Conn& c, std::string_view parent, std::string_view after_code, int limit) {
  std::vector<Division> out;
  for (const auto& r : c.query("SELECT code, name, level, parent_code FROM divisions "
                               "WHERE parent_code = ? AND code > ? ORDER BY code LIMIT ?",
                               {parent, after_code, limit}))
    out.push_back(division_from(r));
  return out;
}

std::vector<Division> roots(store::Conn& c, std::string_view after_code, int limit) {
  std::vector<Division> out;
  for (const auto& r : c.query("SELECT d.code, d.name, d.level, d.parent_code FROM divisions d "
                               "WHERE d.code > ? AND NOT EXISTS (SELECT 1 FROM divisions p WHERE p.code = d.parent_code) "
                               "ORDER BY d.code LIMIT ?",
                               {after_code, limit}))
    out.push_back(division_from(r));
  return out;
}

std::pair<std::int64_t, std::int64_t> calendar_version(store::Conn& c) {
  auto r = c.query("SELECT count(*), coalesce(sum(revision), 0) FROM calendar_years").at(0);
  return {r.i64(0), r.i64(1)};
}

std::map<int, YearExceptions> calendar_all(store::Conn& c) {
  std::map<int, YearExceptions> out;
  for (const auto& r : c.query("SELECT year FROM calendar_years")) out[static_cast<int>(r.i64(0))];
  for (const auto& r : c.query("SELECT year, day, is_off_day FROM calendar_days")) {
    auto day = Date::parse(r.text(1));
    if (!day) throw FatalError("calendar_days holds a bad date: " + r.text(1));
    out[static_cast<int>(r.i64(0))][*day] = r.i64(2) == 1;
  }
  return out;
}

std::vector<CalendarYear> calendar_years(store::Conn& c) {
  std::vector<CalendarYear> out;
  for (const auto& r : c.query(
           "SELECT y.year, y.revision, y.source, "
           " (SELECT count(*) FROM calendar_days d WHERE d.year = y.year AND d.is_off_day = 1), "
           " (SELECT count(*) FROM calendar_days d WHERE d.year = y.year AND d.is_off_day = 0) "
           "FROM calendar_years y ORDER BY y.year"))
    out.push_back(CalendarYear{static_cast<int>(r.i64(0)), static_cast<int>(r.i64(3)), static_cast<int>(r.i64(4)),
                               static_cast<int>(r.i64(1)), r.text(2)});
  return out;
}

bool calendar_year_exists(store::Conn& c, int year) {
  return !c.query("SELECT 1 FROM calendar_years WHERE year = ?", {year}).empty();
}

void replace_calendar_year(store::Conn& c, int year, const YearExceptions& days, const std::map<Date, std::string>& names,
                           const std::string& source, EpochMs at) {
  c.exec("DELETE FROM calendar_days WHERE year = ?", {year});
  c.exec("INSERT INTO calendar_years(year, revision, source, loaded_at) VALUES (?, 1, ?, ?) "
         "ON CONFLICT (year) DO UPDATE SET revision = calendar_years.revision + 1, source = excluded.source, "
         "loaded_at = excluded.loaded_at",
         {year, source, static_cast<long long>(at)});
  for (const auto& [day, off] : days) {
    auto name = names.find(day);
    c.exec("INSERT INTO calendar_days(day, year, is_off_day, name) VALUES (?, ?, ?, ?)",
           {day.to_string(), year, off, name == names.end() ? std::string() : name->second});
  }
}

}  // namespace tb::reference::sql
