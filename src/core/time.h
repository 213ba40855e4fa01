// Civil dates and instants. Instants are UTC epoch milliseconds (ARCHITECTURE §4);
// business dates are in Asia/Shanghai, which has had no DST since 1991, so +08:00.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace tb {

using EpochMs = std::int64_t;
inline constexpr EpochMs kBusinessUtcOffsetMs = 8LL * 3600 * 1000;

// A calendar day, ordered and countable.
struct Date {
  std::chrono::sys_days days;

  static Result<Date> parse(std::string_view yyyy_mm_dd);  // strict "YYYY-MM-DD"
  static Date from_ymd(int y, unsigned m, unsigned d);
  std::string to_string() const;
  int year() const;
  bool is_weekend() const;
  Date plus_days(int n) const { return Date{days + std::chrono::days(n)}; }
  auto operator<=>(const Date&) const = default;
};

// "2026-02-12T09:00:00+08:00" or "...Z" (fraction of seconds allowed) → epoch ms.
Result<EpochMs> parse_instant(std::string_view iso8601);
// Epoch ms → "2026-02-12T09:00:00.000+08:00" (business time zone).
std::string format_instant(EpochMs ms);
// The business-zone calendar day an instant falls on.
Date business_date(EpochMs ms);

}  // namespace tb
