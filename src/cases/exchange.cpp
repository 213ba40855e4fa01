#include "cases/exchange.h"

namespace tb::cases {
namespace {

Json record(const EventForExchange& e, std::string_view type, int version, Json data) {
  data["time"] = format_instant(e.at);
  return {{"position", e.position},
          {"record_type", type},
          {"case_no", e.case_no},
          {"version", version},
          {"data", std::move(data)}};
}

std::string actor_name(const Json& payload) {
  return payload.value("actor", Json::object()).value("name", "");
}

}  // namespace

int closure_code(const std::string& closure) {
  if (closure == "issued") return 0;
  if (closure == "rejected") return 1;
  if (closure == "withdrawn") return 2;
  if (closure == "correction_not_supplied") return 5;
  return 6;
}

std::vector<Json> records_of(const EventForExchange& e, int version) {
  const Json& p = e.payload;
  std::vector<Json> out;
  if (e.type == "case.submitted") {
    out.push_back(record(e, "application", version,
                         {{"item_code", e.item_code},
                          {"item_name", e.item_name},
                          {"item_version", p.value("item", Json::object()).value("version", 0)},
                          {"department", e.department},
                          {"division", e.division},
                          {"channel", p.value("channel", "")},
                          {"materials", p.value("materials", Json::array())},
                          {"parent_case_no", p.value("parent", Json())}}));
  } else if (e.type == "case.accepted") {
    out.push_back(record(e, "acceptance", version, {{"result", 1}, {"person", actor_name(p)}}));
  } else if (e.type == "case.correction_required") {
    Json materials = Json::array();
    std::string reasons;
    for (const auto& item : p.value("items", Json::array())) {
      materials.push_back(item.value("material", ""));
      reasons += (reasons.empty() ? "" : "；") + item.value("material", "") + "：" + item.value("reason", "");
    }
    if (p.value("phase", "") == "pre_acceptance")
      out.push_back(record(e, "acceptance", version, {{"result", 3}, {"person", actor_name(p)}}));
    out.push_back(record(e, "correction_notice", version,
                         {{"reason", reasons}, {"materials", materials}, {"person", actor_name(p)},
                          {"phase", p.value("phase", "")}}));
  } else if (e.type == "case.refused") {
    out.push_back(record(e, "acceptance", version,
                         {{"result", 4},
                          {"person", actor_name(p)},
                          {"reason", p.value("reason", "")},
                          {"legal_basis", p.value("legal_basis", "")}}));
  } else if (e.type == "step.completed") {
    out.push_back(record(e, "approval_step", version,
                         {{"step_code", p.value("step", "")},
                          {"step_name", p.value("name", "")},
                          {"person", actor_name(p)},
                          {"outcome", p.value("outcome", "")},
                          {"opinion", p.value("opinion", "")}}));
  } else if (e.type == "case.special_procedure_started") {
    out.push_back(record(e, "special_procedure", version,
                         {{"name", p.value("name", "")}, {"start", p.value("at", "")}, {"end", nullptr},
                          {"result", nullptr}}));
  } else if (e.type == "case.special_procedure_ended") {
    out.push_back(record(e, "special_procedure", version,
                         {{"name", p.value("name", "")}, {"end", p.value("at", "")},
                          {"result", p.value("result", "")}}));
  } else if (e.type == "case.decided") {
    out.push_back(record(e, "result", version,
                         {{"outcome", p.value("outcome", "")},
                          {"reason", p.value("reason", "")},
                          {"person", actor_name(p)},
                          {"immediate", p.value("immediate", false)}}));
  } else if (e.type == "case.closed") {
    std::string closure = p.value("closure", "closed");
    out.push_back(record(e, "closure", version, {{"result", closure_code(closure)}, {"closure", closure}}));
  }
  return out;
}

}  // namespace tb::cases
