#include "seal/picture.h"

#include <cmath>
#include <cstdio>

namespace tb::seal {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string star(double cx, double cy, double r) {
  std::string points;
  for (int i = 0; i < 10; ++i) {
    double radius = i % 2 ? r * 0.382 : r;
    double a = -M_PI / 2 + i * M_PI / 5;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f,%.2f ", cx + radius * std::cos(a), cy + radius * std::sin(a));
    points += buf;
  }
  return points;
}

}  // namespace

std::string seal_svg(const std::string& department_name, const std::string& use) {
  // 42 mm round seal drawn on a 200-unit canvas; the name runs along an arc over the top.
  std::string name = escape(department_name), below = escape(use);
  return R"(<svg xmlns="http://www.w3.org/2000/svg" width="42mm" height="42mm" viewBox="0 0 200 200">)"
         R"(<defs><path id="arc" d="M 38 112 A 64 64 0 1 1 162 112"/></defs>)"
         R"(<circle cx="100" cy="100" r="94" fill="none" stroke="#d40000" stroke-width="6"/>)"
         R"(<polygon fill="#d40000" points=")" +
         star(100, 98, 30) +
         R"("/><text font-family="Noto Serif CJK SC, WenQuanYi Zen Hei, serif" font-size="22" fill="#d40000" )"
         R"(text-anchor="middle"><textPath href="#arc" startOffset="50%">)" +
         name +
         R"(</textPath></text><text x="100" y="162" font-family="Noto Serif CJK SC, WenQuanYi Zen Hei, serif" )"
         R"(font-size="16" fill="#d40000" text-anchor="middle">)" +
         below + "</text></svg>";
}

}  // namespace tb::seal
