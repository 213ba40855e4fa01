#include "core/principal.h"

namespace tb {

bool division_within(std::string_view code, std::string_view root) {
  std::string_view prefix = root;
  // Remove zero groups from the right: village (3), township (3), county (2), city (2).
  auto strip = [&](std::size_t keep, std::size_t group) {
    if (prefix.size() == keep + group && prefix.substr(keep).find_first_not_of('0') == std::string_view::npos)
      prefix = prefix.substr(0, keep);
  };
  strip(9, 3);
  strip(6, 3);
  strip(4, 2);
  strip(2, 2);
  return code.substr(0, prefix.size()) == prefix;
}

}  // namespace tb
