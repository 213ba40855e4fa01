// Licence issuance, states, the holder's wallet and verification.
#include <chrono>

#include "cases/form.h"
#include "core/ids.h"
#include "crypto/crypto.h"
#include "core/licence_id.h"
#include "licence/document.h"
#include "licence/service_internal.h"
#include "seal/ses.h"

namespace tb::licence {
namespace {

// The purpose of the holder index: changing it makes stored look-ups miss.
constexpr std::string_view kHolderIndexPurpose = "licence.holder";
constexpr int kApprovalSealType = 2;  // 行政审批专用章

Date end_of_validity(Date from, int years) {
  std::chrono::year_month_day ymd{from.days};
  ymd += std::chrono::years(years);
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / std::chrono::last;
  return Date{std::chrono::sys_days(ymd) - std::chrono::days(1)};
}


const std::map<std::string, std::string>& status_labels() {
  static const std::map<std::string, std::string> labels{{"valid", "有效"}, {"suspended", "已暂停"}, {"revoked", "已注销"},
                                                         {"replaced", "已换发"}, {"expired", "已过期"}};
  return labels;
}

}  // namespace

std::string mask_name(const std::string& name) {
  // Keep the first character (UTF-8), mask the rest: 张三 → 张*.
  if (name.empty()) return name;
  std::size_t first = 1;
  while (first < name.size() && (static_cast<unsigned char>(name[first]) & 0xC0) == 0x80) ++first;
  std::size_t rest = 0;
  for (std::size_t i = first; i < name.size(); ++i)
    if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) ++rest;
  return name.substr(0, first) + std::string(std::max<std::size_t>(rest, 1), '*');
}

std::unexpected<Error> licence_not_found(const std::string& licence_id) {
  return fail(codes::kLicenceNotFound, "电子证照不存在", {{"licence_id", licence_id}});
}

std::vector<store::Migration> migrations() { return store::module_migrations("licence", migration_files()); }

std::string LicenceService::Impl::holder_index(const std::string& holder_id) const {
  return key.blind_index(holder_id, kHolderIndexPurpose);
}

std::string LicenceService::Impl::open_payload(const sql::LicenceRow& l) const {
  auto p = key.open(l.payload_sealed, kPayloadContext);
  if (!p) throw FatalError("a licence payload does not open with this data key: " + l.licence_id);
  return *p;
}

std::string LicenceService::Impl::status_of(const sql::LicenceRow& l) const {
  if (l.state == "valid" && l.valid_to && *l.valid_to < business_date(clock.now_ms()).to_string()) return "expired";
  return l.state;
}

Json LicenceService::Impl::view(const sql::LicenceRow& l, bool with_data) const {
  std::string status = status_of(l);
  Json out = {{"licence_id", l.licence_id},
              {"type", {{"code", l.type_code}, {"name", l.type_name}}},
              {"department", l.department},
              {"version", l.version},
              {"holder", {{"kind", l.holder_kind}, {"name", l.holder_name}, {"id", l.holder_id_masked}}},
              {"status", status},
              {"status_label", status_labels().at(status)},
              {"state_reason", l.state_reason ? Json(*l.state_reason) : Json()},
              {"valid_from", l.valid_from},
              {"valid_to", l.valid_to ? Json(*l.valid_to) : Json("长期")},
              {"case_no", l.case_no ? Json(*l.case_no) : Json()},
              {"seal", l.seal_es_id},
              {"issued_at", format_instant(l.issued_at)}};
  if (with_data) out["data"] = Json::parse(open_payload(l)).value("data", Json::object());
  return out;
}

Result<sql::LicenceRow> LicenceService::Impl::issue_in(store::Conn& c, const IssueInput& in) {
  auto es_id = seals.seal_of(c, in.department, kApprovalSealType);
  if (!es_id)
    return fail(codes::kSealNotUsable, "颁证部门没有可用的行政审批专用章", {{"department", in.department}});
  EpochMs now = clock.now_ms();
  Date today = business_date(now);
  sql::LicenceRow l;
  l.serial = in.serial.value_or("");
  if (l.serial.empty()) {
    std::string year = std::to_string(today.year());
    std::string seq = std::to_string(sql::next_sequence(c, in.type.code + "." + in.issuer_code + "." + year));
    l.serial = year + std::string(seq.size() < 7 ? 7 - seq.size() : 0, '0') + seq;
  }
  l.version = in.version;
  l.licence_id = ids::licence_identifier(in.type.code, in.issuer_code, l.serial, in.version);
  l.type_code = in.type.code;
  l.type_name = in.type.name;
  l.department = in.department;
  l.holder_kind = in.holder_kind;
  l.holder_name = in.holder_name;
  l.holder_id_masked = in.holder_kind == "person" ? crypto::mask_id_number(in.holder_id) : in.holder_id;
  l.holder_index = holder_index(in.holder_id);
  l.holder_account_id = in.holder_account_id;
  l.holder_company_id = in.holder_company_id;
  l.seal_es_id = *es_id;
  l.state = "valid";
  l.valid_from = today.to_string();
  if (in.type.validity_years) l.valid_to = end_of_validity(today, *in.type.validity_years).to_string();
  l.case_no = in.case_no;
  l.replaces = in.replaces;
  l.issued_by = in.signer;
  l.issued_at = l.updated_at = now;
  // The canonical payload: sorted keys, no spaces, UTF-8 (nlohmann keeps object keys sorted).
  Json payload = {{"licence_id", l.licence_id},
                  {"type", {{"code", l.type_code}, {"name", l.type_name}}},
                  {"issuer", {{"department", in.department}, {"name", in.department_name}, {"code", in.issuer_code}}},
                  {"holder", {{"kind", in.holder_kind}, {"name", in.holder_name}, {"id", in.holder_id}}},
                  {"data", in.data},
                  {"valid_from", l.valid_from},
                  {"valid_to", l.valid_to ? Json(*l.valid_to) : Json()},
                  {"version", l.version},
                  {"state", "valid"},
                  {"case_no", l.case_no ? Json(*l.case_no) : Json()},
                  {"signed_at", format_instant(now)}};
  std::string text = payload.dump();
  auto signature = seals.sign(c, *es_id, in.signer, text, "licence:" + l.licence_id);
  if (!signature) return std::unexpected(signature.error());
  l.payload_sealed = key.seal(text, kPayloadContext);
  l.signature = *signature;
  l.id = sql::insert_licence(c, l);
  return l;
}

Result<void> LicenceService::Impl::change_state(store::Conn& c, const sql::LicenceRow& l, const std::string& state,
                                                const std::optional<std::string>& reason, std::int64_t signer) {
  EpochMs now = clock.now_ms();
  Json payload = Json::parse(open_payload(l));
  payload["state"] = state;
  payload["state_reason"] = reason ? Json(*reason) : Json();
  payload["signed_at"] = format_instant(now);
  std::string text = payload.dump();
  auto signature = seals.sign(c, l.seal_es_id, signer, text, "licence:" + l.licence_id + ":" + state);
  if (!signature) return std::unexpected(signature.error());
  sql::update_state(c, l.id, state, reason, key.seal(text, kPayloadContext), *signature, now);
  return {};
}

LicenceService::LicenceService(store::Db& db, const Clock& clock, crypto::DataKey key, seal::SealService& seals,
                               catalog::CatalogService& catalog, identity::IdentityService& identity,
                               store::BlobStore& blobs, std::string public_url)
    : impl_(std::make_unique<Impl>(
          Impl{db, clock, std::move(key), seals, catalog, identity, blobs, std::move(public_url)})) {}

std::string LicenceService::Impl::ensure_pdf(const sql::LicenceRow& l) {
  if (auto sm3 = db.read([&](store::Conn& c) { return sql::pdf_of(c, l.id); }))
    if (auto bytes = blobs.get(*sm3)) return *bytes;
  Json p = Json::parse(open_payload(l));
  auto type = db.read([&](store::Conn& c) { return sql::type_by_code_or_name(c, l.type_code); });
  DocumentInput in;
  in.title = l.type_name;
  in.licence_id = l.licence_id;
  in.holder_label = l.holder_kind == "person" ? "持证人" : "持证主体";
  in.holder_name = p["holder"].value("name", l.holder_name);
  in.holder_id = p["holder"].value("id", "");
  for (const auto& f : type ? type->data.value("fields", Json::array()) : Json::array()) {
    std::string name = f.value("name", "");
    const Json& data = p["data"];
    if (name == "holder_name" || name == "holder_id" || !data.contains(name)) continue;
    in.rows.emplace_back(f.value("label", name), data[name].is_string() ? data[name].get<std::string>() : data[name].dump());
  }
  in.valid_from = l.valid_from;
  in.valid_to = l.valid_to.value_or("");
  in.issuer_name = p["issuer"].value("name", l.department);
  in.seal_use = "行政审批专用章";
  in.issued_on = business_date(l.issued_at).to_string();
  in.verify_url = public_url + "/verify/" + l.licence_id;  // the web's verification page
  std::string bytes = render_pdf(in);
  std::string sm3 = blobs.put(bytes);
  db.write([&](store::Conn& c) { sql::set_pdf(c, l.id, sm3); });
  return bytes;
}
LicenceService::~LicenceService() = default;

Json LicenceService::seed() {
  Json types = Json::parse(seed_files().at(0).text);
  std::size_t added = 0;
  impl_->db.write([&](store::Conn& c) {
    std::size_t before = sql::types(c).size();
    for (const auto& t : types)
      sql::upsert_type(c, {t["code"], t["name"], t["ministry"], t["holder"],
                           t["validity_years"].is_null() ? std::nullopt : std::optional<int>(t["validity_years"].get<int>()),
                           t});
    added = sql::types(c).size() - before;
  });
  return {{"licence_types_added", added}};
}

Json LicenceService::types() {
  Json items = Json::array();
  for (const auto& t : impl_->db.read([](store::Conn& c) { return sql::types(c); }))
    items.push_back({{"code", t.code}, {"name", t.name}, {"ministry", t.ministry}, {"holder", t.holder},
                     {"validity_years", t.validity_years ? Json(*t.validity_years) : Json()},
                     {"fields", t.data.value("fields", Json::array())}, {"issued_by", t.data.value("issued_by", Json::array())}});
  return {{"items", items}};
}

Result<Json> LicenceService::issue(const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string type_key = body.value("type", "");
  auto type = impl_->db.read([&](store::Conn& c) { return sql::type_by_code_or_name(c, type_key); });
  if (!type) return fail(codes::kLicenceTypeNotFound, "证照类型不存在", {{"type", type_key}});
  // The issuing department: the approver's own, which must issue this type.
  std::optional<std::string> department;
  auto issued_by = type->data.value("issued_by", Json::array());
  for (const auto& g : who.principal->roles)
    if (g.role == "approver" && g.department) {
      auto code = impl_->catalog.department_code(*g.department).value_or(*g.department);
      if (std::find(issued_by.begin(), issued_by.end(), Json(code)) != issued_by.end()) department = code;
    }
  if (!department) return fail(codes::kLicenceForbidden, "本部门不颁发该类证照", {{"type", type->name}});

  Json holder = body.value("holder", Json::object());
  Json problems = Json::array();
  std::string id_field = type->holder == "person" ? "id_number" : "uscc";
  std::string holder_id = holder.value(id_field, "");
  std::string holder_name = holder.value("name", "");
  Date today = business_date(impl_->clock.now_ms());
  auto check = type->holder == "person" ? ids::check_resident_id(holder_id, today) : ids::check_uscc(holder_id);
  if (!check.valid) problems.push_back({{"field", "holder." + id_field}, {"problem", "invalid"}, {"message", check.reason}});
  if (holder_name.empty()) problems.push_back({{"field", "holder.name"}, {"problem", "required"}});
  Json fields = Json::array();
  for (const auto& f : type->data.value("fields", Json::array()))
    if (f.value("name", "") != "holder_name" && f.value("name", "") != "holder_id") fields.push_back(f);
  Json data = body.value("data", Json::object());
  for (auto& p : cases::check_form({{"fields", fields}}, data, today)) problems.push_back(std::move(p));
  if (!problems.empty()) return fail(codes::kValidationFailed, "证照信息有误", {{"problems", problems}});

  IssueInput in;
  in.type = *type;
  in.department = *department;
  auto dept = impl_->catalog.department(*department);
  in.department_name = dept ? dept->value("name", *department) : *department;
  in.issuer_code = dept ? dept->value("uscc", *department) : *department;
  in.holder_kind = type->holder;
  in.holder_name = holder_name;
  in.holder_id = holder_id;
  if (type->holder == "person") {
    if (auto account = impl_->identity.person_by_id_number(holder_id)) in.holder_account_id = account->id;
  } else if (auto company = impl_->identity.company_by_uscc(holder_id)) {
    in.holder_company_id = company->id;  // its representative and agents see it in their wallet
  }
  in.data = data;
  in.signer = who.principal->account_id;
  std::optional<sql::LicenceRow> issued;
  auto out = impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto l = impl_->issue_in(c, in);
    if (!l) return std::unexpected(l.error());
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "licence.issue", .target = "licence:" + l->licence_id,
                                    .ip = who.ip, .request_id = who.request_id,
                                    .details = {{"type", type->code}, {"department", *department}}});
    issued = *l;
    return impl_->view(*l, true);
  });
  if (issued) impl_->ensure_pdf(*issued);
  return out;
}

Result<Json> LicenceService::act(const std::string& licence_id, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string action = body.value("action", "");
  std::string reason = body.contains("reason") && body["reason"].is_string() ? body["reason"].get<std::string>() : "";
  static const std::map<std::string, std::pair<std::vector<std::string>, std::string>> kSteps{
      {"suspend", {{"valid"}, "suspended"}},
      {"resume", {{"suspended"}, "valid"}},
      {"revoke", {{"valid", "suspended"}, "revoked"}},
      {"replace", {{"valid"}, "replaced"}}};
  auto step = kSteps.find(action);
  if (step == kSteps.end())
    return fail(codes::kValidationFailed, "未知的证照操作", {{"problems", {{{"field", "action"}, {"value", action}}}}});
  if (reason.empty() && action != "resume")
    return fail(codes::kValidationFailed, "须写明理由", {{"problems", {{{"field", "reason"}, {"problem", "required"}}}}});
  auto l = impl_->db.read([&](store::Conn& c) { return sql::licence(c, licence_id); });
  if (!l) return licence_not_found(licence_id);
  bool issuer_staff = false;
  for (const auto& g : who.principal->roles)
    if (g.role == "approver" && g.department &&
        impl_->catalog.department_code(*g.department).value_or(*g.department) == l->department)
      issuer_staff = true;
  if (!issuer_staff) return fail(codes::kLicenceForbidden, "只有颁证部门可以变更证照状态", {{"licence_id", licence_id}});
  const auto& [from_states, to] = step->second;
  std::string status = impl_->status_of(*l);
  if (std::find(from_states.begin(), from_states.end(), status) == from_states.end())
    return fail(codes::kLicenceTransitionInvalid, "证照当前状态下不能进行此操作", {{"from", status}, {"action", action}});

  // Replacement (变更/换证): a new version with the new data, same serial; the old one is replaced.
  IssueInput next;
  if (action == "replace") {
    Json old = Json::parse(impl_->open_payload(*l));
    auto type = impl_->db.read([&](store::Conn& c) { return sql::type_by_code_or_name(c, l->type_code); });
    next.type = *type;
    next.department = l->department;
    next.department_name = old["issuer"].value("name", l->department);
    next.issuer_code = old["issuer"].value("code", l->department);
    next.holder_kind = l->holder_kind;
    next.holder_name = old["holder"].value("name", l->holder_name);
    next.holder_id = old["holder"].value("id", "");
    next.holder_account_id = l->holder_account_id;
    next.holder_company_id = l->holder_company_id;
    next.data = old.value("data", Json::object());
    if (body.contains("data") && body["data"].is_object()) next.data.update(body["data"]);
    next.case_no = l->case_no;
    next.replaces = l->id;
    next.serial = l->serial;
    next.version = l->version + 1;
    next.signer = who.principal->account_id;
  }
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto current = sql::licence(c, licence_id);
    if (!current || current->state != l->state)
      return fail(codes::kConflict, "证照已被他人更新，请刷新后重试", {{"licence_id", licence_id}});
    if (auto ok = impl_->change_state(c, *current, to, reason.empty() ? std::nullopt : std::optional(reason),
                                      who.principal->account_id);
        !ok)
      return std::unexpected(ok.error());
    Json out = {{"licence_id", licence_id}, {"status", to}};
    if (action == "replace") {
      auto fresh = impl_->issue_in(c, next);
      if (!fresh) return std::unexpected(fresh.error());
      out["replaced_by"] = impl_->view(*fresh, true);
    }
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "licence." + action, .target = "licence:" + licence_id,
                                    .ip = who.ip, .request_id = who.request_id,
                                    .details = {{"from", status}, {"to", to}, {"reason", reason}}});
    return out;
  });
}

}  // namespace tb::licence
