// What the identity service files share; not part of the module's API.
#pragma once

#include "identity/identity.h"

namespace tb::identity {

struct IdentityService::Impl {
  Impl(store::Db& db, const Clock& clock, const crypto::DataKey& key, const Config& config);

  store::Db& db;
  const Clock& clock;
  const crypto::DataKey& key;
  const Config& config;
  std::string dummy_hash;  // verified against for unknown accounts, to even out timing

  static std::string normalise_id(std::string_view id);
  static bool valid_phone(std::string_view phone);
  // 17 digits and a digit or X: what the login field takes for a resident ID number.
  static bool looks_like_id_number(std::string_view s);
  static std::unexpected<Error> invalid_credentials();
  std::string id_index(std::string_view id_number) const;
  std::string phone_index(std::string_view phone) const;
  Principal principal_of(const Account& a, std::int64_t session_id) const;
  Result<void> check_otp(const std::string& phone_index, const std::string& purpose, const std::string& code);
  void audit(store::Conn& c, const Principal* actor, const std::string& claimed, const std::string& action,
             const std::string& target, bool success, const Origin& o, Json details = Json::object()) const;
};

using Impl = IdentityService::Impl;

}  // namespace tb::identity
