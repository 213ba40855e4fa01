// Accounts, login, sessions, second factor, passwords and one-time codes.
#include <cctype>
#include <algorithm>

#include "core/ids.h"
#include "crypto/crypto.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "identity/permissions.h"
#include "identity/service_internal.h"
#include "identity/store.h"

namespace tb::identity {

std::vector<store::Migration> migrations() { return store::module_migrations("identity", migration_files()); }

std::optional<std::string> password_weakness(std::string_view pw, std::string_view id_number, std::string_view phone) {
  if (pw.size() < 8) return "密码至少 8 位";
  if (pw.size() > 128) return "密码不能超过 128 位";
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : pw) {
    if (std::islower(c))
      lower = true;
    else if (std::isupper(c))
      upper = true;
    else if (std::isdigit(c))
      digit = true;
    else
      other = true;
  }
  if (lower + upper + digit + other < 3) return "密码须包含大写字母、小写字母、数字、符号中的至少三类";
  auto contains_folded = [&](std::string_view needle) {
    if (needle.size() < 6) return false;
    std::string hay(pw), n(needle);
    for (auto& c : hay) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // Any 6 consecutive characters of the number count: birthdays and phone tails are guessable.
    for (std::size_t i = 0; i + 6 <= n.size(); ++i)
      if (hay.find(n.substr(i, 6)) != std::string::npos) return true;
    return false;
  };
  if (contains_folded(id_number)) return "密码不能包含身份证号码";
  if (contains_folded(phone)) return "密码不能包含手机号码";
  return std::nullopt;
}

IdentityService::IdentityService(store::Db& db, const Clock& clock, crypto::DataKey key, Config config)
    : db_(db), clock_(clock), key_(key), config_(config), impl_(std::make_unique<Impl>(db_, clock_, key_, config_)) {}

IdentityService::~IdentityService() = default;

// ---- helpers shared by the service files ---------------------------------------------

Impl::Impl(store::Db& d, const Clock& c, const crypto::DataKey& k, const Config& cfg)
    : db(d), clock(c), key(k), config(cfg), dummy_hash(crypto::hash_password(crypto::random_hex(16))) {}

std::string Impl::normalise_id(std::string_view id) {
  std::string s(id);
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Impl::id_index(std::string_view id_number) const {
  return key.blind_index(normalise_id(id_number), sql::kIdNumberSeal);
}

std::string Impl::phone_index(std::string_view phone) const { return key.blind_index(phone, sql::kPhoneSeal); }

bool Impl::valid_phone(std::string_view phone) {
  if (phone.size() != 11 || phone[0] != '1') return false;
  return std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Impl::looks_like_id_number(std::string_view s) {
  if (s.size() != 18) return false;
  for (std::size_t i = 0; i < 17; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return (s[17] >= '0' && s[17] <= '9') || s[17] == 'X' || s[17] == 'x';
}

Principal Impl::principal_of(const Account& a, std::int64_t session_id) const {
  Principal p;
  p.account_id = a.id;
  p.kind = a.kind;
  p.name = a.name;
  p.real_name_level = a.real_name_level;
  p.roles = a.roles;
  p.session_id = session_id;
  return p;
}

void Impl::audit(store::Conn& c, const Principal* actor, const std::string& claimed, const std::string& action,
                 const std::string& target, bool success, const Origin& o, Json details) const {
  audit::record(c, clock, {.actor = actor,
                           .actor_name = claimed,
                           .action = action,
                           .target = target,
                           .success = success,
                           .ip = o.ip,
                           .request_id = o.request_id,
                           .details = std::move(details)});
}

std::unexpected<Error> Impl::invalid_credentials() {
  return fail(codes::kInvalidCredentials, "账号或密码错误。连续失败 5 次将锁定 10 分钟，请稍后再试。");
}

// ---- one-time codes ----------------------------------------------------------------------

namespace {
constexpr EpochMs kHour = 3600 * 1000;
constexpr EpochMs kOtpLifetime = 5 * 60 * 1000;
constexpr int kOtpTries = 5;

std::string otp_digest(const std::string& phone_index, const std::string& code) {
  return crypto::sm3_hex(phone_index + ":" + code);
}

class OutboxSender final : public MessageSender {
 public:
  OutboxSender(const crypto::DataKey& key, const Clock& clock) : key_(key), clock_(clock) {}
  void send(store::Conn& c, const std::string& phone, const std::string& body) override {
    sql::insert_outbox(c, "sms", key_.seal(phone, "message_outbox.recipient"), crypto::mask_phone(phone), body,
                       clock_.now_ms());
  }

 private:
  const crypto::DataKey& key_;
  const Clock& clock_;
};
}  // namespace

Result<Json> IdentityService::request_otp(const std::string& phone, const std::string& purpose, const Origin& origin) {
  if (!Impl::valid_phone(phone))
    return fail(codes::kValidationFailed, "手机号码应为 11 位数字，以 1 开头", {{"field", "phone"}});
  if (purpose != "register" && purpose != "reset")
    return fail(codes::kValidationFailed, "purpose 须为 register 或 reset", {{"field", "purpose"}});
  EpochMs now = clock_.now_ms();
  std::string index = impl_->phone_index(phone);
  auto outcome = db_.write([&](store::Conn& c) -> Result<Json> {
    int per_phone = sql::hit_rate_limit(c, "otp-phone:" + index, kHour, now);
    int per_ip = sql::hit_rate_limit(c, "otp-ip:" + origin.ip, kHour, now);
    if (per_phone > config_.otp_per_phone_per_hour || per_ip > config_.otp_per_ip_per_hour)
      return Json{{"throttled", true}};
    bool registered = sql::account_by_index(c, "phone_index", index).has_value();
    // The answer is the same whether or not the phone is registered; only the right
    // case gets a message.
    bool send = purpose == "register" ? !registered : registered;
    if (send) {
      std::string code;
      for (unsigned char b : crypto::random_bytes(6)) code += static_cast<char>('0' + b % 10);
      sql::insert_otp(c, index, purpose, otp_digest(index, code), now + kOtpLifetime, now);
      OutboxSender(key_, clock_)
          .send(c, phone, "【通办】您的验证码是 " + code + "，5 分钟内有效。工作人员不会向您索要验证码，请勿告诉他人。");
    }
    return Json{{"throttled", false}};
  });
  if (!outcome) return outcome;
  if ((*outcome)["throttled"])
    return fail(codes::kRateLimited, "验证码发送过于频繁，请稍后再试", {{"retry_after_seconds", 3600}});
  return Json{{"sent", true}, {"expires_in_seconds", kOtpLifetime / 1000}};
}

Result<void> Impl::check_otp(const std::string& phone_index, const std::string& purpose, const std::string& code) {
  EpochMs now = clock.now_ms();
  // Attempts are counted in their own transaction so a wrong code still counts.
  auto verdict = db.write([&](store::Conn& c) -> std::string {
    auto otp = sql::latest_otp(c, phone_index, purpose);
    if (!otp || otp->consumed_at || otp->expires_at <= now) return "expired";
    if (otp->attempts >= kOtpTries) return "exhausted";
    if (otp->code_hash != otp_digest(phone_index, code)) {
      sql::count_otp_attempt(c, otp->id);
      return "wrong";
    }
    sql::consume_otp(c, otp->id, now);
    return "ok";
  });
  if (verdict == "ok") return {};
  if (verdict == "wrong") return fail(codes::kOtpInvalid, "验证码不正确", {{"field", "otp"}});
  if (verdict == "exhausted") return fail(codes::kOtpInvalid, "验证码错误次数过多，请重新获取", {{"field", "otp"}});
  return fail(codes::kOtpInvalid, "验证码已过期或未发送，请重新获取", {{"field", "otp"}});
}

// ---- registration and login ----------------------------------------------------------------

Result<Account> IdentityService::register_person(const Registration& r, const Origin& origin) {
  auto invalid = [](const std::string& field, const std::string& message) {
    return fail(codes::kValidationFailed, message, {{"field", field}});
  };
  if (r.name.empty() || r.name.size() > 60) return invalid("name", "请填写姓名（不超过 20 个汉字）");
  std::string id = Impl::normalise_id(r.id_number);
  auto check = ids::check_resident_id(id, clock_.today());
  if (!check.valid) return invalid("id_number", check.reason);
  if (!Impl::valid_phone(r.phone)) return invalid("phone", "手机号码应为 11 位数字，以 1 开头");
  if (auto weak = password_weakness(r.password, id, r.phone))
    return fail(codes::kWeakPassword, *weak, {{"field", "password"}});
  std::string phone_index = impl_->phone_index(r.phone);
  if (auto ok = impl_->check_otp(phone_index, "register", r.otp); !ok) return std::unexpected(ok.error());
  EpochMs now = clock_.now_ms();
  std::string hash = crypto::hash_password(r.password);
  return db_.write([&](store::Conn& c) -> Result<Account> {
    std::string id_index = impl_->id_index(id);
    if (sql::account_by_index(c, "id_number_index", id_index) || sql::account_by_index(c, "phone_index", phone_index))
      return fail(codes::kAccountExists, "该身份证号码或手机号码已注册，请直接登录或找回密码");
    sql::NewAccount a = sql::person(key_, r.name, id, r.phone, hash, 1);
    std::int64_t account_id = sql::insert_account(c, a, now);
    sql::insert_role(c, account_id, {"citizen", std::nullopt, std::nullopt}, std::nullopt, now);
    auto created = sql::account_by_id(c, account_id)->account;
    Principal p = impl_->principal_of(created, 0);
    impl_->audit(c, &p, "", "auth.register", "account:" + std::to_string(account_id), true, origin);
    return created;
  });
}

Result<LoginResult> IdentityService::login(const std::string& login, const std::string& password,
                                           const Origin& origin) {
  EpochMs now = clock_.now_ms();
  constexpr EpochMs kTenMinutes = 10 * 60 * 1000;
  std::string ip_key = "login-ip:" + origin.ip;
  if (db_.read([&](store::Conn& c) { return sql::peek_rate_limit(c, ip_key, kTenMinutes, now); }) >=
      config_.ip_login_failures_per_10min)
    return fail(codes::kRateLimited, "登录失败次数过多，请 10 分钟后再试", {{"retry_after_seconds", 600}});

  std::string normalised = Impl::normalise_id(login);
  auto found = db_.read([&](store::Conn& c) -> std::optional<sql::AccountRow> {
    if (Impl::looks_like_id_number(normalised)) return sql::account_by_index(c, "id_number_index", impl_->id_index(normalised));
    if (Impl::valid_phone(login)) return sql::account_by_index(c, "phone_index", impl_->phone_index(login));
    return sql::account_by_staff_no(c, login);
  });
  // Masked, so a mistyped password in the login field never lands in the audit log whole.
  std::string claimed = crypto::mask_id_number(login);

  bool locked = found && found->locked_until > now;
  bool usable = found && found->account.status == "active" && !locked;
  // Unknown accounts cost the same hash as known ones: the timing must not tell them apart.
  bool password_ok = crypto::verify_password(usable ? found->password_hash : impl_->dummy_hash, password) && usable;

  if (!password_ok) {
    db_.write([&](store::Conn& c) {
      sql::hit_rate_limit(c, ip_key, kTenMinutes, now);
      Json details{{"reason", !found ? "unknown" : locked ? "locked" : found->account.status != "active" ? "disabled"
                                                                                                          : "password"}};
      if (found && !locked && found->account.status == "active") {
        int failures = found->failed_logins + 1;
        EpochMs until = 0;
        if (failures >= config_.lockout_failures) {
          until = now + std::chrono::duration_cast<std::chrono::milliseconds>(config_.lockout_duration).count();
          failures = 0;
          details["locked_until"] = format_instant(until);
        }
        sql::record_failed_login(c, found->account.id, failures, until, now);
      }
      impl_->audit(c, nullptr, claimed, "auth.login",
                   found ? "account:" + std::to_string(found->account.id) : "account:unknown", false, origin, details);
    });
    return Impl::invalid_credentials();
  }

  const Account& a = found->account;
  Principal p = impl_->principal_of(a, 0);
  LoginResult out;
  out.account = a;
  out.mfa_required = a.totp_enabled;
  out.mfa_enrollment_required = !a.totp_enabled && needs_mfa(p);
  out.password_change_required = a.must_change_password;
  out.token = crypto::random_hex(32);  // 256 bits
  out.csrf_token = crypto::random_hex(16);
  out.expires_at = now + std::chrono::duration_cast<std::chrono::milliseconds>(config_.session_absolute).count();
  db_.write([&](store::Conn& c) {
    sql::record_good_login(c, a.id, now);
    p.session_id = sql::insert_session(c, crypto::sm3_hex(out.token), a.id, out.csrf_token, !a.totp_enabled, now,
                                       out.expires_at, origin);
    impl_->audit(c, &p, "", "auth.login", "account:" + std::to_string(a.id), true, origin,
                 {{"session", p.session_id}, {"mfa_required", out.mfa_required}});
  });
  return out;
}

Result<Session> IdentityService::authenticate(const std::string& token, const Origin& origin) {
  auto unauthenticated = [] { return fail(codes::kUnauthenticated, "请先登录"); };
  if (token.size() != 64) return unauthenticated();
  EpochMs now = clock_.now_ms();
  auto row = db_.read([&](store::Conn& c) { return sql::session_by_token(c, crypto::sm3_hex(token)); });
  if (!row || row->revoked_at || row->expires_at <= now) return unauthenticated();
  EpochMs idle = std::chrono::duration_cast<std::chrono::milliseconds>(config_.session_idle).count();
  if (now - row->last_seen_at > idle) return fail(codes::kUnauthenticated, "登录已超时，请重新登录");
  auto account = db_.read([&](store::Conn& c) { return sql::account_by_id(c, row->account_id); });
  if (!account || account->account.status != "active") return unauthenticated();
  // Refreshing last_seen once a minute is enough for a 10–30 minute idle limit and spares
  // a write on every request.
  if (now - row->last_seen_at > 60'000) db_.write([&](store::Conn& c) { sql::touch_session(c, row->id, now); });

  Session s;
  s.principal = impl_->principal_of(account->account, row->id);
  s.csrf_token = row->csrf_token;
  s.mfa_pending = account->account.totp_enabled && !row->mfa_passed;
  s.mfa_enrollment_pending = !account->account.totp_enabled && needs_mfa(s.principal);
  s.password_change_pending = account->account.must_change_password;
  if (row->acting_company_id) {
    // The authorisation may have expired or been revoked since it was chosen.
    auto agents = db_.read([&](store::Conn& c) { return sql::agents_of_account(c, account->account.id, now); });
    for (const auto& ag : agents)
      if (ag.company_id == *row->acting_company_id) {
        s.principal.acting_company_id = ag.company_id;
        s.principal.roles.push_back({"company_agent", std::nullopt, std::nullopt});
      }
  }
  return s;
}

Result<Json> IdentityService::verify_mfa(const Principal& p, const std::string& code, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    auto a = sql::account_by_id(c, p.account_id);
    if (!a || !a->account.totp_enabled) return fail(codes::kConflict, "尚未启用动态口令");
    auto secret = key_.open(a->totp_secret_sealed, sql::kTotpSeal);
    if (!secret) throw FatalError("TOTP secret of account " + std::to_string(p.account_id) + " does not open");
    auto step = crypto::totp_verify(*secret, code, now / 1000);
    // A code is good once: replaying the same time step is refused.
    if (!step || *step <= a->totp_last_step) {
      impl_->audit(c, &p, "", "auth.mfa", "account:" + std::to_string(p.account_id), false, origin);
      return fail(codes::kMfaInvalid, "动态口令不正确或已使用", {{"field", "code"}});
    }
    sql::set_totp_step(c, p.account_id, *step);
    sql::set_session_mfa(c, p.session_id);
    impl_->audit(c, &p, "", "auth.mfa", "account:" + std::to_string(p.account_id), true, origin);
    return Json{{"mfa_passed", true}};
  });
}

Result<Json> IdentityService::logout(const Principal& p, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  db_.write([&](store::Conn& c) {
    sql::revoke_session(c, p.account_id, p.session_id, now);
    impl_->audit(c, &p, "", "auth.logout", "session:" + std::to_string(p.session_id), true, origin);
  });
  return Json{{"logged_out", true}};
}

Result<Json> IdentityService::change_password(const Principal& p, const std::string& old_pw, const std::string& new_pw,
                                              const Origin& origin) {
  auto a = db_.read([&](store::Conn& c) { return sql::account_by_id(c, p.account_id); });
  if (!a) return fail(codes::kAccountNotFound, "账号不存在");
  if (!crypto::verify_password(a->password_hash, old_pw)) {
    db_.write([&](store::Conn& c) {
      impl_->audit(c, &p, "", "auth.password.change", "account:" + std::to_string(p.account_id), false, origin);
    });
    return fail(codes::kInvalidCredentials, "原密码不正确", {{"field", "old_password"}});
  }
  std::string id = a->id_number_sealed.empty() ? "" : key_.open(a->id_number_sealed, sql::kIdNumberSeal).value_or("");
  std::string phone = a->phone_sealed.empty() ? "" : key_.open(a->phone_sealed, sql::kPhoneSeal).value_or("");
  if (auto weak = password_weakness(new_pw, id, phone))
    return fail(codes::kWeakPassword, *weak, {{"field", "new_password"}});
  if (new_pw == old_pw) return fail(codes::kWeakPassword, "新密码不能与原密码相同", {{"field", "new_password"}});
  std::string hash = crypto::hash_password(new_pw);
  EpochMs now = clock_.now_ms();
  db_.write([&](store::Conn& c) {
    sql::set_password(c, p.account_id, hash, false, now);
    // Other sessions may belong to whoever knew the old password.
    sql::revoke_all_sessions(c, p.account_id, p.session_id, now);
    impl_->audit(c, &p, "", "auth.password.change", "account:" + std::to_string(p.account_id), true, origin);
  });
  return Json{{"changed", true}};
}

Result<Json> IdentityService::reset_password_with_otp(const std::string& phone, const std::string& otp,
                                                      const std::string& new_pw, const Origin& origin) {
  if (!Impl::valid_phone(phone)) return fail(codes::kValidationFailed, "手机号码格式不正确", {{"field", "phone"}});
  std::string index = impl_->phone_index(phone);
  if (auto ok = impl_->check_otp(index, "reset", otp); !ok) return std::unexpected(ok.error());
  auto a = db_.read([&](store::Conn& c) { return sql::account_by_index(c, "phone_index", index); });
  if (!a) return fail(codes::kOtpInvalid, "验证码不正确", {{"field", "otp"}});
  std::string id = key_.open(a->id_number_sealed, sql::kIdNumberSeal).value_or("");
  if (auto weak = password_weakness(new_pw, id, phone))
    return fail(codes::kWeakPassword, *weak, {{"field", "new_password"}});
  std::string hash = crypto::hash_password(new_pw);
  EpochMs now = clock_.now_ms();
  db_.write([&](store::Conn& c) {
    sql::set_password(c, a->account.id, hash, false, now);
    sql::revoke_all_sessions(c, a->account.id, std::nullopt, now);
    Principal p = impl_->principal_of(a->account, 0);
    impl_->audit(c, &p, "", "auth.password.reset", "account:" + std::to_string(a->account.id), true, origin);
  });
  return Json{{"reset", true}};
}

Result<Account> IdentityService::account(std::int64_t id) {
  auto a = db_.read([&](store::Conn& c) { return sql::account_by_id(c, id); });
  if (!a) return fail(codes::kAccountNotFound, "账号不存在");
  return a->account;
}

Result<Account> IdentityService::person_by_id_number(const std::string& id_number) {
  std::string normalised = id_number;
  for (char& ch : normalised) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  auto a = db_.read([&](store::Conn& c) { return sql::account_by_index(c, "id_number_index", impl_->id_index(normalised)); });
  if (!a || a->account.kind != "person") return fail(codes::kAccountNotFound, "该身份证号码尚未注册账号，请先为申请人注册");
  return a->account;
}

Result<std::string> IdentityService::id_number_of(std::int64_t account_id) {
  auto a = db_.read([&](store::Conn& c) { return sql::account_by_id(c, account_id); });
  if (!a || a->account.kind != "person") return fail(codes::kAccountNotFound, "账号不存在");
  auto id = key_.open(a->id_number_sealed, sql::kIdNumberSeal);
  if (!id) throw FatalError("an ID number does not open with this data key");
  return *id;
}

Result<Company> IdentityService::company_by_uscc(const std::string& uscc) {
  auto c = db_.read([&](store::Conn& conn) { return sql::company_by_uscc(conn, uscc); });
  if (!c) return fail(codes::kCompanyNotFound, "企业不存在");
  return *c;
}

Result<Company> IdentityService::company(std::int64_t company_id) {
  auto c = db_.read([&](store::Conn& conn) { return sql::company_by_id(conn, company_id); });
  if (!c) return fail(codes::kCompanyNotFound, "企业不存在");
  return *c;
}

std::vector<SessionInfo> IdentityService::sessions(const Principal& p) {
  EpochMs now = clock_.now_ms();
  EpochMs idle = std::chrono::duration_cast<std::chrono::milliseconds>(config_.session_idle).count();
  std::vector<SessionInfo> out;
  for (const auto& s : db_.read([&](store::Conn& c) { return sql::sessions_of(c, p.account_id, now); }))
    if (now - s.last_seen_at <= idle)  // an idle session is over even before anyone revokes it
      out.push_back({s.id, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent, s.id == p.session_id});
  return out;
}

Result<Json> IdentityService::revoke_session(const Principal& p, std::int64_t session_id, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    // Only one's own sessions: another account's id is simply not found.
    if (sql::revoke_session(c, p.account_id, session_id, now) == 0)
      return fail(codes::kSessionNotFound, "会话不存在或已结束", {{"id", session_id}});
    impl_->audit(c, &p, "", "auth.session.revoke", "session:" + std::to_string(session_id), true, origin);
    return Json{{"revoked", true}};
  });
}

Result<Json> IdentityService::totp_begin(const Principal& p, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    auto a = sql::account_by_id(c, p.account_id);
    if (a->account.totp_enabled) return fail(codes::kConflict, "动态口令已启用");
    std::string secret = crypto::random_bytes(20);
    sql::set_totp(c, p.account_id, key_.seal(secret, sql::kTotpSeal), false, 0, now);
    impl_->audit(c, &p, "", "auth.totp.begin", "account:" + std::to_string(p.account_id), true, origin);
    std::string b32 = crypto::base32_encode(secret);
    std::string label = a->account.staff_no ? *a->account.staff_no : a->account.phone_masked;
    return Json{{"secret", b32}, {"otpauth_uri", crypto::totp_uri("通办", label, b32)}};
  });
}

Result<Json> IdentityService::totp_confirm(const Principal& p, const std::string& code, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    auto a = sql::account_by_id(c, p.account_id);
    if (a->account.totp_enabled) return fail(codes::kConflict, "动态口令已启用");
    if (a->totp_secret_sealed.empty()) return fail(codes::kConflict, "请先开始绑定动态口令");
    auto secret = key_.open(a->totp_secret_sealed, sql::kTotpSeal);
    auto step = secret ? crypto::totp_verify(*secret, code, now / 1000) : std::nullopt;
    if (!step) return fail(codes::kMfaInvalid, "动态口令不正确", {{"field", "code"}});
    sql::set_totp(c, p.account_id, a->totp_secret_sealed, true, *step, now);
    sql::set_session_mfa(c, p.session_id);
    impl_->audit(c, &p, "", "auth.totp.enable", "account:" + std::to_string(p.account_id), true, origin);
    return Json{{"totp_enabled", true}};
  });
}

Result<Json> IdentityService::outbox(int limit) {
  return db_.read([&](store::Conn& c) { return Json{{"items", sql::outbox(c, limit)}}; });
}

bool IdentityService::notify(store::Conn& c, std::int64_t account_id, const std::string& body) {
  auto a = sql::account_by_id(c, account_id);
  if (!a || a->account.status != "active") return false;
  if (!a->phone_sealed.empty())
    if (auto phone = key_.open(a->phone_sealed, sql::kPhoneSeal)) {
      OutboxSender(key_, clock_).send(c, *phone, body);
      return true;
    }
  // Staff without a phone read it on their workbench: the recipient is the account itself.
  std::string who = "account:" + std::to_string(account_id);
  sql::insert_outbox(c, "workbench", key_.seal(who, "message_outbox.recipient"), a->account.staff_no.value_or(who),
                     body, clock_.now_ms());
  return true;
}

bool IdentityService::sms(store::Conn& c, std::int64_t account_id, const std::string& body) {
  auto a = sql::account_by_id(c, account_id);
  if (!a || a->account.status != "active" || a->phone_sealed.empty()) return false;
  auto phone = key_.open(a->phone_sealed, sql::kPhoneSeal);
  if (!phone) return false;
  OutboxSender(key_, clock_).send(c, *phone, body);
  return true;
}

bool IdentityService::phone_ends_with(store::Conn& c, std::int64_t account_id, std::string_view tail) {
  if (tail.size() != 4) return false;
  auto a = sql::account_by_id(c, account_id);
  if (!a || a->phone_sealed.empty()) return false;
  auto phone = key_.open(a->phone_sealed, sql::kPhoneSeal);
  return phone && phone->size() >= tail.size() && std::string_view(*phone).substr(phone->size() - tail.size()) == tail;
}

std::vector<IdentityService::RoleHolder> IdentityService::role_holders(store::Conn& c, const std::string& role,
                                                                       const std::vector<std::string>& departments) {
  return sql::role_holders(c, role, departments);
}

}  // namespace tb::identity
