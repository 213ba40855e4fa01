#include "audit/audit.h"

#include "crypto/crypto.h"

namespace tb::audit {
namespace {

std::string digest_or_empty(const std::string& text) { return text.empty() ? "" : crypto::sm3_hex(text); }

// The hashed form of a record: every field, in a fixed order, with separators that
// cannot occur in the fields' JSON encoding.
std::string chain_hash(const Record& r) {
  Json fields = Json::array({r.id, r.at, r.actor_id ? Json(*r.actor_id) : Json(nullptr), r.actor_name, r.role, r.action,
                             r.target, r.outcome, r.ip, r.request_id, r.before_digest, r.after_digest, r.details.dump()});
  return crypto::sm3_hex(r.prev_hash + "\n" + fields.dump());
}

Record from_row(const store::Row& row) {
  Record r;
  r.id = row.i64(0);
  r.at = row.i64(1);
  r.actor_id = row.opt_i64(2);
  r.actor_name = row.text(3);
  r.role = row.text(4);
  r.action = row.text(5);
  r.target = row.text(6);
  r.outcome = row.text(7);
  r.ip = row.text(8);
  r.request_id = row.text(9);
  r.before_digest = row.text(10);
  r.after_digest = row.text(11);
  r.details = Json::parse(row.text(12), nullptr, false);
  r.prev_hash = row.text(13);
  r.hash = row.text(14);
  return r;
}

constexpr const char* kColumns =
    "id, at, actor_id, actor_name, role, action, target, outcome, ip, request_id, before_digest, after_digest, "
    "details, prev_hash, hash";

}  // namespace

std::vector<store::Migration> migrations() { return store::module_migrations("audit", migration_files()); }

void record(store::Conn& c, const Clock& clock, const Entry& e) {
  // Taking the head row first locks the chain's end until this transaction commits (one
  // statement locks and reads it). Callers record last in their transaction so that the
  // lock, which every writer needs, is held as briefly as possible.
  auto head = c.query("UPDATE audit_head SET last_id = last_id WHERE id = 1 RETURNING last_id, last_hash").at(0);
  Record r;
  r.id = head.i64(0) + 1;
  r.at = clock.now_ms();
  if (e.actor) {
    r.actor_id = e.actor->account_id;
    r.actor_name = e.actor->name;
    for (const auto& g : e.actor->roles) r.role += (r.role.empty() ? "" : ",") + g.role;
  } else {
    r.actor_name = e.actor_name;
  }
  r.action = e.action;
  r.target = e.target;
  r.outcome = e.success ? "success" : "failure";
  r.ip = e.ip;
  r.request_id = e.request_id;
  r.before_digest = digest_or_empty(e.before);
  r.after_digest = digest_or_empty(e.after);
  r.details = e.details.is_null() ? Json::object() : e.details;
  r.prev_hash = head.text(1);
  r.hash = chain_hash(r);
  c.exec(std::string("INSERT INTO audit_log (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
         {r.id, r.at, r.actor_id, r.actor_name, r.role, r.action, r.target, r.outcome, r.ip, r.request_id,
          r.before_digest, r.after_digest, r.details.dump(), r.prev_hash, r.hash});
  c.exec("UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1", {r.id, r.hash});
}

std::vector<Record> list(store::Db& db, const Filter& f) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM audit_log WHERE 1 = 1";
  store::Params params;
  if (f.before_id > 0) {
    sql += " AND id < ?";
    params.emplace_back(f.before_id);
  }
  if (f.actor_id) {
    sql += " AND actor_id = ?";
    params.emplace_back(*f.actor_id);
  }
  if (f.action) {
    sql += " AND action = ?";
    params.emplace_back(*f.action);
  }
  if (f.outcome) {
    sql += " AND outcome = ?";
    params.emplace_back(*f.outcome);
  }
  if (f.from) {
    sql += " AND at >= ?";
    params.emplace_back(*f.from);
  }
  if (f.to) {
    sql += " AND at < ?";
    params.emplace_back(*f.to);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(f.limit);
  return db.read([&](store::Conn& c) {
    std::vector<Record> out;
    for (const auto& row : c.query(sql, params)) out.push_back(from_row(row));
    return out;
  });
}

Verification verify(store::Db& db) {
  return db.read([&](store::Conn& c) {
    Verification v;
    std::string prev;
    std::int64_t expected_id = 1;
    // In pages, so a large log is not held in memory at once.
    for (std::int64_t after = 0;;) {
      auto rows = c.query(std::string("SELECT ") + kColumns + " FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000",
                          {after});
      if (rows.empty()) break;
      for (const auto& row : rows) {
        Record r = from_row(row);
        if (r.id != expected_id) {
          v.first_broken = r.id;
          v.reason = "记录 " + std::to_string(expected_id) + " 缺失";
          return v;
        }
        if (r.prev_hash != prev) {
          v.first_broken = r.id;
          v.reason = "与上一条记录的链接不符";
          return v;
        }
        if (r.details.is_discarded() || chain_hash(r) != r.hash) {
          v.first_broken = r.id;
          v.reason = "记录内容与其哈希不符（被改动）";
          return v;
        }
        prev = r.hash;
        ++expected_id;
        ++v.checked;
        after = r.id;
      }
    }
    auto head = c.query("SELECT last_id, last_hash FROM audit_head WHERE id = 1");
    if (head.empty() || head[0].i64(0) != expected_id - 1 || head[0].text(1) != prev) {
      v.first_broken = expected_id;
      v.reason = "链尾与最后一条记录不符（末尾记录被删除或链尾被改动）";
    }
    return v;
  });
}

}  // namespace tb::audit
