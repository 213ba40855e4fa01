// SQL of the reference module; only service.cpp calls it.
#pragma once

#include "reference/reference.h"

namespace tb::reference::sql {

bool insert_division_if_absent(store::Conn& c, const Division& d);
std::optional<Division> find_division(store::Conn& c, std::string_view code);
std::vector<Division> children(store::Conn& c, std::string_view parent, std::string_view after_code, int limit);
std::vector<Division> roots(store::Conn& c, std::string_view after_code, int limit);

// (number of years, sum of revisions): changes whenever any year is loaded or replaced.
std::pair<std::int64_t, std::int64_t> calendar_version(store::Conn& c);
std::map<int, YearExceptions> calendar_all(store::Conn& c);
std::vector<CalendarYear> calendar_years(store::Conn& c);
bool calendar_year_exists(store::Conn& c, int year);
void replace_calendar_year(store::Conn& c, int year, const YearExceptions& days, const std::map<Date, std::string>& names,
                           const std::string& source, EpochMs at);

}  // namespace tb::reference::sql
