// Files (uploaded materials, generated documents) addressed by the SM3 digest of their
// bytes: the same file is stored once, and a digest proves what was stored.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/db.h"

namespace tb::store {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Stores the bytes (idempotent) and returns their SM3 digest, 64 hex characters.
  virtual std::string put(std::string_view bytes) = 0;
  // BLOB_NOT_FOUND when nothing is stored under the digest.
  virtual Result<std::string> get(std::string_view digest) = 0;
  virtual bool contains(std::string_view digest) = 0;

  // A local folder: DIR/ab/cdef… (written to a temp file, synced, then renamed).
  static std::unique_ptr<BlobStore> local(std::filesystem::path dir);
  // The `blobs` table, shared by every node on one PostgreSQL.
  static std::unique_ptr<BlobStore> database(Db& db, const Clock& clock);
};

}  // namespace tb::store
