// Licence identifiers of GB/T 36904 (STANDARDS §4):
//   1.2.156.3005.2.<type code>.<issuer code>.<serial>.<3-digit version>.<check>
// where the check character is ISO 7064 MOD 37,36 over type + issuer + serial + version.
//
//   auto id = licence_identifier("11100000000013338W011", "11341500MB1234567A", "20260000001", 1);
//   check_licence_identifier(id);   // the structure and the check character
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace tb::ids {

inline constexpr std::string_view kLicenceOidPrefix = "1.2.156.3005.2.";

// ISO/IEC 7064 MOD 37,36 (hybrid system, alphabet 0–9 A–Z): the check character for `data`.
// Characters outside the alphabet are a caller bug (FatalError).
char mod37_36_check(std::string_view data);

std::string licence_identifier(std::string_view type_code, std::string_view issuer_code, std::string_view serial,
                               int version);

struct IdentifierParts {
  std::string type_code, issuer_code, serial;
  int version = 0;
  char check = 0;
};
// LICENCE_ID_INVALID with the reason (shape, alphabet, check character) otherwise.
Result<IdentifierParts> check_licence_identifier(std::string_view id);

}  // namespace tb::ids
