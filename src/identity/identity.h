// Unified identity (一次认证、全网通行): accounts for natural persons and staff, the
// companies persons act for, sessions, one-time codes, TOTP, roles, and the guard that
// decides every permission (permissions.h). STANDARDS §1 and §8.
//
//   auto login = identity.login({.login = "34052419800101001X", .password = pw}, info);
//   if (login && login->mfa_required) identity.verify_mfa(login->principal, code, info);
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "core/principal.h"
#include "crypto/data_key.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
struct Request;
}  // namespace tb::http

namespace tb::identity {

struct Config {
  std::chrono::minutes session_idle{30};
  std::chrono::hours session_absolute{12};
  int lockout_failures = 5;
  std::chrono::minutes lockout_duration{10};
  int ip_login_failures_per_10min = 50;  // per-IP throttling across accounts
  int otp_per_phone_per_hour = 5;
  int otp_per_ip_per_hour = 30;
  bool secure_cookies = false;  // set Secure on the session cookie (behind TLS)
};

// Where a request came from, for throttling and the audit log.
struct Origin {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

struct Account {
  std::int64_t id = 0;
  std::string kind;  // person, staff
  std::string name;
  std::string id_number_masked, phone_masked;
  std::optional<std::string> staff_no, department, division_code;
  int real_name_level = 1;
  bool totp_enabled = false;
  bool must_change_password = false;
  std::string status;
  std::vector<RoleGrant> roles;
};

struct Company {
  std::int64_t id = 0;
  std::string uscc, name, legal_representative;
};

struct Agent {
  std::int64_t company_id = 0;
  std::string company_name, uscc;
  std::int64_t account_id = 0;
  std::string account_name;
  std::vector<std::string> scope;
  EpochMs expires_at = 0;
};

struct SessionInfo {
  std::int64_t id = 0;
  EpochMs created_at = 0, last_seen_at = 0, expires_at = 0;
  std::string ip, user_agent;
  bool current = false;
};

struct LoginResult {
  std::string token;  // shown once; only its digest is stored
  std::string csrf_token;
  EpochMs expires_at = 0;
  bool mfa_required = false;             // TOTP enrolled: POST /auth/mfa before anything else
  bool mfa_enrollment_required = false;  // an administrator without TOTP must enrol first
  bool password_change_required = false;
  Account account;
};

// What authenticate() found: the principal and what the session still owes.
struct Session {
  Principal principal;
  std::string csrf_token;
  bool mfa_pending = false;
  bool mfa_enrollment_pending = false;
  bool password_change_pending = false;
};

struct Registration {
  std::string name, id_number, phone, password, otp;
};

struct StaffInput {
  std::string name, staff_no, department, division_code, password;
  std::vector<RoleGrant> roles;
};

// The built-in message sender keeps messages in message_outbox; a real SMS gateway
// replaces it by configuration.
class MessageSender {
 public:
  virtual ~MessageSender() = default;
  virtual void send(store::Conn& c, const std::string& phone, const std::string& body) = 0;
};

// L3 real-name verification by an external face-verification provider. The contract
// (README, "Face verification"): POST {url} with {"name", "id_number", "image_base64"}
// → 200 {"match": true|false, "score": 0.0–1.0}. A local fake answers in the tests.
class FaceVerifier {
 public:
  virtual ~FaceVerifier() = default;
  struct Answer {
    bool match = false;
    double score = 0;
  };
  virtual Result<Answer> verify(const std::string& name, const std::string& id_number, const std::string& image) = 0;
};
std::unique_ptr<FaceVerifier> http_face_verifier(std::string url);

class IdentityService {
 public:
  IdentityService(store::Db& db, const Clock& clock, crypto::DataKey key, Config config = {});
  ~IdentityService();

  // One-time codes: 6 digits, 5 minutes, 5 tries; throttled per phone and per IP.
  Result<Json> request_otp(const std::string& phone, const std::string& purpose, const Origin& origin);

  Result<Account> register_person(const Registration& r, const Origin& origin);
  Result<LoginResult> login(const std::string& login, const std::string& password, const Origin& origin);
  Result<Session> authenticate(const std::string& token, const Origin& origin);
  Result<Json> verify_mfa(const Principal& p, const std::string& code, const Origin& origin);
  Result<Json> logout(const Principal& p, const Origin& origin);
  Result<Json> change_password(const Principal& p, const std::string& old_pw, const std::string& new_pw,
                               const Origin& origin);
  Result<Json> reset_password_with_otp(const std::string& phone, const std::string& otp, const std::string& new_pw,
                                       const Origin& origin);

  Result<Account> account(std::int64_t id);
  // A registered person by resident ID (the window files for walk-in applicants).
  Result<Account> person_by_id_number(const std::string& id_number);
  // The clear ID number of a person, for documents that must carry it (a signed licence).
  Result<std::string> id_number_of(std::int64_t account_id);
  Result<Company> company(std::int64_t company_id);
  Result<Company> company_by_uscc(const std::string& uscc);
  std::vector<SessionInfo> sessions(const Principal& p);
  Result<Json> revoke_session(const Principal& p, std::int64_t session_id, const Origin& origin);

  Result<Json> totp_begin(const Principal& p, const Origin& origin);
  Result<Json> totp_confirm(const Principal& p, const std::string& code, const Origin& origin);

  // Companies (legal persons) and their agents.
  Result<Company> register_company(const Principal& p, const std::string& uscc, const std::string& name,
                                   const Origin& origin);
  Result<Agent> grant_agent(const Principal& p, const std::string& uscc, const std::string& id_number,
                            const std::vector<std::string>& scope, Date expires_on, const Origin& origin);
  Result<Json> revoke_agent(const Principal& p, const std::string& uscc, std::int64_t account_id, const Origin& origin);
  std::vector<Agent> my_companies(const Principal& p);
  std::vector<Agent> company_agents(const Principal& p, const std::string& uscc);
  Result<Json> act_for(const Principal& p, const std::optional<std::string>& uscc, const Origin& origin);

  // Staff and roles (platform admin; department admin within their department and division).
  Result<Account> create_staff(const Principal& p, const StaffInput& in, const Origin& origin);
  std::vector<Account> staff(const Principal& p);
  // Every staff account, for the platform's own set-up (the demo seals' users); not a route.
  std::vector<Account> all_staff();
  Result<Account> grant_role(const Principal& p, std::int64_t account_id, const RoleGrant& g, const Origin& origin);
  Result<Account> revoke_role(const Principal& p, std::int64_t account_id, const std::string& role,
                              const Origin& origin);
  Result<Json> admin_reset_password(const Principal& p, std::int64_t account_id, const Origin& origin);
  Result<Account> verify_real_name(const Principal& p, std::int64_t account_id, const Origin& origin);
  // The person's own face check (L2 → L3); needs a configured FaceVerifier.
  Result<Account> verify_face(const Principal& p, const std::string& image, const Origin& origin);
  void set_face_verifier(std::unique_ptr<FaceVerifier> verifier);
  Result<Json> outbox(int limit);

  // For other modules' notices (supervision alerts), inside the caller's transaction: one
  // message to an account through the message outbox — an SMS when the account has a phone,
  // otherwise the staff member's workbench (channel "workbench"). Nothing for an unknown or
  // disabled account; false then.
  bool notify(store::Conn& c, std::int64_t account_id, const std::string& body);
  // For messages meant for a person's phone only (the SMS rating invitation, 好差评): one SMS
  // through the message outbox inside the caller's transaction; false, and nothing sent, when
  // the account is unknown, disabled or has no phone.
  bool sms(store::Conn& c, std::int64_t account_id, const std::string& body);
  // The 12345 hotline's check of a caller: whether the account's phone ends with `tail`
  // (4 digits); the number itself never leaves identity.
  bool phone_ends_with(store::Conn& c, std::int64_t account_id, std::string_view tail);
  // Active accounts holding `role` for one of `departments` (the grant's department as
  // stored: a catalogue code or name), with the division subtree of each grant.
  struct RoleHolder {
    std::int64_t account_id = 0;
    std::string department, division;
  };
  std::vector<RoleHolder> role_holders(store::Conn& c, const std::string& role,
                                       const std::vector<std::string>& departments);

  // First administrator, from the command line.
  Result<Account> create_admin(const std::string& name, const std::string& staff_no, const std::string& password);
  // Demo accounts (README lists them); idempotent.
  Json seed_demo();

  const Config& config() const { return config_; }
  const crypto::DataKey& key() const { return key_; }

  struct Impl;  // shared by the service files (service_internal.h); not for other modules

 private:
  store::Db& db_;
  const Clock& clock_;
  crypto::DataKey key_;
  Config config_;
  std::unique_ptr<FaceVerifier> face_verifier_;
  std::unique_ptr<Impl> impl_;  // last: it refers to the members above
};

// Password policy (STANDARDS §8): ≥ 8 characters, ≥ 3 of 4 classes, not containing the
// ID number or the phone. Returns the Chinese reason when weak.
std::optional<std::string> password_weakness(std::string_view password, std::string_view id_number,
                                             std::string_view phone);

std::vector<store::Migration> migrations();
// Routes under /api/v1/auth, /api/v1/me, /api/v1/companies, /api/v1/admin/{staff,…}, and
// the guard that authenticates requests for every module's routes.
void add_routes(http::Router& router, IdentityService& service);
void install_guard(http::Router& router, IdentityService& service);
Origin origin_of(const http::Request& r);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::identity
