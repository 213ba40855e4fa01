#include "licence/store.h"

namespace tb::licence::sql {
namespace {

constexpr const char* kColumns =
    "id, licence_id, type_code, type_name, department, serial, version, holder_kind, holder_name, holder_id_masked, "
    "holder_index, holder_account_id, payload_sealed, signature, seal_es_id, state, state_reason, valid_from, "
    "valid_to, case_no, replaces, issued_by, issued_at, updated_at, holder_company_id";

LicenceRow licence_row(const store::Row& r) {
  LicenceRow l;
  l.id = r.i64(0);
  l.licence_id = r.text(1);
  l.type_code = r.text(2);
  l.type_name = r.text(3);
  l.department = r.text(4);
  l.serial = r.text(5);
  l.version = int(r.i64(6));
  l.holder_kind = r.text(7);
  l.holder_name = r.text(8);
  l.holder_id_masked = r.text(9);
  l.holder_index = r.text(10);
  l.holder_account_id = r.opt_i64(11);
  l.payload_sealed = r.blob(12);
  l.signature = r.blob(13);
  l.seal_es_id = r.text(14);
  l.state = r.text(15);
  l.state_reason = r.opt_text(16);
  l.valid_from = r.text(17);
  l.valid_to = r.opt_text(18);
  l.case_no = r.opt_text(19);
  l.replaces = r.opt_i64(20);
  l.issued_by = r.opt_i64(21);
  l.issued_at = r.i64(22);
  l.updated_at = r.i64(23);
  l.holder_company_id = r.opt_i64(24);
  return l;
}

std::optional<int> opt_int(const store::Row& r, std::size_t i) {
  auto v = r.opt_i64(i);
  return v ? std::optional<int>(int(*v)) : std::nullopt;
}

}  // namespace

void upsert_type(store::Conn& c, const TypeRow& t) {
  c.exec("INSERT INTO licence_types (code, name, ministry, holder, validity_years, data) VALUES (?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (code) DO UPDATE SET name = excluded.name, ministry = excluded.ministry, holder = excluded.holder, "
         "validity_years = excluded.validity_years, data = excluded.data",
         {t.code, t.name, t.ministry, t.holder, t.validity_years, t.data.dump()});
}

std::vector<TypeRow> types(store::Conn& c) {
  std::vector<TypeRow> out;
  for (const auto& r : c.query("SELECT code, name, ministry, holder, validity_years, data FROM licence_types ORDER BY code"))
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), opt_int(r, 4), Json::parse(r.text(5))});
  return out;
}

std::optional<TypeRow> type_by_code_or_name(store::Conn& c, const std::string& key) {
  auto rows = c.query("SELECT code, name, ministry, holder, validity_years, data FROM licence_types WHERE code = ? OR name = ?",
                      {key, key});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return TypeRow{r.text(0), r.text(1), r.text(2), r.text(3), opt_int(r, 4), Json::parse(r.text(5))};
}

std::int64_t insert_licence(store::Conn& c, const LicenceRow& l) {
  return c
      .query("INSERT INTO licences (licence_id, type_code, type_name, department, serial, version, holder_kind, "
             "holder_name, holder_id_masked, holder_index, holder_account_id, payload_sealed, signature, seal_es_id, "
             "state, state_reason, valid_from, valid_to, case_no, replaces, issued_by, issued_at, updated_at, "
             "holder_company_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
             {l.licence_id, l.type_code, l.type_name, l.department, l.serial, l.version, l.holder_kind, l.holder_name,
              l.holder_id_masked, l.holder_index, l.holder_account_id, store::Blob{l.payload_sealed},
              store::Blob{l.signature}, l.seal_es_id, l.state, l.state_reason, l.valid_from, l.valid_to, l.case_no,
              l.replaces, l.issued_by, l.issued_at, l.updated_at, l.holder_company_id})
      .at(0)
      .i64(0);
}

std::optional<LicenceRow> licence(store::Conn& c, const std::string& licence_id) {
  auto rows = c.query(std::string("SELECT ") + kColumns + " FROM licences WHERE licence_id = ?", {licence_id});
  if (rows.empty()) return std::nullopt;
  return licence_row(rows[0]);
}

std::optional<LicenceRow> licence_for_case(store::Conn& c, const std::string& case_no) {
  auto rows = c.query(std::string("SELECT ") + kColumns + " FROM licences WHERE case_no = ? AND replaces IS NULL", {case_no});
  if (rows.empty()) return std::nullopt;
  return licence_row(rows[0]);
}

void update_state(store::Conn& c, std::int64_t id, const std::string& state, const std::optional<std::string>& reason,
                  const std::string& payload_sealed, const std::string& signature, EpochMs now) {
  c.exec("UPDATE licences SET state = ?, state_reason = ?, payload_sealed = ?, signature = ?, updated_at = ? WHERE id = ?",
         {state, reason, store::Blob{payload_sealed}, store::Blob{signature}, now, id});
}

std::vector<LicenceRow> licences_of(store::Conn& c, std::int64_t account_id, const std::string& holder_index,
                                    std::optional<std::int64_t> company_id) {
  std::vector<LicenceRow> out;
  for (const auto& r : c.query(std::string("SELECT ") + kColumns +
                                   " FROM licences WHERE holder_account_id = ? OR holder_index = ? "
                                   "OR (holder_company_id IS NOT NULL AND holder_company_id = ?) ORDER BY id DESC",
                               {account_id, holder_index, company_id.value_or(-1)}))
    out.push_back(licence_row(r));
  return out;
}

std::int64_t next_sequence(store::Conn& c, const std::string& prefix) {
  return c
      .query("INSERT INTO licence_sequences (prefix, last) VALUES (?, 1) "
             "ON CONFLICT (prefix) DO UPDATE SET last = licence_sequences.last + 1 RETURNING last",
             {prefix})
      .at(0)
      .i64(0);
}

std::optional<std::string> pdf_of(store::Conn& c, std::int64_t id) {
  auto rows = c.query("SELECT pdf_sm3 FROM licences WHERE id = ?", {id});
  return rows.empty() ? std::nullopt : rows[0].opt_text(0);
}

void set_pdf(store::Conn& c, std::int64_t id, const std::string& sm3) {
  c.exec("UPDATE licences SET pdf_sm3 = ? WHERE id = ?", {sm3, id});
}

void log_verification(store::Conn& c, const std::string& licence_id, const std::string& result, const std::string& ip,
                      EpochMs now) {
  c.exec("INSERT INTO licence_verifications (licence_id, result, ip, at) VALUES (?, ?, ?, ?)", {licence_id, result, ip, now});
}

std::int64_t insert_grant(store::Conn& c, const GrantRow& g) {
  return c
      .query("INSERT INTO licence_grants (licence, department, case_no, granted_by, granted_at) VALUES (?, ?, ?, ?, ?) "
             "RETURNING id",
             {g.licence, g.department, g.case_no, g.granted_by, g.granted_at})
      .at(0)
      .i64(0);
}

bool revoke_grant(store::Conn& c, std::int64_t licence, std::int64_t grant_id, EpochMs now) {
  return c.exec("UPDATE licence_grants SET revoked_at = ? WHERE id = ? AND licence = ? AND revoked_at IS NULL",
                {now, grant_id, licence}) == 1;
}

std::vector<GrantRow> grants(store::Conn& c, std::int64_t licence) {
  std::vector<GrantRow> out;
  for (const auto& r : c.query("SELECT id, licence, department, case_no, granted_by, granted_at, revoked_at "
                               "FROM licence_grants WHERE licence = ? ORDER BY id",
                               {licence}))
    out.push_back({r.i64(0), r.i64(1), r.text(2), r.opt_text(3), r.i64(4), r.i64(5), r.opt_i64(6)});
  return out;
}

std::int64_t consumer_position(store::Conn& c) {
  auto rows = c.query("SELECT position FROM licence_consumer WHERE id = 1");
  return rows.empty() ? 0 : rows[0].i64(0);
}

bool advance_consumer(store::Conn& c, std::int64_t from, std::int64_t to) {
  if (from == 0 && c.query("SELECT 1 FROM licence_consumer WHERE id = 1").empty())
    return c.exec("INSERT INTO licence_consumer (id, position) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", {to}) == 1;
  return c.exec("UPDATE licence_consumer SET position = ? WHERE id = 1 AND position = ?", {to, from}) == 1;
}

void record_failure(store::Conn& c, const std::string& case_no, const Error& e, EpochMs now) {
  c.exec("INSERT INTO licence_issue_failures (case_no, code, message, at) VALUES (?, ?, ?, ?) "
         "ON CONFLICT (case_no) DO UPDATE SET code = excluded.code, message = excluded.message, at = excluded.at",
         {case_no, e.code, e.message, now});
}

}  // namespace tb::licence::sql
