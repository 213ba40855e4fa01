// The seal's picture: the round red seal of a Chinese authority — the department's name
// around the top, a five-pointed star in the middle, the seal's use below — as SVG with
// the CJK fonts Debian ships (Noto Serif CJK, WenQuanYi).
#pragma once

#include <string>

namespace tb::seal {

std::string seal_svg(const std::string& department_name, const std::string& use);

}  // namespace tb::seal
