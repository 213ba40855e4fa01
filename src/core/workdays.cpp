#include "core/workdays.h"

#include <algorithm>
#include <string>

namespace tb {
namespace {

std::unexpected<Error> invalid(std::string message, Json details) {
  return fail(codes::kCalendarInvalid, std::move(message), std::move(details));
}

std::unexpected<Error> missing_field(std::string_view field, std::string_view expected_type, Json where) {
  where["problem"] = "missing_field";
  where["field"] = field;
  where["expected_type"] = expected_type;
  std::string at = where.contains("index") ? "第 " + std::to_string(where["index"].get<int>() + 1) + " 条记录" : "";
  return invalid("节假日数据" + at + "缺少字段 " + std::string(field) + " 或其类型不对", std::move(where));
}

int day_index(Date jan1, Date d) { return int((d.days - jan1.days).count()); }

}  // namespace

Result<YearExceptions> parse_holiday_year(const Json& doc, int expected_year) {
  if (!doc.is_object()) return invalid("节假日数据应为 JSON 对象", {{"problem", "not_object"}});
  auto year_it = doc.find("year");
  if (year_it == doc.end() || !year_it->is_number_integer()) return missing_field("year", "integer", Json::object());
  auto year = year_it->get<long long>();
  if (year != expected_year)
    return invalid(
        "节假日数据的年份 " + std::to_string(year) + " 与要载入的 " + std::to_string(expected_year) + " 年不符",
        {{"problem", "year_mismatch"}, {"expected", expected_year}, {"actual", year}});
  auto days_it = doc.find("days");
  if (days_it == doc.end() || !days_it->is_array()) return missing_field("days", "array", Json::object());

  YearExceptions out;
  int index = 0;
  for (const Json& entry : *days_it) {
    Json where = {{"index", index}};
    if (!entry.is_object())
      return invalid("节假日数据第 " + std::to_string(index + 1) + " 条记录应为 JSON 对象",
                     {{"problem", "not_object"}, {"index", index}});
    auto name = entry.find("name");
    if (name == entry.end() || !name->is_string()) return missing_field("name", "string", where);
    auto date_text = entry.find("date");
    if (date_text == entry.end() || !date_text->is_string()) return missing_field("date", "string", where);
    auto off = entry.find("isOffDay");
    if (off == entry.end() || !off->is_boolean()) return missing_field("isOffDay", "boolean", where);

    const auto& text = date_text->get_ref<const std::string&>();
    auto date = Date::parse(text);
    std::string at = "节假日数据第 " + std::to_string(index + 1) + " 条记录的日期 " + text;
    if (!date) return invalid(at + " 不是有效日期", {{"problem", "bad_date"}, {"index", index}, {"value", text}});
    if (date->year() != expected_year)
      return invalid(at + " 不在 " + std::to_string(expected_year) + " 年内",
                     {{"problem", "date_outside_year"}, {"index", index}, {"value", text}, {"year", expected_year}});
    // A second entry for the same day would silently win or lose; the file is wrong either way.
    if (!out.emplace(*date, off->get<bool>()).second)
      return invalid(at + " 重复出现", {{"problem", "duplicate_date"}, {"index", index}, {"value", text}});
    ++index;
  }
  return out;
}

void WorkdayCalendar::set_year(int year, YearExceptions exceptions) {
  Year table;
  table.jan1 = Date::from_ymd(year, 1, 1);
  table.length = day_index(table.jan1, Date::from_ymd(year + 1, 1, 1));
  for (int i = 0; i < table.length; ++i) table.workday[i] = !table.jan1.plus_days(i).is_weekend();
  for (const auto& [date, is_off_day] : exceptions) {
    if (date.year() != year)
      throw FatalError("WorkdayCalendar::set_year(" + std::to_string(year) + ") given " + date.to_string());
    table.workday[day_index(table.jan1, date)] = !is_off_day;
  }
  for (int i = 0; i < table.length; ++i) table.before[i + 1] = std::int16_t(table.before[i] + table.workday[i]);
  years_.insert_or_assign(year, table);
}

bool WorkdayCalendar::has_year(int year) const { return years_.contains(year); }

Result<const WorkdayCalendar::Year*> WorkdayCalendar::year_table(int year) const {
  auto it = years_.find(year);
  if (it == years_.end())
    return fail(codes::kCalendarYearMissing, "尚未载入 " + std::to_string(year) + " 年的节假日安排，无法计算工作日",
                {{"year", year}});
  return &it->second;
}

Result<bool> WorkdayCalendar::is_workday(Date d) const {
  auto table = year_table(d.year());
  if (!table) return std::unexpected(table.error());
  return (*table)->workday[day_index((*table)->jan1, d)];
}

Result<int> WorkdayCalendar::count_inclusive(Date a, Date b) const {
  int total = 0;
  int last_year = b.year();
  for (int y = a.year(); y <= last_year; ++y) {
    auto table = year_table(y);
    if (!table) return std::unexpected(table.error());
    const Year& t = **table;
    int lo = y == a.year() ? day_index(t.jan1, a) : 0;
    int hi = y == last_year ? day_index(t.jan1, b) + 1 : t.length;
    total += t.before[hi] - t.before[lo];
  }
  return total;
}

Result<Date> WorkdayCalendar::add_workdays(Date from, int n) const {
  if (n < 0) return fail(codes::kValidationFailed, "工作日天数不能为负数", {{"field", "n"}, {"value", n}});
  if (n == 0) return from;
  Date d = from.plus_days(1);
  int remaining = n;
  // Whole years are skipped by their counts; only the final year is searched.
  for (;;) {
    auto table = year_table(d.year());
    if (!table) return std::unexpected(table.error());
    const Year& t = **table;
    int start = day_index(t.jan1, d);
    int available = t.before[t.length] - t.before[start];
    if (available < remaining) {
      remaining -= available;
      d = t.jan1.plus_days(t.length);
      continue;
    }
    // The first i with before[i] reaching the target is one past the wanted working day.
    int target = t.before[start] + remaining;
    auto first = t.before.begin() + start + 1;
    auto hit = std::lower_bound(first, t.before.begin() + t.length + 1, target);
    return t.jan1.plus_days(int(hit - t.before.begin()) - 1);
  }
}

Result<int> WorkdayCalendar::workdays_between(Date from, Date to) const {
  if (from == to) return 0;
  if (to < from) {
    auto back = count_inclusive(to.plus_days(1), from);
    if (!back) return std::unexpected(back.error());
    return -*back;
  }
  return count_inclusive(from.plus_days(1), to);
}

}  // namespace tb
