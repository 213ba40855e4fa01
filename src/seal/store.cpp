#include "seal/store.h"

namespace tb::seal::sql {
namespace {

constexpr const char* kSealColumns =
    "id, es_id, department, type, name, state, valid_from, valid_to, cert_pem, key_sealed, seal_der, picture, "
    "applied_by, version, created_at, updated_at";

std::optional<std::string> opt_blob(const store::Row& r, std::size_t i) {
  if (r.is_null(i)) return std::nullopt;
  return r.blob(i);
}

SealRow seal_row(const store::Row& r) {
  return {r.i64(0),          r.text(1),         r.text(2),        int(r.i64(3)), r.text(4),  r.text(5),
          r.i64(6),          r.i64(7),          r.opt_text(8),    opt_blob(r, 9), opt_blob(r, 10), r.opt_text(11),
          r.i64(12),         r.i64(13),         r.i64(14),        r.i64(15)};
}

store::Value blob_or_null(const std::optional<std::string>& b) {
  return b ? store::Value(store::Blob{*b}) : store::Value();
}

}  // namespace

std::optional<CaRow> ca(store::Conn& c) {
  auto rows = c.query("SELECT cert_pem, key_sealed FROM seal_ca WHERE id = 1");
  if (rows.empty()) return std::nullopt;
  return CaRow{rows[0].text(0), rows[0].blob(1)};
}

void insert_ca(store::Conn& c, const CaRow& row, EpochMs now) {
  c.exec("INSERT INTO seal_ca (id, cert_pem, key_sealed, created_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
         {row.cert_pem, store::Blob{row.key_sealed}, now});
}

std::optional<SealRow> seal(store::Conn& c, const std::string& es_id) {
  auto rows = c.query(std::string("SELECT ") + kSealColumns + " FROM seals WHERE es_id = ?", {es_id});
  if (rows.empty()) return std::nullopt;
  return seal_row(rows[0]);
}

std::vector<SealRow> seals(store::Conn& c, const std::optional<std::string>& department) {
  std::vector<SealRow> out;
  auto rows = department ? c.query(std::string("SELECT ") + kSealColumns + " FROM seals WHERE department = ? ORDER BY id",
                                   {*department})
                         : c.query(std::string("SELECT ") + kSealColumns + " FROM seals ORDER BY id");
  for (const auto& r : rows) out.push_back(seal_row(r));
  return out;
}

std::optional<SealRow> issued_seal(store::Conn& c, const std::string& department, int type) {
  auto rows = c.query(std::string("SELECT ") + kSealColumns +
                          " FROM seals WHERE department = ? AND type = ? AND state = 'issued' ORDER BY id DESC LIMIT 1",
                      {department, type});
  if (rows.empty()) return std::nullopt;
  return seal_row(rows[0]);
}

std::int64_t insert_seal(store::Conn& c, const SealRow& r) {
  return c
      .query("INSERT INTO seals (es_id, department, type, name, state, valid_from, valid_to, cert_pem, key_sealed, "
             "seal_der, picture, applied_by, version, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
             {r.es_id, r.department, r.type, r.name, r.state, r.valid_from, r.valid_to, r.cert_pem,
              blob_or_null(r.key_sealed), blob_or_null(r.seal_der), r.picture, r.applied_by, r.created_at,
              r.created_at})
      .at(0)
      .i64(0);
}

bool update_seal(store::Conn& c, const SealRow& r, EpochMs now) {
  return c.exec("UPDATE seals SET state = ?, cert_pem = ?, key_sealed = ?, seal_der = ?, picture = ?, "
                "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                {r.state, r.cert_pem, blob_or_null(r.key_sealed), blob_or_null(r.seal_der), r.picture, now, r.id,
                 r.version}) == 1;
}

std::int64_t next_seal_number(store::Conn& c, const std::string& prefix) {
  return c.query("SELECT count(*) FROM seals WHERE es_id LIKE ?", {prefix + "%"}).at(0).i64(0) + 1;
}

void insert_event(store::Conn& c, std::int64_t seal_id, const std::string& action, const std::string& from,
                  const std::string& to, std::optional<std::int64_t> actor, const Json& details, EpochMs now) {
  c.exec("INSERT INTO seal_events (seal_id, action, from_state, to_state, actor_id, details, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
         {seal_id, action, from.empty() ? store::Value() : store::Value(from), to, actor, details.dump(), now});
}

std::vector<Json> events(store::Conn& c, std::int64_t seal_id) {
  std::vector<Json> out;
  for (const auto& r : c.query("SELECT action, from_state, to_state, actor_id, details, at FROM seal_events "
                               "WHERE seal_id = ? ORDER BY id",
                               {seal_id}))
    out.push_back({{"action", r.text(0)},
                   {"from", r.opt_text(1) ? Json(*r.opt_text(1)) : Json()},
                   {"to", r.text(2)},
                   {"actor", r.opt_i64(3) ? Json(*r.opt_i64(3)) : Json()},
                   {"details", Json::parse(r.text(4))},
                   {"at", format_instant(r.i64(5))}});
  return out;
}

bool grant_user(store::Conn& c, std::int64_t seal_id, std::int64_t account_id, std::int64_t by, EpochMs now) {
  return c.exec("INSERT INTO seal_users (seal_id, account_id, granted_by, granted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (seal_id, account_id) DO UPDATE SET granted_by = excluded.granted_by, "
                "granted_at = excluded.granted_at, revoked_at = NULL",
                {seal_id, account_id, by, now}) == 1;
}

bool revoke_user(store::Conn& c, std::int64_t seal_id, std::int64_t account_id, EpochMs now) {
  return c.exec("UPDATE seal_users SET revoked_at = ? WHERE seal_id = ? AND account_id = ? AND revoked_at IS NULL",
                {now, seal_id, account_id}) == 1;
}

bool is_user(store::Conn& c, std::int64_t seal_id, std::int64_t account_id) {
  return !c.query("SELECT 1 FROM seal_users WHERE seal_id = ? AND account_id = ? AND revoked_at IS NULL",
                  {seal_id, account_id})
              .empty();
}

std::vector<std::int64_t> users(store::Conn& c, std::int64_t seal_id) {
  std::vector<std::int64_t> out;
  for (const auto& r : c.query("SELECT account_id FROM seal_users WHERE seal_id = ? AND revoked_at IS NULL ORDER BY account_id",
                               {seal_id}))
    out.push_back(r.i64(0));
  return out;
}

void insert_signature(store::Conn& c, std::int64_t seal_id, std::optional<std::int64_t> account,
                      const std::string& property, const std::string& document_sm3, EpochMs now) {
  c.exec("INSERT INTO seal_signatures (seal_id, account_id, property, document_sm3, at) VALUES (?, ?, ?, ?, ?)",
         {seal_id, account, property, document_sm3, now});
}

}  // namespace tb::seal::sql
