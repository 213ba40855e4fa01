#include "identity/store.h"

#include "crypto/data_key.h"

namespace tb::identity::sql {
namespace {

constexpr const char* kAccountColumns =
    "id, kind, name, id_number_masked, phone_masked, staff_no, department, division_code, real_name_level, "
    "totp_enabled, must_change_password, status, password_hash, id_number_sealed, phone_sealed, totp_secret_sealed, "
    "failed_logins, locked_until, totp_last_step";

AccountRow account_from(store::Conn& c, const store::Row& r) {
  AccountRow a;
  a.account.id = r.i64(0);
  a.account.kind = r.text(1);
  a.account.name = r.text(2);
  a.account.id_number_masked = r.opt_text(3).value_or("");
  a.account.phone_masked = r.opt_text(4).value_or("");
  a.account.staff_no = r.opt_text(5);
  a.account.department = r.opt_text(6);
  a.account.division_code = r.opt_text(7);
  a.account.real_name_level = static_cast<int>(r.i64(8));
  a.account.totp_enabled = r.i64(9) != 0;
  a.account.must_change_password = r.i64(10) != 0;
  a.account.status = r.text(11);
  a.password_hash = r.text(12);
  a.id_number_sealed = r.is_null(13) ? "" : r.blob(13);
  a.phone_sealed = r.is_null(14) ? "" : r.blob(14);
  a.totp_secret_sealed = r.is_null(15) ? "" : r.blob(15);
  a.failed_logins = static_cast<int>(r.i64(16));
  a.locked_until = r.i64(17);
  a.totp_last_step = r.i64(18);
  a.account.roles = roles_of(c, a.account.id);
  return a;
}

std::optional<AccountRow> one_account(store::Conn& c, const std::string& where, const store::Value& v) {
  auto rows = c.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE " + where + " = ?", {v});
  if (rows.empty()) return std::nullopt;
  return account_from(c, rows[0]);
}

store::Value opt_blob(const std::optional<std::string>& s) {
  if (!s) return store::Value();
  return store::Value(store::Blob{*s});
}

SessionRow session_from(const store::Row& r) {
  SessionRow s;
  s.id = r.i64(0);
  s.account_id = r.i64(1);
  s.csrf_token = r.text(2);
  s.mfa_passed = r.i64(3) != 0;
  s.acting_company_id = r.opt_i64(4);
  s.created_at = r.i64(5);
  s.last_seen_at = r.i64(6);
  s.expires_at = r.i64(7);
  s.ip = r.text(8);
  s.user_agent = r.text(9);
  s.revoked_at = r.opt_i64(10);
  return s;
}

constexpr const char* kSessionColumns =
    "id, account_id, csrf_token, mfa_passed, acting_company_id, created_at, last_seen_at, expires_at, ip, user_agent, "
    "revoked_at";

Agent agent_from(const store::Row& r) {
  Agent a;
  a.company_id = r.i64(0);
  a.company_name = r.text(1);
  a.uscc = r.text(2);
  a.account_id = r.i64(3);
  a.account_name = r.text(4);
  Json scope = Json::parse(r.text(5), nullptr, false);
  if (scope.is_array())
    for (const auto& s : scope) a.scope.push_back(s.get<std::string>());
  a.expires_at = r.i64(6);
  return a;
}

constexpr const char* kAgentSelect =
    "SELECT co.id, co.name, co.uscc, a.id, a.name, ag.scope, ag.expires_at FROM company_agents ag "
    "JOIN companies co ON co.id = ag.company_id JOIN accounts a ON a.id = ag.account_id "
    "WHERE ag.revoked_at IS NULL AND ag.expires_at > ? ";

}  // namespace

std::optional<AccountRow> account_by_id(store::Conn& c, std::int64_t id) { return one_account(c, "id", id); }

std::optional<AccountRow> account_by_index(store::Conn& c, const std::string& column, const std::string& value) {
  // The column name comes from this module only ("id_number_index" or "phone_index").
  return one_account(c, column, value);
}

std::optional<AccountRow> account_by_staff_no(store::Conn& c, const std::string& staff_no) {
  return one_account(c, "staff_no", staff_no);
}

std::vector<RoleGrant> roles_of(store::Conn& c, std::int64_t account_id) {
  std::vector<RoleGrant> out;
  for (const auto& r : c.query("SELECT role, department, division_code FROM account_roles WHERE account_id = ? "
                               "ORDER BY id",
                               {account_id}))
    out.push_back({r.text(0), r.opt_text(1), r.opt_text(2)});
  return out;
}

NewAccount person(const crypto::DataKey& key, const std::string& name, const std::string& id_number,
                  const std::string& phone, const std::string& password_hash, int real_name_level) {
  NewAccount a;
  a.kind = "person";
  a.name = name;
  a.id_number_sealed = key.seal(id_number, kIdNumberSeal);
  a.id_number_index = key.blind_index(id_number, kIdNumberSeal);
  a.id_number_masked = crypto::mask_id_number(id_number);
  a.phone_sealed = key.seal(phone, kPhoneSeal);
  a.phone_index = key.blind_index(phone, kPhoneSeal);
  a.phone_masked = crypto::mask_phone(phone);
  a.password_hash = password_hash;
  a.real_name_level = real_name_level;
  return a;
}

std::int64_t insert_account(store::Conn& c, const NewAccount& a, EpochMs now) {
  return c
      .query("INSERT INTO accounts (kind, name, id_number_sealed, id_number_index, id_number_masked, phone_sealed, "
             "phone_index, phone_masked, staff_no, department, division_code, password_hash, must_change_password, "
             "real_name_level, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
             "RETURNING id",
             {a.kind, a.name, opt_blob(a.id_number_sealed), a.id_number_index, a.id_number_masked,
              opt_blob(a.phone_sealed), a.phone_index, a.phone_masked, a.staff_no, a.department, a.division_code,
              a.password_hash, a.must_change_password, a.real_name_level, now, now})
      .at(0)
      .i64(0);
}

void insert_role(store::Conn& c, std::int64_t account_id, const RoleGrant& g, std::optional<std::int64_t> by,
                 EpochMs now) {
  c.exec("INSERT INTO account_roles (account_id, role, department, division_code, granted_by, granted_at) "
         "VALUES (?, ?, ?, ?, ?, ?)",
         {account_id, g.role, g.department, g.division, by, now});
}

std::int64_t delete_role(store::Conn& c, std::int64_t account_id, const std::string& role) {
  return c.exec("DELETE FROM account_roles WHERE account_id = ? AND role = ?", {account_id, role});
}

void record_failed_login(store::Conn& c, std::int64_t id, int failures, EpochMs locked_until, EpochMs now) {
  c.exec("UPDATE accounts SET failed_logins = ?, locked_until = ?, updated_at = ? WHERE id = ?",
         {failures, locked_until, now, id});
}

void record_good_login(store::Conn& c, std::int64_t id, EpochMs now) {
  c.exec("UPDATE accounts SET failed_logins = 0, locked_until = 0, updated_at = ? WHERE id = ?", {now, id});
}

void set_password(store::Conn& c, std::int64_t id, const std::string& hash, bool must_change, EpochMs now) {
  c.exec("UPDATE accounts SET password_hash = ?, must_change_password = ?, failed_logins = 0, locked_until = 0, "
         "updated_at = ? WHERE id = ?",
         {hash, must_change, now, id});
}

void set_totp(store::Conn& c, std::int64_t id, const std::optional<std::string>& sealed, bool enabled,
              std::int64_t last_step, EpochMs now) {
  c.exec("UPDATE accounts SET totp_secret_sealed = ?, totp_enabled = ?, totp_last_step = ?, updated_at = ? "
         "WHERE id = ?",
         {opt_blob(sealed), enabled, last_step, now, id});
}

void set_totp_step(store::Conn& c, std::int64_t id, std::int64_t step) {
  c.exec("UPDATE accounts SET totp_last_step = ? WHERE id = ?", {step, id});
}

void set_real_name_level(store::Conn& c, std::int64_t id, int level, EpochMs now) {
  c.exec("UPDATE accounts SET real_name_level = ?, updated_at = ? WHERE id = ?", {level, now, id});
}

std::vector<Account> staff_accounts(store::Conn& c) {
  std::vector<Account> out;
  for (const auto& r : c.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE kind = 'staff' "
                                                                          "ORDER BY id"))
    out.push_back(account_from(c, r).account);
  return out;
}

std::int64_t insert_session(store::Conn& c, const std::string& token_hash, std::int64_t account_id,
                            const std::string& csrf, bool mfa_passed, EpochMs now, EpochMs expires_at,
                            const Origin& origin) {
  return c
      .query("INSERT INTO sessions (token_hash, account_id, csrf_token, mfa_passed, created_at, last_seen_at, "
             "expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
             {token_hash, account_id, csrf, mfa_passed, now, now, expires_at, origin.ip,
              origin.user_agent.substr(0, 300)})
      .at(0)
      .i64(0);
}

std::optional<SessionRow> session_by_token(store::Conn& c, const std::string& token_hash) {
  auto rows = c.query(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE token_hash = ?", {token_hash});
  if (rows.empty()) return std::nullopt;
  return session_from(rows[0]);
}

std::vector<SessionRow> sessions_of(store::Conn& c, std::int64_t account_id, EpochMs now) {
  std::vector<SessionRow> out;
  for (const auto& r : c.query(std::string("SELECT ") + kSessionColumns +
                                   " FROM sessions WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ? "
                                   "ORDER BY id DESC",
                               {account_id, now}))
    out.push_back(session_from(r));
  return out;
}

void touch_session(store::Conn& c, std::int64_t id, EpochMs now) {
  c.exec("UPDATE sessions SET last_seen_at = ? WHERE id = ?", {now, id});
}

std::int64_t revoke_session(store::Conn& c, std::int64_t account_id, std::int64_t id, EpochMs now) {
  return c.exec("UPDATE sessions SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
                {now, id, account_id});
}

void revoke_all_sessions(store::Conn& c, std::int64_t account_id, std::optional<std::int64_t> except, EpochMs now) {
  c.exec("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND id <> ?",
         {now, account_id, except.value_or(0)});
}

void set_session_mfa(store::Conn& c, std::int64_t id) { c.exec("UPDATE sessions SET mfa_passed = 1 WHERE id = ?", {id}); }

void set_acting_company(store::Conn& c, std::int64_t session_id, std::optional<std::int64_t> company_id) {
  c.exec("UPDATE sessions SET acting_company_id = ? WHERE id = ?", {company_id, session_id});
}

void insert_otp(store::Conn& c, const std::string& phone_index, const std::string& purpose, const std::string& code_hash,
                EpochMs expires_at, EpochMs now) {
  c.exec("INSERT INTO otp_codes (phone_index, purpose, code_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
         {phone_index, purpose, code_hash, expires_at, now});
}

std::optional<OtpRow> latest_otp(store::Conn& c, const std::string& phone_index, const std::string& purpose) {
  auto rows = c.query("SELECT id, code_hash, attempts, expires_at, consumed_at FROM otp_codes "
                      "WHERE phone_index = ? AND purpose = ? ORDER BY id DESC LIMIT 1",
                      {phone_index, purpose});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return OtpRow{r.i64(0), r.text(1), static_cast<int>(r.i64(2)), r.i64(3), r.opt_i64(4)};
}

void count_otp_attempt(store::Conn& c, std::int64_t id) {
  c.exec("UPDATE otp_codes SET attempts = attempts + 1 WHERE id = ?", {id});
}

void consume_otp(store::Conn& c, std::int64_t id, EpochMs now) {
  c.exec("UPDATE otp_codes SET consumed_at = ? WHERE id = ?", {now, id});
}

void insert_outbox(store::Conn& c, const std::string& channel, const std::string& recipient_sealed,
                   const std::string& recipient_masked, const std::string& body, EpochMs now) {
  c.exec("INSERT INTO message_outbox (channel, recipient_sealed, recipient_masked, body, created_at) "
         "VALUES (?, ?, ?, ?, ?)",
         {channel, store::Blob{recipient_sealed}, recipient_masked, body, now});
}

Json outbox(store::Conn& c, int limit) {
  Json items = Json::array();
  for (const auto& r : c.query("SELECT id, channel, recipient_masked, body, created_at FROM message_outbox "
                               "ORDER BY id DESC LIMIT ?",
                               {limit}))
    items.push_back({{"id", r.i64(0)},
                     {"channel", r.text(1)},
                     {"recipient", r.text(2)},
                     {"body", r.text(3)},
                     {"created_at", format_instant(r.i64(4))}});
  return items;
}

std::vector<IdentityService::RoleHolder> role_holders(store::Conn& c, const std::string& role,
                                                      const std::vector<std::string>& departments) {
  std::vector<IdentityService::RoleHolder> out;
  if (departments.empty()) return out;
  std::string marks;
  store::Params p{role};
  for (const auto& d : departments) {
    marks += marks.empty() ? "?" : ", ?";
    p.emplace_back(d);
  }
  for (const auto& r : c.query("SELECT r.account_id, r.department, r.division_code FROM account_roles r "
                               "JOIN accounts a ON a.id = r.account_id WHERE r.role = ? AND r.department IN (" +
                                   marks + ") AND a.status = 'active' ORDER BY r.account_id",
                               p))
    out.push_back({r.i64(0), r.opt_text(1).value_or(""), r.opt_text(2).value_or("")});
  return out;
}

int hit_rate_limit(store::Conn& c, const std::string& key, EpochMs window_ms, EpochMs now) {
  EpochMs window = now - now % window_ms;
  auto rows = c.query(
      "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1) "
      "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN rate_limits.window_start = excluded.window_start "
      "THEN rate_limits.count + 1 ELSE 1 END, window_start = excluded.window_start RETURNING count",
      {key, window});
  return static_cast<int>(rows.at(0).i64(0));
}

int peek_rate_limit(store::Conn& c, const std::string& key, EpochMs window_ms, EpochMs now) {
  EpochMs window = now - now % window_ms;
  auto rows = c.query("SELECT count FROM rate_limits WHERE key = ? AND window_start = ?", {key, window});
  return rows.empty() ? 0 : static_cast<int>(rows[0].i64(0));
}

std::optional<Company> company_by_uscc(store::Conn& c, const std::string& uscc) {
  auto rows = c.query("SELECT id, uscc, name, legal_representative FROM companies WHERE uscc = ?", {uscc});
  if (rows.empty()) return std::nullopt;
  return Company{rows[0].i64(0), rows[0].text(1), rows[0].text(2), rows[0].text(3)};
}

std::optional<Company> company_by_id(store::Conn& c, std::int64_t id) {
  auto rows = c.query("SELECT id, uscc, name, legal_representative FROM companies WHERE id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return Company{rows[0].i64(0), rows[0].text(1), rows[0].text(2), rows[0].text(3)};
}

std::int64_t insert_company(store::Conn& c, const std::string& uscc, const std::string& name,
                            const std::string& legal_rep, std::int64_t by, EpochMs now) {
  return c
      .query("INSERT INTO companies (uscc, name, legal_representative, registered_by, created_at) "
             "VALUES (?, ?, ?, ?, ?) RETURNING id",
             {uscc, name, legal_rep, by, now})
      .at(0)
      .i64(0);
}

void upsert_agent(store::Conn& c, std::int64_t company_id, std::int64_t account_id, const std::string& scope_json,
                  EpochMs expires_at, std::int64_t by, EpochMs now) {
  c.exec("INSERT INTO company_agents (company_id, account_id, scope, expires_at, granted_by, granted_at) "
         "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, account_id) DO UPDATE SET scope = excluded.scope, "
         "expires_at = excluded.expires_at, granted_by = excluded.granted_by, granted_at = excluded.granted_at, "
         "revoked_at = NULL",
         {company_id, account_id, scope_json, expires_at, by, now});
}

std::int64_t revoke_agent(store::Conn& c, std::int64_t company_id, std::int64_t account_id, EpochMs now) {
  return c.exec("UPDATE company_agents SET revoked_at = ? WHERE company_id = ? AND account_id = ? AND "
                "revoked_at IS NULL",
                {now, company_id, account_id});
}

std::vector<Agent> agents_of_account(store::Conn& c, std::int64_t account_id, EpochMs now) {
  std::vector<Agent> out;
  for (const auto& r : c.query(std::string(kAgentSelect) + "AND ag.account_id = ? ORDER BY co.id", {now, account_id}))
    out.push_back(agent_from(r));
  return out;
}

std::vector<Agent> agents_of_company(store::Conn& c, std::int64_t company_id, EpochMs now) {
  std::vector<Agent> out;
  for (const auto& r : c.query(std::string(kAgentSelect) + "AND ag.company_id = ? ORDER BY a.id", {now, company_id}))
    out.push_back(agent_from(r));
  return out;
}

}  // namespace tb::identity::sql
