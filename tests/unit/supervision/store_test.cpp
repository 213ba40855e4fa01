// The daily sweep's walk over supervised_cases (sql::crossing), on every engine: chunk after
// chunk by (date, case) from a cursor, it takes each open, running case whose warning or
// overdue day lies in (after, upto] exactly once, and nothing else.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>

#include "store/migrate.h"
#include "supervision/store.h"
#include "supervision/supervision.h"
#include "unit/store/engine_fixture.h"

namespace tb::supervision {
namespace {

using store::test_support::EngineTest;
using store::test_support::engines;

class SweepStoreTest : public EngineTest {};

TEST_P(SweepStoreTest, TheSweepWalksADateRangeInChunksTakingEachCaseOnce) {
  store::migrate(*db_, migrations());
  // 1,200 cases: warn_from spread over 2026-03-01 … 2026-03-12, some closed, some paused.
  Date first = *Date::parse("2026-03-01");
  std::map<std::int64_t, std::string> want;  // case → warn_from, for (03-03, 03-09]
  db_->write([&](store::Conn& c) {
    for (int i = 1; i <= 1200; ++i) {
      Watch w;
      w.accepted_on = first.plus_days(-20);
      w.warn_from = first.plus_days(i % 12);
      w.deadline = w.warn_from.plus_days(2);
      w.overdue_from = w.deadline.plus_days(1);
      w.limit_days = 10;
      w.open = i % 7 != 0;
      w.paused = i % 11 == 0;
      sql::upsert(c, {i, "C" + std::to_string(i), "事项", "GA", "341500", w}, 0);
      std::string day = w.warn_from.to_string();
      if (w.open && !w.paused && day > "2026-03-03" && day <= "2026-03-09") want[i] = day;
    }
  });
  for (int chunk : {1000, 97, 1}) {
    std::map<std::int64_t, std::string> got;
    sql::Crossing from{"2026-03-03", std::numeric_limits<std::int64_t>::max()};
    std::pair<std::string, std::int64_t> previous{"", 0};
    for (int round = 0; round < 2000; ++round) {
      auto rows = db_->read([&](store::Conn& c) { return sql::crossing(c, "warn_from", from, "2026-03-09", chunk); });
      for (const auto& r : rows) {
        std::pair<std::string, std::int64_t> key{r.watch.warn_from.to_string(), r.case_id};
        EXPECT_LT(previous, key) << "out of order at case " << r.case_id;
        previous = key;
        EXPECT_TRUE(got.emplace(r.case_id, key.first).second) << "case " << r.case_id << " twice";
      }
      if (int(rows.size()) < chunk) break;
      from = {rows.back().watch.warn_from.to_string(), rows.back().case_id};
    }
    EXPECT_EQ(got, want) << "chunks of " << chunk;
  }
  // The other column, and an empty range.
  auto overdue = db_->read([&](store::Conn& c) {
    return sql::crossing(c, "overdue_from", {"2026-03-13", std::numeric_limits<std::int64_t>::max()}, "2026-03-14", 5000);
  });
  for (const auto& r : overdue) EXPECT_EQ(r.watch.overdue_from.to_string(), "2026-03-14");
  EXPECT_FALSE(overdue.empty());
  EXPECT_TRUE(db_->read([&](store::Conn& c) {
                   return sql::crossing(c, "warn_from", {"2026-03-09", std::numeric_limits<std::int64_t>::max()},
                                        "2026-03-09", 10);
                 }).empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, SweepStoreTest, testing::ValuesIn(engines()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace tb::supervision
