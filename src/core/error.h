// The one error model. A failure a caller must handle is a value (Result<T>), not a
// throw: it carries a stable English code, a message for people (Chinese) and details.
// Exceptions mean bugs or failed start-up.
//
//   Result<Date> d = parse_date(text);
//   if (!d) return std::unexpected(d.error());
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error_codes.h"

namespace tb {

using Json = nlohmann::json;

struct Error {
  std::string code;
  std::string message;
  Json details = Json::object();
  int http_status() const { return http_status_for(code); }
  Json to_json() const;
};

template <class T>
using Result = std::expected<T, Error>;

// Builds the unexpected value: `return fail(codes::kNotFound, "未找到该区划", {{"code", c}});`
std::unexpected<Error> fail(std::string_view code, std::string message, Json details = Json::object());

// Thrown only for failed start-up or broken invariants; turned into 500 at the edge.
struct FatalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tb
