#include "crypto/password.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <stdexcept>

namespace tb::crypto {
namespace {

// Parameters. Measured on the 2-core development machine (libsodium 1.0.18, which always uses
// one lane, p=1), hashes per second with one thread / two threads; two runs on a shared,
// loaded machine, so ranges:
//   m=19 MiB t=2 (OWASP minimum)         50–100 /s   ~85 /s   10–20 ms each
//   m=46 MiB t=1 (OWASP, equal strength)  39–55 /s   37–40 /s  18–26 ms
//   m=32 MiB t=3                          26–39 /s   29–33 /s  26–38 ms
//   m=64 MiB t=2 (libsodium INTERACTIVE)   ~20 /s   14–17 /s   ~50 ms
//   m=64 MiB t=3                           ~14 /s   ~12 /s     ~70 ms
// Two threads never doubled throughput: argon2 is largely bound by memory bandwidth. A portal for
// 4.4 million people sees login peaks (office opening, filing deadlines) of tens per second, on
// the same two cores that serve everything else, and every concurrent hash holds its memory
// (server RSS target < 300 MB, ARCHITECTURE §5). OWASP's m=19 MiB, t=2 keeps ~85–100 logins/s
// possible at 19 MiB each and still costs an attacker 19 MiB and two passes per guess; the
// larger settings would cut login capacity 2–5× for a modest gain. Raise t (not m) when the
// hardware allows; password_needs_rehash() upgrades stored hashes at the next login.
static_assert(kPasswordOpsLimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN);
static_assert(kPasswordMemLimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN);

void ensure_sodium() {
  // A function-local static is initialised once even with concurrent first callers.
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

// libsodium reads a NUL-terminated string from a buffer of STRBYTES; callers checked the length.
std::array<char, crypto_pwhash_argon2id_STRBYTES> terminated(std::string_view encoded) {
  std::array<char, crypto_pwhash_argon2id_STRBYTES> buf{};
  encoded.copy(buf.data(), buf.size() - 1);
  return buf;
}

// At most one hash per core at a time: more in flight only adds 19 MiB each and slows
// every other request (bench/auth measured peak RSS 172 MB and 4× p99 at 8 at once).
class HashSlots {
 public:
  HashSlots() : free_(std::max(1u, std::thread::hardware_concurrency())) {}
  void acquire() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    freed_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  unsigned free_;
};

HashSlots& slots() {
  static HashSlots s;
  return s;
}

struct SlotGuard {
  SlotGuard() { slots().acquire(); }
  ~SlotGuard() { slots().release(); }
};

}  // namespace

std::string hash_password(std::string_view pw) {
  ensure_sodium();
  SlotGuard slot;
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_str_alg(out, pw.data(), pw.size(), kPasswordOpsLimit, kPasswordMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  return out;
}

bool verify_password(std::string_view encoded, std::string_view pw) {
  ensure_sodium();
  // Only argon2id: the generic verify would also accept argon2i strings.
  if (!encoded.starts_with(crypto_pwhash_argon2id_STRPREFIX) || encoded.size() >= crypto_pwhash_argon2id_STRBYTES ||
      encoded.find('\0') != std::string_view::npos)
    return false;
  SlotGuard slot;
  return crypto_pwhash_argon2id_str_verify(terminated(encoded).data(), pw.data(), pw.size()) == 0;
}

bool password_needs_rehash(std::string_view encoded) {
  ensure_sodium();
  if (encoded.size() >= crypto_pwhash_argon2id_STRBYTES || encoded.find('\0') != std::string_view::npos) return true;
  // 0: current parameters; 1: other parameters; -1: not an argon2id string.
  return crypto_pwhash_argon2id_str_needs_rehash(terminated(encoded).data(), kPasswordOpsLimit, kPasswordMemLimit) != 0;
}

}  // namespace tb::crypto
