// Reading licences: the holder's wallet and authorisations, the signature for outside
// checking, public verification, licences as materials, and issuance from the case outbox.
#include "crypto/crypto.h"
#include "crypto/sm2.h"
#include "licence/service_internal.h"
#include "seal/ses.h"

namespace tb::licence {
namespace {

// The holder (by account, or by the ID number behind the principal) or staff of the issuing department.
bool may_read(LicenceService::Impl& impl, const sql::LicenceRow& l, const Principal& p) {
  if (l.holder_account_id && *l.holder_account_id == p.account_id) return true;
  if (l.holder_company_id && p.acting_company_id == l.holder_company_id) return true;
  if (p.kind == "person")
    if (auto id = impl.identity.id_number_of(p.account_id); id && impl.holder_index(*id) == l.holder_index) return true;
  for (const auto& g : p.roles)
    if ((g.role == "approver" || g.role == "window_clerk") && g.department &&
        impl.catalog.department_code(*g.department).value_or(*g.department) == l.department)
      return true;
  return false;
}

bool holder_of(LicenceService::Impl& impl, const sql::LicenceRow& l, const Principal& p) {
  if (l.holder_account_id && *l.holder_account_id == p.account_id) return true;
  if (l.holder_company_id && p.acting_company_id == l.holder_company_id) return true;
  if (p.kind != "person") return false;
  auto id = impl.identity.id_number_of(p.account_id);
  return id && impl.holder_index(*id) == l.holder_index;
}

}  // namespace

Result<Json> LicenceService::get(const std::string& licence_id, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto l = impl_->db.read([&](store::Conn& c) { return sql::licence(c, licence_id); });
  if (!l || !may_read(*impl_, *l, *who.principal)) return licence_not_found(licence_id);
  Json out = impl_->view(*l, true);
  if (holder_of(*impl_, *l, *who.principal)) {
    Json grants = Json::array();
    for (const auto& g : impl_->db.read([&](store::Conn& c) { return sql::grants(c, l->id); }))
      grants.push_back({{"id", g.id}, {"department", g.department}, {"case_no", g.case_no ? Json(*g.case_no) : Json()},
                        {"granted_at", format_instant(g.granted_at)},
                        {"revoked_at", g.revoked_at ? Json(format_instant(*g.revoked_at)) : Json()}});
    out["grants"] = grants;
  }
  return out;
}

Result<Json> LicenceService::signature(const std::string& licence_id, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto l = impl_->db.read([&](store::Conn& c) { return sql::licence(c, licence_id); });
  if (!l || !may_read(*impl_, *l, *who.principal)) return licence_not_found(licence_id);
  auto sig = seal::decode_signature(l->signature);
  if (!sig) throw FatalError("stored licence signature unreadable: " + licence_id);
  std::string payload = impl_->open_payload(*l);
  return Json{{"licence_id", licence_id},
              {"payload", payload},
              {"payload_sm3", crypto::sm3_hex(payload)},
              {"ses_signature", crypto::base64_encode(l->signature)},
              {"to_sign", crypto::base64_encode(sig->to_sign_der)},
              {"signature_value", crypto::base64_encode(sig->signature)},
              {"data_hash", crypto::to_hex(sig->data_hash)},
              {"certificate", crypto::der_to_pem(sig->signer_cert_der)},
              {"ca_certificate", impl_->seals.ca_certificate()},
              {"algorithm", "SM2-with-SM3 (1.2.156.10197.1.501), signer ID 1234567812345678"}};
}

Result<std::string> LicenceService::pdf(const std::string& licence_id, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto l = impl_->db.read([&](store::Conn& c) { return sql::licence(c, licence_id); });
  if (!l || !may_read(*impl_, *l, *who.principal)) return licence_not_found(licence_id);
  return impl_->ensure_pdf(*l);
}

Result<Json> LicenceService::verify(const std::string& licence_id, const std::string& ip) {
  EpochMs now = impl_->clock.now_ms();
  auto l = impl_->db.read([&](store::Conn& c) { return sql::licence(c, licence_id); });
  if (!l) {
    impl_->db.write([&](store::Conn& c) { sql::log_verification(c, licence_id, "not_found", ip, now); });
    return licence_not_found(licence_id);
  }
  Json verdict = impl_->seals.verify(l->signature, impl_->open_payload(*l));
  std::string status = impl_->status_of(*l);
  std::string result = verdict.value("valid", false) ? status : "signature_invalid";
  impl_->db.write([&](store::Conn& c) { sql::log_verification(c, licence_id, result, ip, now); });
  // Enough to recognise the document, not enough to learn about its holder.
  Json out = impl_->view(*l, false);
  if (l->holder_kind == "person") out["holder"]["name"] = mask_name(l->holder_name);
  out.erase("case_no");
  out["signature"] = verdict;
  out["authentic"] = verdict.value("valid", false);
  return out;
}

Result<Json> LicenceService::mine(const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string index;
  if (who.principal->kind == "person")
    if (auto id = impl_->identity.id_number_of(who.principal->account_id)) index = impl_->holder_index(*id);
  auto rows = impl_->db.read(
      [&](store::Conn& c) { return sql::licences_of(c, who.principal->account_id, index, who.principal->acting_company_id); });
  Json items = Json::array();
  for (const auto& l : rows) items.push_back(impl_->view(l, true));
  return Json{{"items", items}};
}

Result<Json> LicenceService::grant(const std::string& licence_id, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string department = body.value("department", "");
  auto code = impl_->catalog.department_code(department);
  if (!code) return fail(codes::kDepartmentNotFound, "部门不存在", {{"department", department}});
  auto l = impl_->db.read([&](store::Conn& c) { return sql::licence(c, licence_id); });
  if (!l || !holder_of(*impl_, *l, *who.principal)) return licence_not_found(licence_id);
  if (impl_->status_of(*l) != "valid")
    return fail(codes::kLicenceTransitionInvalid, "只有有效的证照可以授权使用", {{"from", impl_->status_of(*l)}, {"action", "grant"}});
  EpochMs now = impl_->clock.now_ms();
  std::optional<std::string> case_no;
  if (body.contains("case_no") && body["case_no"].is_string()) case_no = body["case_no"].get<std::string>();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto id = sql::insert_grant(c, {0, l->id, *code, case_no, who.principal->account_id, now, std::nullopt});
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "licence.grant", .target = "licence:" + licence_id,
                                    .ip = who.ip, .request_id = who.request_id,
                                    .details = {{"department", *code}, {"grant", id}}});
    return Json{{"id", id}, {"licence_id", licence_id}, {"department", *code}, {"case_no", case_no ? Json(*case_no) : Json()}};
  });
}

Result<Json> LicenceService::revoke_grant(const std::string& licence_id, std::int64_t grant_id, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto l = impl_->db.read([&](store::Conn& c) { return sql::licence(c, licence_id); });
  if (!l || !holder_of(*impl_, *l, *who.principal)) return licence_not_found(licence_id);
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    if (!sql::revoke_grant(c, l->id, grant_id, now))
      return fail(codes::kLicenceGrantNotFound, "该授权不存在或已撤销", {{"grant", grant_id}});
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "licence.grant.revoke",
                                    .target = "licence:" + licence_id, .ip = who.ip, .request_id = who.request_id,
                                    .details = {{"grant", grant_id}}});
    return Json{{"id", grant_id}, {"revoked", true}};
  });
}

Result<Json> LicenceService::held_licence(store::Conn& c, std::int64_t account_id, std::optional<std::int64_t> company_id,
                                          const std::string& licence_type, const std::string& ref) {
  auto l = sql::licence(c, ref);
  bool held = l && ((l->holder_account_id && *l->holder_account_id == account_id) ||
                    (company_id && l->holder_company_id == company_id));
  if (!held)
    return fail(codes::kLicenceNotFound, "您的证照夹中没有该电子证照");
  if (l->type_name != licence_type)
    return fail(codes::kValidationFailed, "该证照不是本材料要求的「" + licence_type + "」");
  std::string status = impl_->status_of(*l);
  if (status != "valid") return fail(codes::kLicenceTransitionInvalid, "该电子证照当前" + status + "，不能使用");
  auto key_open = impl_->key.open(l->payload_sealed, kPayloadContext);
  Json payload = key_open ? Json::parse(*key_open) : Json::object();
  return Json{{"ref", l->licence_id}, {"type", l->type_name}, {"version", l->version},
              {"fields", payload.value("data", Json::object())}};
}

std::optional<std::string> licence_type_yielded(const Json& item_data) {
  Json result = item_data.value("result", Json::object());
  if (!result.is_object() || result.value("type", "") != "licence" || !result.contains("licence_type") ||
      !result["licence_type"].is_string())
    return std::nullopt;
  return result["licence_type"].get<std::string>();
}

std::int64_t consumer_position(store::Conn& c) {
  return sql::consumer_position(c);
}

CaseLicence case_licence(store::Conn& c, const std::string& case_no) {
  CaseLicence out;
  if (auto l = sql::licence_for_case(c, case_no)) out.licence_id = l->licence_id;
  for (const auto& r : c.query("SELECT code, message FROM licence_issue_failures WHERE case_no = ?", {case_no})) {
    out.failure_code = r.text(0);
    out.failure_message = r.text(1);
  }
  return out;
}

bool LicenceService::caught_up() {
  return impl_->db.read([](store::Conn& c) { return cases::outbox_after(c, sql::consumer_position(c), 1).empty(); });
}

std::size_t LicenceService::consume(int limit) {
  auto [position, events] = impl_->db.read([&](store::Conn& c) {
    std::int64_t pos = sql::consumer_position(c);
    return std::pair{pos, cases::outbox_after(c, pos, limit)};
  });
  if (events.empty()) return 0;
  // Gather what each approved case needs before the transaction.
  std::vector<IssueInput> pending;
  for (const auto& e : events) {
    if (e.type != "case.decided" || e.payload.value("outcome", "") != "approve") continue;
    auto facts = impl_->db.read([&](store::Conn& c) { return cases::case_facts(c, e.case_no); });
    if (!facts) continue;
    auto item = impl_->catalog.published_item(facts->impl_code, facts->item_version);
    if (!item) continue;
    auto yielded = licence_type_yielded((*item)->data);
    if (!yielded) continue;
    std::string type_name = *yielded;
    auto type = impl_->db.read([&](store::Conn& c) { return sql::type_by_code_or_name(c, type_name); });
    if (!type) continue;
    IssueInput in;
    in.type = *type;
    in.department = facts->department;
    auto dept = impl_->catalog.department(facts->department);
    in.department_name = dept ? dept->value("name", facts->department) : facts->department;
    in.issuer_code = dept ? dept->value("uscc", facts->department) : facts->department;
    const Json& form = facts->form;
    auto form_text = [&](std::initializer_list<const char*> keys) {
      for (const char* k : keys)
        if (form.contains(k) && form[k].is_string() && !form[k].get<std::string>().empty()) return form[k].get<std::string>();
      return std::string();
    };
    std::string uscc = form_text({"uscc"});
    if (uscc.empty() && facts->company_id)
      if (auto company = impl_->identity.company(*facts->company_id)) uscc = company->uscc;
    if (type->holder == "company" && !uscc.empty()) {
      in.holder_kind = "company";
      in.holder_id = uscc;
      in.holder_name = form_text({"company_name", "shop_name", "name"});
      if (in.holder_name.empty()) in.holder_name = facts->applicant_name;
    } else {
      in.holder_kind = "person";
      in.holder_name = facts->applicant_name;
      in.holder_id = impl_->identity.id_number_of(facts->applicant_account_id).value_or("");
    }
    in.holder_account_id = facts->applicant_account_id;
    if (in.holder_kind == "company") {
      if (facts->company_id) in.holder_company_id = facts->company_id;
      else if (auto company = impl_->identity.company_by_uscc(in.holder_id)) in.holder_company_id = company->id;
    }
    for (const auto& f : type->data.value("fields", Json::array())) {
      std::string name = f.value("name", "");
      if (form.contains(name)) in.data[name] = form[name];
    }
    in.case_no = facts->case_no;
    in.signer = e.payload.value("actor", Json::object()).value("account_id", std::int64_t(0));
    pending.push_back(std::move(in));
  }
  std::int64_t last = events.back().position;
  std::vector<sql::LicenceRow> issued;
  bool moved = impl_->db.write([&](store::Conn& c) {
    if (!sql::advance_consumer(c, position, last)) return false;  // another node consumed these
    EpochMs now = impl_->clock.now_ms();
    for (const auto& in : pending) {
      if (sql::licence_for_case(c, *in.case_no)) continue;  // issued once per case
      auto l = impl_->issue_in(c, in);
      if (!l) {
        // Recorded for supervision (a result without its licence); the outbox moves on.
        sql::record_failure(c, *in.case_no, l.error(), now);
        continue;
      }
      audit::record(c, impl_->clock, {.actor_name = "tongban", .action = "licence.issue", .target = "licence:" + l->licence_id,
                                      .details = {{"case_no", *in.case_no}, {"type", in.type.code}, {"automatic", true}}});
      issued.push_back(*l);
    }
    return true;
  });
  for (const auto& l : issued) impl_->ensure_pdf(l);  // a failure here leaves it for the first download
  return moved ? events.size() : 0;
}

}  // namespace tb::licence
