// One-time passwords for the second factor of staff with administrative rights (STANDARDS §8):
// HOTP (RFC 4226) and TOTP (RFC 6238), with the base32 secrets authenticator apps exchange.
//
//   std::string secret = random_bytes(20);               // stored sealed (DataKey), never plain
//   show_qr(totp_uri("六安市政务服务", staff.login, base32_encode(secret)));
//   auto step = totp_verify(secret, form.code, clock.now_ms() / 1000);
//   if (!step || *step <= staff.last_totp_step) return fail(...);   // refuse replays
//   staff.last_totp_step = *step;
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tb::crypto {

// RFC 4648 base32, upper case, without '=' padding (what otpauth URIs and apps use).
std::string base32_encode(std::string_view bytes);
// Case-insensitive; trailing '=' padding optional; spaces ignored (people copy secrets in
// groups of four). nullopt for other characters or a length no encoding produces.
std::optional<std::string> base32_decode(std::string_view text);

// The key is raw bytes (not base32). digits 6–10; digest an OpenSSL name ("SHA1", "SHA256",
// "SHA512"). Throws std::invalid_argument for other digits, an unknown digest or negative time.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = 6, std::string_view digest = "SHA1");
std::string totp(std::string_view key, std::int64_t unix_seconds, int digits = 6, int step = 30,
                 std::string_view digest = "SHA1");

// Checks a 6-digit SHA1 code with a 30-second step, accepting `window` steps either side for
// clock drift (window is clamped to 0–10). Returns the time step that matched, so callers can
// refuse a second use of the same (or an earlier) step; nullopt when nothing matched.
std::optional<std::int64_t> totp_verify(std::string_view key, std::string_view code, std::int64_t unix_seconds,
                                        int window = 1);

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30,
// issuer and account percent-encoded as UTF-8 (Chinese issuers show correctly in the apps
// that read the issuer parameter). An empty issuer leaves out the prefix and the parameter.
std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view base32_secret);

}  // namespace tb::crypto
