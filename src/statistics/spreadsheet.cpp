// The indicators of every department as an Excel workbook (绩效指标导出).
#include "catalog/workbook.h"
#include "statistics/statistics.h"

namespace tb::statistics {
namespace {

struct Column {
  const char* title;
  const char* group;  // "items" or "cases"
  const char* key;
  bool percent;
};

const Column kColumns[] = {
    {"事项总数", "items", "total", false},          {"网上可办率", "items", "online_rate", true},
    {"全程网办率", "items", "full_online_rate", true}, {"最多跑一次率", "items", "at_most_one_visit_rate", true},
    {"零跑动率", "items", "zero_visit_rate", true},  {"申请件数", "cases", "submitted", false},
    {"受理件数", "cases", "accepted", false},       {"补正件数", "cases", "corrections", false},
    {"补正率", "cases", "correction_rate", true},    {"不予受理", "cases", "refused", false},
    {"撤回", "cases", "withdrawn", false},           {"办结件数", "cases", "decided", false},
    {"按时办结", "cases", "decided_on_time", false}, {"超期办结", "cases", "decided_late", false},
    {"按时办结率", "cases", "on_time_rate", true},   {"平均用时（工作日）", "cases", "average_workdays_used", false},
    {"平均承诺时限（工作日）", "cases", "average_workdays_promised", false},
};

}  // namespace

Result<std::string> StatisticsService::export_xlsx(const IndicatorQuery& q) {
  auto data = by_department(q);
  if (!data) return std::unexpected(data.error());
  catalog::Workbook book("tongban-indicators");
  lxw_worksheet* sheet = workbook_add_worksheet(book.get(), "绩效指标");
  lxw_format* bold = book.bold();
  lxw_format* percent = workbook_add_format(book.get());
  format_set_num_format(percent, "0.0%");
  std::string period = "统计期间：" + (q.from ? *q.from : std::string("开始")) + " 至 " + (q.to ? *q.to : std::string("今"));
  worksheet_write_string(sheet, 0, 0, period.c_str(), bold);
  worksheet_write_string(sheet, 1, 0, "部门代码", bold);
  worksheet_write_string(sheet, 1, 1, "部门", bold);
  for (lxw_col_t c = 0; c < std::size(kColumns); ++c) worksheet_write_string(sheet, 1, c + 2, kColumns[c].title, bold);
  worksheet_freeze_panes(sheet, 2, 2);
  lxw_row_t row = 2;
  auto write = [&](const std::string& code, const std::string& name, const Json& figures) {
    worksheet_write_string(sheet, row, 0, code.c_str(), nullptr);
    worksheet_write_string(sheet, row, 1, name.c_str(), nullptr);
    for (lxw_col_t c = 0; c < std::size(kColumns); ++c)
      worksheet_write_number(sheet, row, c + 2, figures[kColumns[c].group].value(kColumns[c].key, 0.0),
                             kColumns[c].percent ? percent : nullptr);
    ++row;
  };
  write("", "全市合计", (*data)["total"]);
  for (const auto& d : (*data)["departments"]) write(d.value("department", ""), d.value("department_name", ""), d);
  return book.finish();
}

}  // namespace tb::statistics
