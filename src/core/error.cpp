#include "core/error.h"

namespace tb {

Json Error::to_json() const {
  return Json{{"error", {{"code", code}, {"message", message}, {"details", details}}}};
}

std::unexpected<Error> fail(std::string_view code, std::string message, Json details) {
  if (details.is_null()) details = Json::object();
  return std::unexpected(Error{std::string(code), std::move(message), std::move(details)});
}

}  // namespace tb
