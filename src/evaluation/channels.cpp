// The SMS invitation, the rating link, in-person service events for the hall pad, and the
// hotline's recorded ratings. The rating itself follows the shared rules of rating.h.
#include <set>

#include "cases/cases.h"
#include "core/ids.h"
#include "crypto/crypto.h"
#include "crypto/jws.h"
#include "evaluation/channels.h"
#include "evaluation/channels_store.h"
#include "evaluation/rating.h"
#include "evaluation/store.h"

namespace tb::evaluation {
namespace {

std::size_t chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::unexpected<Error> invalid(const Json& problems, const char* message = "评价有误") {
  return fail(codes::kValidationFailed, message, {{"problems", problems}});
}

// 113415…0001: enough for the applicant to recognise the case, not enough to look it up.
std::string mask_case_no(const std::string& no) {
  if (no.size() <= 10) return std::string(no.size(), '*');
  return no.substr(0, 6) + "****" + no.substr(no.size() - 4);
}

// An in-person service's number: XC, the business date it was served, the id.
std::string event_no(const sql::ServiceEvent& e) {
  std::string date = business_date(e.created_at).to_string();
  std::erase(date, '-');
  std::string id = std::to_string(e.id);
  return "XC" + date + "-" + std::string(id.size() < 6 ? 6 - id.size() : 0, '0') + id;
}

std::string new_token() {
  return crypto::base64url_encode(crypto::random_bytes(18));
}  // 144 bits
std::string digest_of(const std::string& token) {
  return crypto::sm3_hex("rating-link:" + token);
}

Json rendered(const sql::Row& e) {
  return Json{{"id", e.id},
              {"case_no", e.case_no},
              {"item", {{"code", e.item_code}, {"name", e.item_name}}},
              {"department", e.department},
              {"level", e.level},
              {"level_name", kLevelNames[e.level]},
              {"bad", e.first_level <= 2},
              {"tags", e.tags},
              {"comment", e.comment},
              {"channel", e.channel},
              {"state", e.state},
              {"ratings", e.ratings},
              {"anonymous", e.anonymous},
              {"rated_at", format_instant(e.created_at)}};
}

// What a link rates: a case (its number is the subject) or an in-person service.
struct Subject {
  std::string no;  // evaluations.case_no: the case number or the service event's number
  std::string kind, department, item_code, item_name;
  std::optional<std::string> case_no;
  std::optional<std::int64_t> rater;  // nothing: a walk-in nobody identified, who rates anonymously
  std::optional<sql::ServiceEvent> event;
};

std::optional<Subject> subject_of(store::Conn& c, const sql::Link& l) {
  if (l.case_no) {
    auto f = cases::case_facts(c, *l.case_no);
    if (!f) return std::nullopt;
    return Subject{f->case_no,   "case",     f->department,           f->impl_code,
                   f->item_name, f->case_no, f->applicant_account_id, std::nullopt};
  }
  auto e = sql::service_event(c, l.service_event_id.value_or(0));
  if (!e) return std::nullopt;
  return Subject{event_no(*e), "service_event", e->department,           e->item_code,
                 e->item_name, e->case_no,      e->applicant_account_id, *e};
}

// Why a link cannot be used now, if it cannot.
std::optional<std::unexpected<Error>> unusable(store::Conn& c, const sql::Link& l, const Subject& s, EpochMs now) {
  if (l.used_at)
    return fail(codes::kRatingLinkUsed, "该评价链接已经使用过，感谢您的评价",
                {{"used_at", format_instant(*l.used_at)}});
  if (now >= l.expires_at)
    return fail(codes::kRatingLinkExpired, "该评价链接已过期", {{"expired_at", format_instant(l.expires_at)}});
  if (auto e = sql::by_case(c, s.no))
    return fail(codes::kRatingLinkUsed,
                s.kind == "case" ? "该办件已经评价过，感谢您的评价" : "本次服务已经评价过，感谢您的评价",
                {{"rated_by", e->channel}});
  return std::nullopt;
}

sql::Row new_row(const Subject& s, const Rating& r, std::int64_t rater, bool anonymous, const std::string& channel,
                 EpochMs now) {
  sql::Row e;
  e.case_no = s.no;
  e.department = s.department;
  e.item_code = s.item_code;
  e.item_name = s.item_name;
  e.account_id = rater;
  e.anonymous = anonymous;
  e.level = e.first_level = r.level;
  e.tags = r.tags;
  e.comment = r.comment;
  e.channel = channel;
  e.state = r.level <= 2 ? "callback_due" : "rated";  // a bad review goes to the department at once
  e.created_at = e.updated_at = now;
  return e;
}

}  // namespace

struct ChannelService::Impl {
  store::Db& db;
  const Clock& clock;
  catalog::CatalogService& catalog;
  identity::IdentityService& identity;
  std::string public_url;

  std::string url_of(const std::string& token) const { return public_url + "/rate/" + token; }

  // One invitation per case with a result, unless it is rated already or has no phone to go to.
  void invite(store::Conn& c, const std::string& case_no, EpochMs now) {
    auto f = cases::case_facts(c, case_no);
    if (!f || f->impl_code.empty() || !kRateable.contains(f->status)) return;  // a scenario's parent: its children
    if (sql::by_case(c, case_no) || sql::case_has_link(c, case_no)) return;
    std::string token = new_token();
    std::string body = "【通办】您申请的“" + f->item_name + "”（办件编号尾号 " + case_no.substr(case_no.size() - 4) +
                       "）已有办理结果。请对本次服务作出评价：" + url_of(token) + " 链接 30 天内有效，仅可评价一次。";
    if (!identity.sms(c, f->applicant_account_id, body)) return;
    sql::insert_link(c, {.token_digest = digest_of(token),
                         .channel = "sms",
                         .case_no = case_no,
                         .expires_at = now + kSmsLinkLifetime,
                         .created_at = now});
  }

  void audit_rating(store::Conn& c, const audit::Actor& who, const sql::Row& e, Json details) {
    details["level"] = e.level;
    details["case_no"] = e.case_no;
    details["channel"] = e.channel;
    audit::record(c, clock,
                  {.actor = who.principal,
                   .actor_name = who.principal ? std::string() : std::string("评价链接"),
                   .action = "evaluation.rate",
                   .target = "evaluation:" + std::to_string(e.id),
                   .ip = who.ip,
                   .request_id = who.request_id,
                   .details = std::move(details)});
  }

  // The name of a department code, for the public page (a hall keeps its name as its code).
  std::string department_name(const std::string& code) {
    Json all = catalog.departments(std::nullopt);
    for (const auto& d : all["items"])
      if (d.value("code", "") == code) return d.value("name", code);
    return code;
  }
};

ChannelService::ChannelService(store::Db& db, const Clock& clock, catalog::CatalogService& catalog,
                               identity::IdentityService& identity, std::string public_url)
    : impl_(std::make_unique<Impl>(Impl{db, clock, catalog, identity, std::move(public_url)})) {
  while (!impl_->public_url.empty() && impl_->public_url.back() == '/') impl_->public_url.pop_back();
}
ChannelService::~ChannelService() = default;

bool ChannelService::caught_up() {
  return impl_->db.read(
      [](store::Conn& c) { return cases::outbox_after(c, sql::consumer_position(c).value_or(0), 1).empty(); });
}

std::size_t ChannelService::consume(int limit) {
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> std::size_t {
    auto from = sql::consumer_position(c);
    auto events = cases::outbox_after(c, from.value_or(0), limit);
    if (events.empty()) return 0;
    // The invitations and the position move together: a batch is sent once or not at all.
    if (!sql::move_consumer(c, from, events.back().position)) return 0;
    for (const auto& e : events)
      if (e.type == "case.decided" || e.type == "case.refused") impl_->invite(c, e.case_no, now);
    return events.size();
  });
}

Result<Json> ChannelService::link(const std::string& token) {
  EpochMs now = impl_->clock.now_ms();
  auto found = impl_->db.read([&](store::Conn& c) -> Result<Json> {
    auto l = sql::link_by_digest(c, digest_of(token));
    auto s = l ? subject_of(c, *l) : std::nullopt;
    if (!s) return fail(codes::kRatingLinkNotFound, "评价链接无效，请核对短信中的链接");
    if (auto why = unusable(c, *l, *s, now)) return *why;
    Json out{{"kind", s->kind},
             {"channel", l->channel},
             {"item", {{"code", s->item_code}, {"name", s->item_name}}},
             {"department", {{"code", s->department}}},
             {"case_no", s->case_no ? Json(mask_case_no(*s->case_no)) : Json()},
             {"real_name_possible", s->rater.has_value()},
             {"expires_at", format_instant(l->expires_at)}};
    if (s->event)
      out["service_event"] = {
          {"no", s->no}, {"window", s->event->window_name}, {"served_at", format_instant(s->event->created_at)}};
    return out;
  });
  if (!found) return found;
  Json& department = (*found)["department"];
  department["name"] = impl_->department_name(department["code"].get<std::string>());
  return found;
}

Result<Json> ChannelService::rate_by_link(const std::string& token, const Json& body, const audit::Actor& who) {
  Json problems = Json::array();
  Rating r = parse_rating(body, problems);
  if (!problems.empty()) return invalid(problems);
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto l = sql::link_by_digest(c, digest_of(token));
    auto s = l ? subject_of(c, *l) : std::nullopt;
    if (!s) return fail(codes::kRatingLinkNotFound, "评价链接无效，请核对短信中的链接");
    if (auto why = unusable(c, *l, *s, now)) return *why;
    // A walk-in nobody identified can only rate anonymously; nobody could call them back.
    auto e = new_row(*s, r, s->rater.value_or(0), r.anonymous || !s->rater, l->channel, now);
    e.id = sql::insert(c, e);
    if (!sql::use_link(c, l->id, e.id, now)) return fail(codes::kRatingLinkUsed, "该评价链接已经使用过，感谢您的评价");
    impl_->audit_rating(c, who, e, {{"link", l->id}});
    Json out = rendered(e);
    out.erase("case_no");  // the link's holder sees the masked number only
    out["case_no_masked"] = s->case_no ? Json(mask_case_no(*s->case_no)) : Json();
    return out;
  });
}

Result<Json> ChannelService::record_service_event(const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  Json problems = Json::array();
  std::string window = text_field(body, "window"), item = text_field(body, "item"),
              description = text_field(body, "description"), case_no = text_field(body, "case_no"),
              id_number = text_field(body, "id_number");
  if (window.empty() || chars(window) > 30) problems.push_back({{"field", "window"}, {"problem", "required"}});
  if (chars(description) > 200)
    problems.push_back({{"field", "description"}, {"problem", "max_length"}, {"value", 200}});
  if (item.empty() && description.empty() && case_no.empty())
    problems.push_back({{"field", "description"}, {"problem", "required"}});
  EpochMs now = impl_->clock.now_ms();
  if (!id_number.empty())
    if (auto check = ids::check_resident_id(id_number, business_date(now)); !check.valid)
      problems.push_back({{"field", "id_number"}, {"problem", "invalid"}, {"message", check.reason}});
  if (!problems.empty()) return invalid(problems, "现场服务登记信息有误");

  // The clerk's department: a catalogue code, or the hall's name as the role carries it.
  std::optional<std::string> department;
  for (const auto& g : who.principal->roles)
    if (g.role == "window_clerk" && g.department && !department)
      department = impl_->catalog.department_code(*g.department).value_or(*g.department);
  if (!department) return fail(codes::kEvaluationForbidden, "您的账号未设所属部门，不能登记现场服务");

  sql::ServiceEvent e{.department = *department,
                      .window_name = window,
                      .item_code = "",
                      .item_name = description,
                      .case_no = case_no.empty() ? std::nullopt : std::optional(case_no),
                      .clerk_account_id = who.principal->account_id,
                      .created_at = now};
  if (!item.empty()) {
    auto published = impl_->catalog.published_item(item);
    if (!published) return std::unexpected(published.error());
    e.item_code = (*published)->impl_code;
    e.item_name = (*published)->name;
  }
  Json applicant = nullptr;
  if (!id_number.empty()) {
    // Someone without an account is served all the same; their rating is anonymous.
    auto person = impl_->identity.person_by_id_number(id_number);
    applicant = {{"identified", person.has_value()}};
    if (person) {
      e.applicant_account_id = person->id;
      applicant["name"] = person->name;
    }
  }
  std::string token = new_token();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    if (e.case_no) {
      auto f = cases::case_facts(c, *e.case_no);
      if (!f) return fail(codes::kCaseNotFound, "办件不存在", {{"case_no", *e.case_no}});
      if (e.item_code.empty() && description.empty()) {
        e.item_code = f->impl_code;
        e.item_name = f->item_name;
      }
    }
    e.id = sql::insert_service_event(c, e);
    sql::Link l{.token_digest = digest_of(token),
                .channel = "pad",
                .service_event_id = e.id,
                .expires_at = now + kPadLinkLifetime,
                .created_at = now};
    sql::insert_link(c, l);
    audit::record(c, impl_->clock,
                  {.actor = who.principal,
                   .action = "evaluation.service_event",
                   .target = "service_event:" + std::to_string(e.id),
                   .ip = who.ip,
                   .request_id = who.request_id,
                   .details = {{"no", event_no(e)}, {"window", window}, {"item", e.item_code}}});
    return Json{{"id", e.id},
                {"no", event_no(e)},
                {"department", e.department},
                {"window", e.window_name},
                {"item", {{"code", e.item_code}, {"name", e.item_name}}},
                {"case_no", e.case_no ? Json(*e.case_no) : Json()},
                {"applicant", applicant},
                {"token", token},
                {"rate_url", impl_->url_of(token)},
                {"expires_at", format_instant(l.expires_at)}};
  });
}

Result<Json> ChannelService::my_service_events(const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  Json items = Json::array();
  impl_->db.read([&](store::Conn& c) {
    for (const auto& e : sql::service_events_of_clerk(c, who.principal->account_id, 20)) {
      std::string no = event_no(e);
      auto rated = sql::by_case(c, no);
      auto l = sql::link_of_service_event(c, e.id);
      items.push_back({{"id", e.id},
                       {"no", no},
                       {"window", e.window_name},
                       {"item", {{"code", e.item_code}, {"name", e.item_name}}},
                       {"case_no", e.case_no ? Json(*e.case_no) : Json()},
                       {"served_at", format_instant(e.created_at)},
                       {"rated", rated.has_value()},
                       {"level_name", rated ? Json(kLevelNames[rated->level]) : Json()},
                       {"link_expires_at", l ? Json(format_instant(l->expires_at)) : Json()}});
    }
  });
  return Json{{"items", items}};
}

Result<Json> ChannelService::rate_by_hotline(const std::string& case_no, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  Json problems = Json::array();
  Rating r = parse_rating(body, problems);
  std::string caller = text_field(body, "caller_name"), tail = text_field(body, "phone_tail");
  if (caller.empty()) problems.push_back({{"field", "caller_name"}, {"problem", "required"}});
  if (tail.size() != 4 || tail.find_first_not_of("0123456789") != std::string::npos)
    problems.push_back({{"field", "phone_tail"}, {"problem", "pattern"}, {"value", "4 digits"}});
  if (!problems.empty()) return invalid(problems);
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto f = cases::case_facts(c, case_no);
    if (!f || f->impl_code.empty()) return fail(codes::kCaseNotFound, "办件不存在", {{"case_no", case_no}});
    // Before anything about the case is told: is the caller its applicant?
    if (f->applicant_name != caller || !impl_->identity.phone_ends_with(c, f->applicant_account_id, tail))
      return fail(codes::kCallerNotVerified, "来电人身份核验未通过：姓名或手机号后四位与申请人不符");
    if (!kRateable.contains(f->status))
      return fail(codes::kEvaluationTooEarly, "办件办结后才能评价", {{"status", f->status}});
    if (auto e = sql::by_case(c, case_no))
      return fail(codes::kEvaluationExists, "该办件已评价", {{"id", e->id}, {"channel", e->channel}});
    Subject s{case_no,      "case",  f->department,           f->impl_code,
              f->item_name, case_no, f->applicant_account_id, std::nullopt};
    auto e = new_row(s, r, f->applicant_account_id, r.anonymous, "hotline", now);
    e.id = sql::insert(c, e);
    impl_->audit_rating(c, who, e, {{"for_account", f->applicant_account_id}});
    return rendered(e);
  });
}

}  // namespace tb::evaluation
