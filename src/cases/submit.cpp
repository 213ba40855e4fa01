// Applying: uploads, drafts, and submission (one item, or a scenario's parent and children),
// idempotent by Idempotency-Key, numbered per STANDARDS §3.
#include <set>

#include "cases/form.h"
#include "cases/service_internal.h"
#include "crypto/crypto.h"

namespace tb::cases {
namespace {

std::size_t utf8_prefix(const std::string& s, std::size_t max_chars) {
  std::size_t chars = 0, i = 0;
  for (; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == max_chars) break;
  return i;
}

// The name as shown to staff: no folders, no control or shell-special characters, no
// leading dots, at most 100 characters. Stored files are named by digest, never by this.
std::string safe_file_name(const std::string& raw) {
  std::string name = raw;
  if (auto slash = name.find_last_of("/\\"); slash != std::string::npos) name = name.substr(slash + 1);
  std::string out;
  for (unsigned char ch : name)
    if (ch >= 0x20 && ch != 0x7F && std::string_view("<>:\"|?*").find(char(ch)) == std::string_view::npos)
      out.push_back(char(ch));
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
  out.resize(utf8_prefix(out, 100));
  return out.empty() ? "未命名文件" : out;
}

bool ends_with_ci(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  return true;
}

// What the bytes are, from their first bytes (the declared type is not trusted): PDF, images,
// OFD (the national format) and Office documents (blank forms filled in). Anything else is refused.
std::optional<std::string> sniff(std::string_view bytes, const std::string& name) {
  if (bytes.starts_with("%PDF-")) return "application/pdf";
  if (bytes.starts_with("\x89PNG\r\n\x1a\n")) return "image/png";
  if (bytes.starts_with("\xFF\xD8\xFF")) return "image/jpeg";
  if (bytes.starts_with("PK\x03\x04")) {
    if (ends_with_ci(name, ".ofd")) return "application/ofd";
    if (ends_with_ci(name, ".docx")) return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    if (ends_with_ci(name, ".xlsx")) return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  return std::nullopt;
}

Json problem(std::string field, std::string_view what, std::string message, Json value = nullptr) {
  Json p = {{"field", std::move(field)}, {"problem", what}, {"message", std::move(message)}};
  if (!value.is_null()) p["value"] = std::move(value);
  return p;
}

// The item's workflow without its leading "受理" step: acceptance is the case's own action,
// done at any comprehensive window, not a step of one department.
Result<Workflow> plan_for(const Json& item) {
  Json wf = item.value("workflow", Json::object());
  Json& steps = wf["steps"];
  if (steps.is_array() && !steps.empty() && steps[0].is_object() && steps[0].value("key", "") == "accept")
    steps.erase(steps.begin());
  if (item.value("kind", "") == "immediate" && steps.empty()) return Workflow{{}, item.value("division_code", "")};
  return build_plan(wf, item.value("division_code", ""));
}

bool joint_handling(const Workflow& wf) {
  std::set<std::string> departments;
  for (const Stage& s : wf.stages)
    for (const Step& step : s.steps) departments.insert(step.department);
  return departments.size() > 1;
}

struct Applicant {
  std::int64_t account_id = 0;
  std::string name;
  int real_name_level = 1;
  std::optional<std::int64_t> company_id;
};

}  // namespace

std::vector<sql::MaterialRow> read_materials(LicenceSource* licences, store::Conn& c, const Json& given,
                                             const Json& item_materials, std::int64_t owner_account,
                                             std::optional<std::int64_t> company_id, Json& problems,
                                             const std::string& prefix) {
  std::vector<sql::MaterialRow> out;
  if (!given.is_array()) {
    problems.push_back(problem(prefix, "type", "材料应为列表"));
    return out;
  }
  std::map<std::string, Json> declared;
  for (const auto& m : item_materials) declared[m.value("name", "")] = m;
  std::set<std::string> seen;
  std::vector<std::int64_t> upload_ids;
  for (const auto& g : given)
    if (g.is_object() && g.contains("upload") && g["upload"].is_number_integer()) upload_ids.push_back(g["upload"]);
  auto owners = sql::upload_owners(c, upload_ids);
  for (std::size_t i = 0; i < given.size(); ++i) {
    const Json& g = given[i];
    std::string at = prefix + "[" + std::to_string(i) + "]";
    if (!g.is_object() || !g.contains("name") || !g["name"].is_string()) {
      problems.push_back(problem(at + ".name", "required", "须写明材料名称"));
      continue;
    }
    std::string name = g["name"];
    auto d = declared.find(name);
    if (d == declared.end()) {
      problems.push_back(problem(at + ".name", "unknown_material", "本事项不需要该材料", name));
      continue;
    }
    if (!seen.insert(name).second) {
      problems.push_back(problem(at + ".name", "duplicate", "同一材料只能提交一份", name));
      continue;
    }
    sql::MaterialRow row;
    row.name = name;
    if (g.contains("upload") && g["upload"].is_number_integer()) {
      auto owner = owners.find(g["upload"].get<std::int64_t>());
      if (owner == owners.end() || owner->second != owner_account) {
        problems.push_back(problem(at + ".upload", "not_found", "找不到您上传的该文件", g["upload"]));
        continue;
      }
      row.source = "upload";
      row.upload_id = owner->first;
    } else if (g.contains("licence") && g["licence"].is_string()) {
      Json type = d->second.value("licence_type", Json());
      if (!type.is_string()) {
        problems.push_back(problem(at + ".licence", "not_replaceable", "该材料不能用电子证照替代", name));
        continue;
      }
      if (!licences) {
        problems.push_back(problem(at + ".licence", "licence_unavailable", "电子证照服务暂不可用，请上传材料", name));
        continue;
      }
      auto held = licences->held_licence(c, owner_account, company_id, type.get<std::string>(), g["licence"]);
      if (!held) {
        problems.push_back(problem(at + ".licence", "licence_invalid", held.error().message, g["licence"]));
        continue;
      }
      row.source = "licence";
      row.licence_ref = held->value("ref", g["licence"].get<std::string>()) + "@" +
                        std::to_string(held->value("version", 1));
      row.licence_fields = held->value("fields", Json::object());
    } else {
      problems.push_back(problem(at, "required", "须给出上传文件（upload）或电子证照（licence）", name));
      continue;
    }
    out.push_back(std::move(row));
  }
  return out;
}

Result<Json> CaseService::upload(std::string_view bytes, const std::string& file_name,
                                 const std::string& content_type, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (content_type.starts_with("multipart/"))
    return fail(codes::kUnsupportedMediaType, "请以 application/octet-stream 上传文件本身，文件名放在 name 参数中");
  if (bytes.empty()) return fail(codes::kValidationFailed, "文件为空", {{"problems", {problem("body", "required", "文件为空")}}});
  std::string name = safe_file_name(file_name);
  auto media_type = sniff(bytes, name);
  if (!media_type)
    return fail(codes::kMaterialTypeNotAllowed, "只接受 PDF、JPG、PNG、OFD、DOCX、XLSX 格式的材料",
                {{"file_name", name}});
  std::string digest = impl_->blobs.put(bytes);  // by content: the same file is kept once
  EpochMs now = impl_->clock.now_ms();
  sql::UploadRow row{0, who.principal->account_id, name, *media_type, std::int64_t(bytes.size()), digest, now};
  row.id = impl_->db.write([&](store::Conn& c) {
    auto id = sql::insert_upload(c, row);
    audit::record(c, impl_->clock,
                  {.actor = who.principal, .action = "case.upload", .target = "upload:" + std::to_string(id),
                   .ip = who.ip, .request_id = who.request_id,
                   .details = {{"digest", digest}, {"size", row.size}, {"media_type", *media_type}}});
    return id;
  });
  return Json{{"id", row.id}, {"file_name", name}, {"media_type", *media_type}, {"size", row.size}, {"sm3", digest}};
}

Result<Created> CaseService::submit(const Json& app, const std::string& idempotency_key, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  const Principal& p = *who.principal;
  if (!app.is_object()) return fail(codes::kValidationFailed, "申请应为对象");
  if (idempotency_key.size() > 200)
    return fail(codes::kValidationFailed, "Idempotency-Key 过长", {{"problems", {problem("Idempotency-Key", "max_length", "不超过 200 个字符")}}});

  // Who files, for whom, through which channel.
  std::vector<Actor> actors = impl_->actors_of(p);
  const Actor* filer = nullptr;
  for (const Actor& a : actors)
    if (is_applicant_role(a.role) || a.role == "window_clerk") {
      filer = &a;
      if (a.role == "window_clerk") break;  // a clerk who is also a citizen files at the window
    }
  if (!filer) return fail(codes::kCaseForbidden, "您的角色不能提交申请", {{"action", "submit"}});
  bool window = filer->role == "window_clerk";
  std::string channel = app.value("channel", window ? "window" : "online");
  if (window ? channel != "window" : (channel != "online" && channel != "terminal"))
    return fail(codes::kValidationFailed, "申请渠道不正确",
                {{"problems", {problem("channel", "one_of", window ? "窗口只能以 window 渠道代为申请" : "渠道须为 online 或 terminal", channel)}}});
  Applicant applicant;
  if (window) {
    std::string id_number = app.value("applicant", Json::object()).value("id_number", "");
    if (id_number.empty())
      return fail(codes::kValidationFailed, "窗口代为申请须给出申请人身份证号码",
                  {{"problems", {problem("applicant.id_number", "required", "须给出申请人身份证号码")}}});
    auto account = impl_->identity.person_by_id_number(id_number);
    if (!account) return std::unexpected(account.error());
    applicant = {account->id, account->name, account->real_name_level, std::nullopt};
  } else {
    applicant = {p.account_id, p.name, p.real_name_level, p.acting_company_id};
  }

  // What is applied for: one item, or a scenario (一件事) with one child per item.
  std::optional<std::string> scenario;
  std::string scenario_name;
  std::vector<std::string> codes;
  if (app.contains("scenario") && app["scenario"].is_string()) {
    scenario = app["scenario"].get<std::string>();
    auto items = impl_->catalog.scenario_items(*scenario);
    if (!items) return std::unexpected(items.error());
    auto page = impl_->catalog.scenario(*scenario);  // its name, as the catalogue gives it
    scenario_name = page ? page->value("name", *scenario) : *scenario;
    codes = *items;
    if (codes.empty()) return fail(codes::kScenarioNotFound, "该一件事暂无可申请的事项", {{"code", *scenario}});
  } else if (app.contains("item") && app["item"].is_string()) {
    codes.push_back(app["item"]);
  } else {
    return fail(codes::kValidationFailed, "须给出申请的事项（item）或一件事（scenario）",
                {{"problems", {problem("item", "required", "须给出事项编码")}}});
  }
  std::vector<std::shared_ptr<const catalog::PublishedItem>> items;
  for (const auto& code : codes) {
    auto item = impl_->catalog.published_item(code);
    if (!item) return std::unexpected(item.error());
    items.push_back(*item);
  }

  Json problems = Json::array();
  Date today = business_date(impl_->clock.now_ms());
  Json merged_fields = Json::array(), merged_materials = Json::array();
  std::set<std::string> field_names, material_names;
  for (const auto& item : items) {
    const Json& d = item->data;
    auto forms = d.value("handling_forms", Json::array());
    bool online_offered = !d.value("negative_list", false) &&
                          std::find(forms.begin(), forms.end(), Json("online")) != forms.end();
    if (!window && !online_offered)
      return fail(codes::kItemNotOnline, "该事项暂不支持网上申请，请到窗口办理",
                  {{"code", item->impl_code}, {"reason", d.value("negative_reason", Json())}});
    int level = d.value("required_real_name_level", 1);
    if (!window && applicant.real_name_level < level)
      return fail(codes::kRealNameLevelRequired, "申请该事项须提升实名认证等级",
                  {{"required", level}, {"current", applicant.real_name_level}});
    auto objects = d.value("service_objects", Json::array());
    std::string object = applicant.company_id ? "legal_person" : "natural_person";
    if (std::find(objects.begin(), objects.end(), Json(object)) == objects.end())
      problems.push_back(problem("applicant", "service_object",
                                 applicant.company_id ? "该事项不面向企业办理" : "该事项只面向企业办理，请以企业身份申请",
                                 item->impl_code));
    for (const auto& f : d.value("form", Json::object()).value("fields", Json::array()))
      if (field_names.insert(f.value("name", "")).second) merged_fields.push_back(f);
    for (const auto& m : d.value("materials", Json::array()))
      if (material_names.insert(m.value("name", "")).second) merged_materials.push_back(m);
  }
  Json form = app.value("form", Json::object());
  std::optional<std::int64_t> draft_id;
  if (app.contains("draft") && app["draft"].is_number_integer()) draft_id = app["draft"].get<std::int64_t>();

  std::string request_hash = crypto::sm3_hex(app.dump());
  auto run = [&]() -> Result<Created> {
    return impl_->db.write([&](store::Conn& c) -> Result<Created> {
      if (!idempotency_key.empty())
        if (auto earlier = sql::idempotent_answer(c, p.account_id, idempotency_key)) {
          if (earlier->request_hash != request_hash)
            return fail(codes::kIdempotencyKeyReused, "该 Idempotency-Key 已用于另一份申请",
                        {{"key", idempotency_key}});
          return Created{earlier->status, Json::parse(earlier->response)};
        }
      // The order people read them in: who applies, the form, then the materials.
      Json material_problems = Json::array();
      auto materials = read_materials(impl_->licences, c, app.value("materials", Json::array()), merged_materials,
                                      p.account_id, applicant.company_id, material_problems, "materials");
      // 减证便民: a held licence fills the form fields it carries that the applicant left empty.
      if (form.is_object())
        for (const auto& m : materials)
          for (const auto& f : merged_fields) {
            std::string name = f.value("name", "");
            bool empty = !form.contains(name) || form[name].is_null() || form[name] == "";
            if (empty && m.licence_fields.is_object() && m.licence_fields.contains(name)) form[name] = m.licence_fields[name];
          }
      Json all_problems = problems;
      for (auto& pr : check_form({{"fields", merged_fields}}, form, today)) all_problems.push_back(std::move(pr));
      for (auto& pr : material_problems) all_problems.push_back(std::move(pr));
      material_problems = std::move(all_problems);
      std::set<std::string> given;
      for (const auto& m : materials) given.insert(m.name);
      for (const auto& m : merged_materials)
        if (m.value("required", false) && !given.contains(m.value("name", "")))
          material_problems.push_back(problem("materials", "required", "缺少必需的材料：" + m.value("name", ""),
                                              m.value("name", "")));
      if (!material_problems.empty())
        return fail(codes::kValidationFailed, "申请有误，请按提示逐项修改", {{"problems", material_problems}});

      EpochMs now = impl_->clock.now_ms();
      std::string date = today.to_string();
      date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
      auto number = [&](const std::string& prefix) {
        std::string seq = std::to_string(sql::next_sequence(c, prefix + date));
        return prefix + date + std::string(seq.size() < 4 ? 4 - seq.size() : 0, '0') + seq;
      };

      std::optional<std::int64_t> parent_id;
      Json children = Json::array();
      std::vector<audit::Entry> audits;  // written last: the audit chain's lock is held until commit
      std::string parent_no;
      if (scenario) {
        sql::CaseRow parent;
        parent.case_no = parent_no = number(*scenario);
        parent.scenario_code = scenario;
        parent.item_name = scenario_name;
        parent.department = items.front()->department;
        parent.division = items.front()->division;
        parent.channel = channel;
        parent.applicant_account_id = applicant.account_id;
        parent.applicant_name = applicant.name;
        parent.company_id = applicant.company_id;
        parent.filed_by = p.account_id;
        parent.status = "submitted";
        parent.state = {{"scenario", *scenario}};
        parent.form = form;
        parent.version = 1;
        parent.submitted_at = parent.updated_at = now;
        parent_id = sql::insert_case(c, parent);
      }
      for (const auto& item : items) {
        sql::CaseRow row;
        row.case_no = number(item->impl_code);
        row.parent_id = parent_id;
        row.scenario_code = scenario;
        row.impl_code = item->impl_code;
        row.item_version = item->version;
        row.item_name = item->name;
        row.department = item->department;
        row.division = item->division;
        row.channel = channel;
        row.applicant_account_id = applicant.account_id;
        row.applicant_name = applicant.name;
        row.company_id = applicant.company_id;
        row.filed_by = p.account_id;
        row.form = Json::object();
        for (const auto& f : item->data.value("form", Json::object()).value("fields", Json::array()))
          if (auto it = form.find(f.value("name", "")); it != form.end()) row.form[it.key()] = *it;

        auto plan = plan_for(item->data);
        if (!plan) throw FatalError("published item has a broken workflow: " + item->impl_code);
        CaseState draft;
        draft.kind = item->data.value("kind", "") == "immediate" ? ItemKind::kImmediate : ItemKind::kPromised;
        draft.promised_limit_days = item->data.value("promised_limit_days", 0);
        draft.max_extension_days = joint_handling(*plan) ? 15 : 10;  // 行政许可法 Art. 42
        draft.applicant_account_id = applicant.account_id;
        draft.department = item->department;
        draft.division = item->division;
        draft.workflow = std::move(*plan);
        Action submit{.type = ActionType::kSubmit, .at = now};
        auto t = apply(draft, submit, *filer);
        if (!t) return std::unexpected(t.error());
        row.status = std::string(to_string(t->state.status));
        row.state = to_json(t->state);
        row.version = 1;
        row.submitted_at = row.updated_at = now;
        row.id = sql::insert_case(c, row);
        std::set<std::string> own;
        for (const auto& m : item->data.value("materials", Json::array())) own.insert(m.value("name", ""));
        Json material_names_json = Json::array();
        std::vector<sql::MaterialRow> rows;
        for (auto m : materials)
          if (own.contains(m.name)) {
            m.case_id = row.id;
            m.added_at = now;
            material_names_json.push_back(m.name);
            rows.push_back(std::move(m));
          }
        sql::insert_materials(c, rows);
        for (Event& e : t->events) {
          e.payload["channel"] = channel;
          e.payload["item"] = {{"code", item->impl_code}, {"version", item->version}};
          e.payload["materials"] = material_names_json;
          if (parent_id) e.payload["parent"] = parent_no;
          sql::insert_event(c, row.id, e.type, e.payload, now);
        }
        sql::insert_tasks(c, impl_->tasks_for(row, t->state, std::nullopt));  // submitted: no clock runs yet
        audits.push_back({.actor = who.principal, .action = "case.submit", .target = "case:" + row.case_no,
                          .ip = who.ip, .request_id = who.request_id,
                          .details = {{"item", item->impl_code}, {"version", item->version}, {"channel", channel}}});
        children.push_back({{"case_no", row.case_no},
                            {"item", {{"code", item->impl_code}, {"name", item->name}, {"version", item->version}}},
                            {"status", row.status}});
      }
      if (draft_id) sql::delete_draft(c, *draft_id, p.account_id);
      Json body = scenario ? Json{{"case_no", parent_no}, {"scenario", *scenario}, {"status", "submitted"},
                                  {"children", children}}
                           : children[0];
      body["next"] = "申请已提交，窗口工作人员将进行预审：材料齐全的予以受理，需补正的将一次性告知。";
      if (!idempotency_key.empty())
        sql::save_idempotent_answer(c, p.account_id, idempotency_key, {request_hash, 201, body.dump()}, now);
      for (const auto& entry : audits) audit::record(c, impl_->clock, entry);
      return Created{201, body};
    });
  };
  try {
    return run();
  } catch (const store::DbError& e) {
    // The same key raced in from a second request: its answer is now stored.
    if (e.kind() != store::DbError::Kind::kUniqueViolation || idempotency_key.empty()) throw;
    return run();
  }
}

Result<Json> CaseService::save_draft(std::optional<std::int64_t> id, const Json& draft, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (!draft.is_object() || !draft.contains("item") || !draft["item"].is_string())
    return fail(codes::kValidationFailed, "草稿须写明事项（item）", {{"problems", {problem("item", "required", "须给出事项编码")}}});
  auto item = impl_->catalog.published_item(draft["item"]);
  if (!item) return std::unexpected(item.error());
  EpochMs now = impl_->clock.now_ms();
  std::int64_t account = who.principal->account_id;
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    std::int64_t draft_id = 0;
    if (id) {
      if (!sql::update_draft(c, *id, account, draft, now))
        return fail(codes::kDraftNotFound, "草稿不存在", {{"id", *id}});
      draft_id = *id;
    } else {
      draft_id = sql::insert_draft(c, {0, account, draft["item"], draft, now, now});
    }
    return Json{{"id", draft_id}, {"item", draft["item"]}, {"data", draft}, {"updated_at", format_instant(now)}};
  });
}

Result<Json> CaseService::drafts(const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  Json out = Json::array();
  for (const auto& d : impl_->db.read([&](store::Conn& c) { return sql::drafts_of(c, who.principal->account_id); }))
    out.push_back({{"id", d.id}, {"item", d.impl_code}, {"data", d.data}, {"updated_at", format_instant(d.updated_at)}});
  return Json{{"items", out}};
}

Result<Json> CaseService::draft(std::int64_t id, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto d = impl_->db.read([&](store::Conn& c) { return sql::draft(c, id); });
  if (!d || d->account_id != who.principal->account_id) return fail(codes::kDraftNotFound, "草稿不存在", {{"id", id}});
  return Json{{"id", d->id}, {"item", d->impl_code}, {"data", d->data}, {"updated_at", format_instant(d->updated_at)}};
}

Result<Json> CaseService::delete_draft(std::int64_t id, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  bool gone = impl_->db.write([&](store::Conn& c) { return sql::delete_draft(c, id, who.principal->account_id); });
  if (!gone) return fail(codes::kDraftNotFound, "草稿不存在", {{"id", id}});
  return Json{{"deleted", id}};
}

}  // namespace tb::cases
