#include "core/time.h"

#include <charconv>
#include <cstdio>

namespace tb {
namespace {

bool parse_uint(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::unexpected<Error> bad_date(std::string_view text) {
  return fail(codes::kInvalidDate, "日期格式不正确，应为 YYYY-MM-DD 的真实日期", {{"value", std::string(text)}});
}

}  // namespace

Result<Date> Date::parse(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !parse_uint(s.substr(0, 4), y) ||
      !parse_uint(s.substr(5, 2), m) || !parse_uint(s.substr(8, 2), d))
    return bad_date(s);
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return bad_date(s);
  return Date{std::chrono::sys_days(ymd)};
}

Date Date::from_ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                                                std::chrono::day(d)})};
}

std::string Date::to_string() const {
  std::chrono::year_month_day ymd(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

int Date::year() const { return int(std::chrono::year_month_day(days).year()); }

bool Date::is_weekend() const {
  auto wd = std::chrono::weekday(days);
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

Result<EpochMs> parse_instant(std::string_view s) {
  auto bad = [&] {
    return fail(codes::kInvalidDate, "时间格式不正确，应为 ISO 8601，例如 2026-02-12T09:00:00+08:00",
                {{"value", std::string(s)}});
  };
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return bad();
  auto date = Date::parse(s.substr(0, 10));
  if (!date) return bad();
  int hh = 0, mm = 0, ss = 0;
  if (!parse_uint(s.substr(11, 2), hh) || !parse_uint(s.substr(14, 2), mm) || !parse_uint(s.substr(17, 2), ss) ||
      hh > 23 || mm > 59 || ss > 60)
    return bad();
  std::size_t pos = 19;
  EpochMs millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
    std::string frac(s.substr(start, std::min<std::size_t>(3, pos - start)));
    frac.resize(3, '0');
    millis = std::stoi(frac);
  }
  EpochMs offset_ms = 0;
  std::string_view zone = s.substr(pos);
  if (zone == "Z") {
    offset_ms = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0, om = 0;
    if (!parse_uint(zone.substr(1, 2), oh) || !parse_uint(zone.substr(4, 2), om) || oh > 14 || om > 59) return bad();
    offset_ms = (oh * 60LL + om) * 60000LL * (zone[0] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  EpochMs day_ms = std::chrono::duration_cast<std::chrono::milliseconds>(date->days.time_since_epoch()).count();
  return day_ms + ((hh * 60LL + mm) * 60LL + ss) * 1000LL + millis - offset_ms;
}

std::string format_instant(EpochMs ms) {
  EpochMs local = ms + kBusinessUtcOffsetMs;
  EpochMs day_ms = 86400000LL;
  EpochMs day = local >= 0 ? local / day_ms : (local - day_ms + 1) / day_ms;
  EpochMs rest = local - day * day_ms;
  Date d{std::chrono::sys_days(std::chrono::days(day))};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld.%03lld+08:00", d.to_string().c_str(),
                (long long)(rest / 3600000), (long long)(rest / 60000 % 60), (long long)(rest / 1000 % 60),
                (long long)(rest % 1000));
  return buf;
}

Date business_date(EpochMs ms) {
  EpochMs local = ms + kBusinessUtcOffsetMs;
  EpochMs day_ms = 86400000LL;
  EpochMs day = local >= 0 ? local / day_ms : (local - day_ms + 1) / day_ms;
  return Date{std::chrono::sys_days(std::chrono::days(day))};
}

}  // namespace tb
