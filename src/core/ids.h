// Checks for the national identity numbers the platform accepts (STANDARDS §1): resident ID
// (GB 11643-1999), unified social credit code (GB 32100-2015), organisation code (GB 11714)
// and division codes (GB/T 2260 with the statistical township and village parts).
//
// A failed check is an ordinary answer, not an error: the reason is a Chinese sentence a
// form can show next to the field. Reasons never repeat the birth date or the whole number,
// so they are safe to log.
//
//   ids::Check c = ids::check_resident_id(form.id_number, clock.today());
//   if (!c.valid) return fail(codes::kValidationFailed, c.reason, {{"field", "id_number"}});
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"

namespace tb::ids {

struct Check {
  bool valid;
  std::string reason;  // which rule failed, in Chinese; "校验通过" when valid
};

// 18 characters; the rules are checked in order and the first failure is reported. Besides
// the GB/T 2260 provinces, 83 is accepted: residence permits for Taiwan residents use 830000
// (Hong Kong 810000, Macao 820000), and a service platform must not turn those people away.
Check check_resident_id(std::string_view id, Date today);
// 18 characters, including the GB 11714 check of the organisation code in positions 9–17.
Check check_uscc(std::string_view code);
// 9 characters as stored, without the hyphen often printed before the check character.
Check check_org_code(std::string_view nine_chars);
// 6 (province, city, county), 9 (+ township) or 12 (+ village or community) digits.
Check check_division_code(std::string_view code);

// Check characters, for building test data and for callers that already checked the
// alphabet; the preconditions are not verified.
char resident_check_char(std::string_view first17);  // 17 digits → '0'–'9' or 'X'
char uscc_check_char(std::string_view first17);      // 17 characters of the USCC alphabet
char org_code_check_char(std::string_view first8);   // 8 characters of 0–9, A–Z → '0'–'9' or 'X'

}  // namespace tb::ids
