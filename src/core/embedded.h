// Files compiled into the binary (migrations, seed data, OpenAPI fragments) by
// cmake/embed.cmake, so a deployed binary needs no source tree.
#pragma once

#include <string>
#include <vector>

namespace tb {

struct EmbeddedFile {
  std::string name;  // base name, e.g. "0001_divisions.sql"
  std::string text;
};

}  // namespace tb
