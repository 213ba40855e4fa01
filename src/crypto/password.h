// Password hashing with argon2id (libsodium). The encoded string carries its own salt and
// parameters, so it is the only column a login needs.
//
//   account.password_hash = hash_password(form.password);
//   if (!verify_password(account.password_hash, form.password)) return fail(...);
//   if (password_needs_rehash(account.password_hash)) store(hash_password(form.password));
//
// A hash costs 10–20 ms of one core and 19 MiB of memory: callers bound the number of hashes in
// flight (login is the place to rate-limit anyway), or a burst of logins exhausts memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tb::crypto {

// Current parameters; see password.cpp for the measurements behind them.
inline constexpr unsigned long long kPasswordOpsLimit = 2;
inline constexpr std::size_t kPasswordMemLimit = 19u << 20;  // 19 MiB

// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>". Throws std::runtime_error if the hash cannot
// be computed (out of memory).
std::string hash_password(std::string_view pw);
// False for a wrong password and for anything that is not an argon2id encoded string.
bool verify_password(std::string_view encoded, std::string_view pw);
// True when the string was made with other parameters (or is not argon2id at all): rehash at
// the next successful login.
bool password_needs_rehash(std::string_view encoded);

}  // namespace tb::crypto
