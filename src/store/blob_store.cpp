#include "store/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "crypto/crypto.h"

namespace tb::store {
namespace {

bool is_digest(std::string_view d) {
  if (d.size() != 64) return false;
  for (char c : d)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::unexpected<Error> not_found(std::string_view digest) {
  return fail(codes::kBlobNotFound, "文件不存在", {{"digest", std::string(digest)}});
}

class LocalBlobStore final : public BlobStore {
 public:
  explicit LocalBlobStore(std::filesystem::path dir) : dir_(std::move(dir)) { std::filesystem::create_directories(dir_); }

  std::string put(std::string_view bytes) override {
    std::string digest = crypto::sm3_hex(bytes);
    auto target = path_of(digest);
    if (std::filesystem::exists(target)) return digest;
    std::filesystem::create_directories(target.parent_path());
    auto temp = target;
    temp += ".tmp-" + crypto::random_hex(8);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0640);
    if (fd < 0) throw std::runtime_error("cannot create " + temp.string());
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        ::close(fd);
        std::filesystem::remove(temp);
        throw std::runtime_error("cannot write " + temp.string());
      }
      done += static_cast<std::size_t>(n);
    }
    // Durable before it becomes visible under its name.
    ::fsync(fd);
    ::close(fd);
    std::filesystem::rename(temp, target);
    return digest;
  }

  Result<std::string> get(std::string_view digest) override {
    if (!is_digest(digest)) return not_found(digest);
    std::ifstream in(path_of(digest), std::ios::binary);
    if (!in) return not_found(digest);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  bool contains(std::string_view digest) override {
    return is_digest(digest) && std::filesystem::exists(path_of(digest));
  }

 private:
  std::filesystem::path path_of(std::string_view digest) const {
    return dir_ / std::string(digest.substr(0, 2)) / std::string(digest.substr(2));
  }
  std::filesystem::path dir_;
};

class DatabaseBlobStore final : public BlobStore {
 public:
  DatabaseBlobStore(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  std::string put(std::string_view bytes) override {
    std::string digest = crypto::sm3_hex(bytes);
    db_.write([&](Conn& c) {
      c.exec("INSERT INTO blobs(digest, size, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
             {digest, static_cast<long long>(bytes.size()), Blob{std::string(bytes)},
              static_cast<long long>(clock_.now_ms())});
    });
    return digest;
  }

  Result<std::string> get(std::string_view digest) override {
    if (!is_digest(digest)) return not_found(digest);
    auto rows = db_.read([&](Conn& c) { return c.query("SELECT data FROM blobs WHERE digest = ?", {digest}); });
    if (rows.empty()) return not_found(digest);
    return rows[0].blob(0);
  }

  bool contains(std::string_view digest) override {
    if (!is_digest(digest)) return false;
    return db_.read([&](Conn& c) { return !c.query("SELECT 1 FROM blobs WHERE digest = ?", {digest}).empty(); });
  }

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace

std::unique_ptr<BlobStore> BlobStore::local(std::filesystem::path dir) {
  return std::make_unique<LocalBlobStore>(std::move(dir));
}

std::unique_ptr<BlobStore> BlobStore::database(Db& db, const Clock& clock) {
  return std::make_unique<DatabaseBlobStore>(db, clock);
}

}  // namespace tb::store
