// Personal data at rest (ARCHITECTURE §4): ID numbers and phone numbers are stored sealed
// with SM4 and found again through a keyed blind index, never in plaintext.
//
//   DataKey key = DataKey::from_hex(config.data_key_hex).value();
//   row.id_number_sealed = key.seal(id, "person.id_number");
//   row.id_number_index = key.blind_index(id, "person.id_number");     // WHERE id_number_index = ?
//   std::optional<std::string> id = key.open(row.id_number_sealed, "person.id_number");
//
// The context names the column a value belongs to, so a sealed phone number copied into the
// ID-number column does not open. The blind index is exact-match: normalise before indexing
// (upper-case the X of an ID number, strip "+86" and spaces from phones) or look-ups miss.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tb::crypto {

class DataKey {
 public:
  static constexpr std::size_t kSecretSize = 32;
  static constexpr unsigned char kVersion = 0x01;
  static constexpr std::size_t kIvSize = 16;
  static constexpr std::size_t kTagSize = 32;
  static constexpr std::size_t kOverhead = 1 + kIvSize + kTagSize;  // sealed size = plaintext size + 49

  static DataKey from_secret(std::string_view secret32);  // throws std::invalid_argument unless 32 bytes
  static std::optional<DataKey> from_hex(std::string_view hex64);
  static DataKey generate();

  DataKey(const DataKey&) = default;
  DataKey& operator=(const DataKey&) = default;
  ~DataKey();

  // version 0x01 | 16-byte random IV | SM4-CTR ciphertext | 32-byte HMAC-SM3 tag. The tag covers
  // version | iv | ciphertext | context | context length as 8 bytes big-endian; the length keeps
  // the ciphertext/context boundary unambiguous (otherwise bytes could move from one to the
  // other when one context is a suffix of another).
  std::string seal(std::string_view plaintext, std::string_view context) const;
  // nullopt when tampered, truncated, sealed under another key or another context.
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;
  // 64 lowercase hex characters: HMAC-SM3(index key, purpose | 0x00 | value). Deterministic by
  // design (that is what makes look-up possible); purpose must not contain a NUL byte.
  std::string blind_index(std::string_view value, std::string_view purpose) const;

  // The master secret as 64 hex characters, to hand a generated key to configuration. Never log it.
  std::string secret_hex() const;

 private:
  DataKey() = default;

  std::array<unsigned char, kSecretSize> secret_{};
  std::array<unsigned char, 16> enc_key_{};  // SM4 is a 128-bit cipher
  std::array<unsigned char, 32> mac_key_{};
  std::array<unsigned char, 32> index_key_{};
};

// Masks for logs and lists. Both count UTF-8 code points, so a stray non-ASCII character is
// masked whole rather than cut into invalid bytes.
//   ≥ 9 characters: first 4 and last 4 kept ("34052419800101001X" → "3405**********001X");
//   1–8 characters: everything masked, length kept. With so few characters, showing 8 of them
//   would show nearly all of a fragment; a short value here is a typo or a foreign document.
std::string mask_id_number(std::string_view id);
//   ≥ 8 characters: first 3 and last 4 kept ("13812345678" → "138****5678", "+8613812345678" →
//   "+86*******5678"); 1–7 characters (local landline numbers): everything masked, length kept.
std::string mask_phone(std::string_view phone);

}  // namespace tb::crypto
