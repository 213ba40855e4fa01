// SQL of the identity module; only its service files call it.
#pragma once

#include "identity/identity.h"

namespace tb::identity::sql {

// Contexts the sealed columns are bound to (DataKey::seal): a value sealed for one column
// does not open as another.
inline constexpr const char* kIdNumberSeal = "accounts.id_number";
inline constexpr const char* kPhoneSeal = "accounts.phone";
inline constexpr const char* kTotpSeal = "accounts.totp_secret";

struct AccountRow {
  Account account;
  std::string password_hash;
  std::string id_number_sealed, phone_sealed, totp_secret_sealed;
  int failed_logins = 0;
  EpochMs locked_until = 0;
  std::int64_t totp_last_step = 0;
};

std::optional<AccountRow> account_by_id(store::Conn& c, std::int64_t id);
std::optional<AccountRow> account_by_index(store::Conn& c, const std::string& column, const std::string& value);
std::optional<AccountRow> account_by_staff_no(store::Conn& c, const std::string& staff_no);
std::vector<RoleGrant> roles_of(store::Conn& c, std::int64_t account_id);

struct NewAccount {
  std::string kind, name;
  std::optional<std::string> id_number_sealed, id_number_index, id_number_masked;
  std::optional<std::string> phone_sealed, phone_index, phone_masked;
  std::optional<std::string> staff_no, department, division_code;
  std::string password_hash;
  int real_name_level = 1;
  bool must_change_password = false;
};
std::int64_t insert_account(store::Conn& c, const NewAccount& a, EpochMs now);
// A natural person's row: ID number and phone sealed, blind-indexed and masked.
NewAccount person(const crypto::DataKey& key, const std::string& name, const std::string& id_number,
                  const std::string& phone, const std::string& password_hash, int real_name_level);
void insert_role(store::Conn& c, std::int64_t account_id, const RoleGrant& g, std::optional<std::int64_t> by, EpochMs now);
std::int64_t delete_role(store::Conn& c, std::int64_t account_id, const std::string& role);

void record_failed_login(store::Conn& c, std::int64_t id, int failures, EpochMs locked_until, EpochMs now);
void record_good_login(store::Conn& c, std::int64_t id, EpochMs now);
void set_password(store::Conn& c, std::int64_t id, const std::string& hash, bool must_change, EpochMs now);
void set_totp(store::Conn& c, std::int64_t id, const std::optional<std::string>& sealed, bool enabled,
              std::int64_t last_step, EpochMs now);
void set_totp_step(store::Conn& c, std::int64_t id, std::int64_t step);
void set_real_name_level(store::Conn& c, std::int64_t id, int level, EpochMs now);
std::vector<Account> staff_accounts(store::Conn& c);

// Sessions.
struct SessionRow {
  std::int64_t id = 0, account_id = 0;
  std::string csrf_token;
  bool mfa_passed = false;
  std::optional<std::int64_t> acting_company_id;
  EpochMs created_at = 0, last_seen_at = 0, expires_at = 0;
  std::string ip, user_agent;
  std::optional<EpochMs> revoked_at;
};
std::int64_t insert_session(store::Conn& c, const std::string& token_hash, std::int64_t account_id,
                            const std::string& csrf, bool mfa_passed, EpochMs now, EpochMs expires_at,
                            const Origin& origin);
std::optional<SessionRow> session_by_token(store::Conn& c, const std::string& token_hash);
std::vector<SessionRow> sessions_of(store::Conn& c, std::int64_t account_id, EpochMs now);
void touch_session(store::Conn& c, std::int64_t id, EpochMs now);
std::int64_t revoke_session(store::Conn& c, std::int64_t account_id, std::int64_t id, EpochMs now);
void revoke_all_sessions(store::Conn& c, std::int64_t account_id, std::optional<std::int64_t> except, EpochMs now);
void set_session_mfa(store::Conn& c, std::int64_t id);
void set_acting_company(store::Conn& c, std::int64_t session_id, std::optional<std::int64_t> company_id);

// One-time codes and the outbox.
void insert_otp(store::Conn& c, const std::string& phone_index, const std::string& purpose, const std::string& code_hash,
                EpochMs expires_at, EpochMs now);
struct OtpRow {
  std::int64_t id = 0;
  std::string code_hash;
  int attempts = 0;
  EpochMs expires_at = 0;
  std::optional<EpochMs> consumed_at;
};
std::optional<OtpRow> latest_otp(store::Conn& c, const std::string& phone_index, const std::string& purpose);
void count_otp_attempt(store::Conn& c, std::int64_t id);
void consume_otp(store::Conn& c, std::int64_t id, EpochMs now);
void insert_outbox(store::Conn& c, const std::string& channel, const std::string& recipient_sealed,
                   const std::string& recipient_masked, const std::string& body, EpochMs now);
Json outbox(store::Conn& c, int limit);
std::vector<IdentityService::RoleHolder> role_holders(store::Conn& c, const std::string& role,
                                                      const std::vector<std::string>& departments);

// Fixed-window counter; returns the count including this hit.
int hit_rate_limit(store::Conn& c, const std::string& key, EpochMs window_ms, EpochMs now);
int peek_rate_limit(store::Conn& c, const std::string& key, EpochMs window_ms, EpochMs now);

// Companies.
std::optional<Company> company_by_uscc(store::Conn& c, const std::string& uscc);
std::optional<Company> company_by_id(store::Conn& c, std::int64_t id);
std::int64_t insert_company(store::Conn& c, const std::string& uscc, const std::string& name,
                            const std::string& legal_rep, std::int64_t by, EpochMs now);
void upsert_agent(store::Conn& c, std::int64_t company_id, std::int64_t account_id, const std::string& scope_json,
                  EpochMs expires_at, std::int64_t by, EpochMs now);
std::int64_t revoke_agent(store::Conn& c, std::int64_t company_id, std::int64_t account_id, EpochMs now);
std::vector<Agent> agents_of_account(store::Conn& c, std::int64_t account_id, EpochMs now);
std::vector<Agent> agents_of_company(store::Conn& c, std::int64_t company_id, EpochMs now);

}  // namespace tb::identity::sql
