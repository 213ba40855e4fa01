// The catalogue as an Excel workbook, for departments that work in spreadsheets.
#include "catalog/catalog.h"
#include "catalog/workbook.h"

namespace tb::catalog {
namespace {

std::string joined(const Json& items, const char* key = nullptr) {
  std::string out;
  for (const auto& v : items) {
    std::string text = key ? v.value(key, "") : (v.is_string() ? v.get<std::string>() : v.dump());
    if (key && std::string(key) == "name" && v.contains("article") && v["article"].is_string())
      text += v["article"].get<std::string>();
    out += (out.empty() ? "" : "；") + text;
  }
  return out;
}

}  // namespace

std::string CatalogService::export_xlsx() {
  Json items = export_items();
  Workbook book("tongban-export");
  lxw_worksheet* sheet = workbook_add_worksheet(book.get(), "实施清单");
  lxw_format* bold = book.bold();
  const char* headers[] = {"实施编码", "基本编码", "事项名称", "事项类型", "实施部门", "区划代码", "行使层级",
                           "法定时限（工作日）", "承诺时限（工作日）", "办件类型", "到现场次数", "网办深度",
                           "收费", "负面清单", "设定依据", "受理条件", "申请材料"};
  for (lxw_col_t c = 0; c < std::size(headers); ++c) worksheet_write_string(sheet, 0, c, headers[c], bold);
  worksheet_freeze_panes(sheet, 1, 0);
  lxw_row_t row = 1;
  for (const auto& it : items) {
    auto type = item_types().find(it.value("type", 0));
    std::string fees = it.value("fees", Json::array()).empty() ? "不收费" : joined(it["fees"], "name");
    std::vector<std::string> cells{std::string(),
                                   it.value("basic_code", ""),
                                   it.value("name", ""),
                                   type == item_types().end() ? "" : type->second,
                                   it.value("department", ""),
                                   it.value("division_code", ""),
                                   it.value("level", ""),
                                   std::to_string(it.value("statutory_limit_days", 0)),
                                   std::to_string(it.value("promised_limit_days", 0)),
                                   it.value("kind", "") == "immediate" ? "即办件" : "承诺件",
                                   std::to_string(it.value("visits", 0)),
                                   std::to_string(it.value("online_depth", 0)),
                                   fees,
                                   it.value("negative_list", false) ? "是：" + it.value("negative_reason", "") : "否",
                                   joined(it.value("legal_basis", Json::array()), "name"),
                                   joined(it.value("conditions", Json::array())),
                                   joined(it.value("materials", Json::array()), "name")};
    cells[0] = it.value("code", "");
    for (lxw_col_t c = 0; c < cells.size(); ++c) worksheet_write_string(sheet, row, c, cells[c].c_str(), nullptr);
    ++row;
  }
  return book.finish();
}

}  // namespace tb::catalog
