// Pure rules of the catalogue format (docs/catalog-format.md): validation of items and
// departments, the completeness check before publishing, implementation codes, the
// rendered service guide, and field-level diffs between versions. No I/O here.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"

namespace tb::catalog {

struct Problem {
  std::string field;    // JSON path: "materials[2].condition"
  std::string message;  // Chinese, for the editor
};

struct DepartmentRef {
  std::string uscc;
  std::string division_code;
};
using Departments = std::map<std::string, DepartmentRef>;  // code → …

// Every problem with one department record.
std::vector<Problem> validate_department(const Json& d, const std::set<std::string>& known_divisions);
// Every problem with one item's format (types, allowed values, references, limit rules).
std::vector<Problem> validate_item(const Json& item, const Departments& departments,
                                   const std::set<std::string>& themes);
// Required elements that are missing or empty: an item with any cannot be published.
std::vector<Problem> missing_elements(const Json& item);

// Department USCC + level digit (city 3, county 4, township 5) + basic code: 31 characters.
std::string implementation_code(const Json& item, const Departments& departments);
// "city", "county" or "township" from the shape of a division code.
std::string level_of_division(const std::string& division_code);

// Field-level differences between two versions: path → {"from", "to"} (absent = null).
Json diff(const Json& from, const Json& to);

// Item-type names by national code (1 行政许可 … 20 公共服务).
const std::map<int, std::string>& item_types();

}  // namespace tb::catalog
