#include "core/licence_id.h"

#include <vector>

namespace tb::ids {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

int value_of(char c) {
  auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : int(at);
}

std::unexpected<Error> invalid(std::string message, std::string_view id) {
  return fail(codes::kLicenceIdInvalid, std::move(message), {{"id", std::string(id)}});
}

}  // namespace

char mod37_36_check(std::string_view data) {
  constexpr int M = 36;
  int p = M;
  for (char c : data) {
    int v = value_of(c);
    if (v < 0) throw FatalError("mod37_36_check: character outside 0-9A-Z");
    int s = (p + v) % M;
    if (s == 0) s = M;
    p = (s * 2) % (M + 1);
  }
  return kAlphabet[std::size_t((M + 1 - p) % M)];
}

std::string licence_identifier(std::string_view type_code, std::string_view issuer_code, std::string_view serial,
                               int version) {
  char v[4];
  std::snprintf(v, sizeof v, "%03d", version);
  std::string data = std::string(type_code) + std::string(issuer_code) + std::string(serial) + v;
  return std::string(kLicenceOidPrefix) + std::string(type_code) + "." + std::string(issuer_code) + "." +
         std::string(serial) + "." + v + "." + mod37_36_check(data);
}

Result<IdentifierParts> check_licence_identifier(std::string_view id) {
  if (!id.starts_with(kLicenceOidPrefix)) return invalid("证照标识须以 1.2.156.3005.2. 开头", id);
  std::vector<std::string> parts;
  std::string_view rest = id.substr(kLicenceOidPrefix.size());
  for (std::size_t start = 0;;) {
    auto dot = rest.find('.', start);
    parts.emplace_back(rest.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 5) return invalid("证照标识应由类型代码、颁发机构代码、流水号、版本号和校验位五段组成", id);
  const auto& [type, issuer, serial, version, check] = std::tie(parts[0], parts[1], parts[2], parts[3], parts[4]);
  if (type.empty() || issuer.empty() || serial.empty()) return invalid("证照标识有空段", id);
  if (version.size() != 3 || version.find_first_not_of("0123456789") != std::string::npos)
    return invalid("版本号应为 3 位数字", id);
  if (check.size() != 1) return invalid("校验位应为 1 个字符", id);
  for (const std::string* s : {&type, &issuer, &serial})
    for (char c : *s)
      if (value_of(c) < 0) return invalid("证照标识只能含数字和大写字母", id);
  if (mod37_36_check(type + issuer + serial + version) != check[0]) return invalid("校验位不正确", id);
  return IdentifierParts{type, issuer, serial, std::stoi(version), check[0]};
}

}  // namespace tb::ids
