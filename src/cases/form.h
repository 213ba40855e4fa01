// Checking an application's form data against the item's declared form schema
// (docs/catalog-format.md `form.fields`). Pure: every bad field is reported at once, the same
// rules the web wizard applies as the applicant types.
//
//   auto problems = check_form(item["form"], application["form"], today);
//   if (!problems.empty()) return fail(codes::kValidationFailed, "申请表填写有误", {{"problems", problems}});
#pragma once

#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace tb::cases {

// Length in characters (UTF-8): max_length counts what people see, not bytes.
std::size_t utf8_chars(std::string_view s);

// [{field: "form.area", problem: "min", message: "…", value: …}]; empty when the data is good.
// Fields the schema does not declare are problems too (nothing unvetted is stored).
Json check_form(const Json& form_schema, const Json& data, Date today);

}  // namespace tb::cases
