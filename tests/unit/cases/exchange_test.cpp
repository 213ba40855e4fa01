// Exchange records (STANDARDS §3) from outbox events: which record each event yields, the
// acceptance and closure result codes of the provincial tables, and the version.
#include <gtest/gtest.h>

#include "cases/exchange.h"

namespace tb::cases {
namespace {

EventForExchange event(std::string type, Json payload) {
  return {7, "CASE-1", "ITEM", "旅馆业特种行业许可证核发", "GA", "341500", std::move(type), std::move(payload),
          1770685200000};
}

TEST(Exchange, EachEventYieldsTheRecordsTheProvinceTracks) {
  struct Row {
    const char* type;
    Json payload;
    std::vector<std::string> records;
  };
  const std::vector<Row> rows{
      {"case.submitted", {{"channel", "online"}}, {"application"}},
      {"case.accepted", {{"actor", {{"name", "王敏"}}}}, {"acceptance"}},
      {"case.correction_required", {{"phase", "pre_acceptance"}, {"items", {{{"material", "平面图"}, {"reason", "不清晰"}}}}}, {"acceptance", "correction_notice"}},
      {"case.correction_required", {{"phase", "review"}, {"items", Json::array()}}, {"correction_notice"}},
      {"case.refused", {{"reason", "r"}, {"legal_basis", "b"}}, {"acceptance"}},
      {"step.completed", {{"step", "review"}, {"opinion", "同意"}}, {"approval_step"}},
      {"case.special_procedure_started", {{"name", "检验"}}, {"special_procedure"}},
      {"case.special_procedure_ended", {{"name", "检验"}, {"result", "合格"}}, {"special_procedure"}},
      {"case.decided", {{"outcome", "approve"}}, {"result"}},
      {"case.closed", {{"closure", "issued"}}, {"closure"}},
      // Internal bookkeeping is not exchanged.
      {"step.activated", Json::object(), {}},
      {"case.step_completed", Json::object(), {}},
      {"workflow.joined", Json::object(), {}},
  };
  for (const auto& r : rows) {
    std::vector<std::string> got;
    for (const auto& rec : records_of(event(r.type, r.payload), 1)) got.push_back(rec["record_type"]);
    EXPECT_EQ(got, r.records) << r.type;
  }
}

TEST(Exchange, AcceptanceAndClosureCarryTheTablesCodes) {
  EXPECT_EQ(records_of(event("case.accepted", Json::object()), 1)[0]["data"]["result"], 1);
  EXPECT_EQ(records_of(event("case.correction_required", {{"phase", "pre_acceptance"}}), 1)[0]["data"]["result"], 3);
  EXPECT_EQ(records_of(event("case.refused", Json::object()), 1)[0]["data"]["result"], 4);
  EXPECT_EQ(closure_code("issued"), 0);
  EXPECT_EQ(closure_code("rejected"), 1);
  EXPECT_EQ(closure_code("withdrawn"), 2);
  EXPECT_EQ(closure_code("correction_not_supplied"), 5);
  EXPECT_EQ(closure_code("refused"), 6);
}

TEST(Exchange, ARecordCarriesItsCaseTimeAndVersion) {
  Json notice = records_of(event("case.correction_required",
                                 {{"phase", "review"},
                                  {"items", {{{"material", "平面图"}, {"reason", "不清晰"}}, {{"material", "租赁合同"}, {"reason", "过期"}}}}}),
                           3)[0];
  EXPECT_EQ(notice["case_no"], "CASE-1");
  EXPECT_EQ(notice["version"], 3);
  EXPECT_EQ(notice["position"], 7);
  EXPECT_EQ(notice["data"]["time"], "2026-02-10T09:00:00.000+08:00");
  EXPECT_EQ(notice["data"]["materials"], Json::parse(R"(["平面图", "租赁合同"])"));
  EXPECT_EQ(notice["data"]["reason"], "平面图：不清晰；租赁合同：过期");
}

}  // namespace
}  // namespace tb::cases
