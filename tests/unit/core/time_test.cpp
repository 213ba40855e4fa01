#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/time.h"

namespace tb {
namespace {

TEST(Instant, ParsesOffsetsAndFractions) {
  struct Case {
    const char* text;
    EpochMs want;
  } cases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T08:00:00+08:00", 0},
      {"2026-02-12T09:00:00+08:00", 1770858000000},
      {"2026-02-12T01:00:00Z", 1770858000000},
      {"2026-02-12T01:00:00.5Z", 1770858000500},
      {"2026-02-12T01:00:00.123456Z", 1770858000123},
      {"2026-02-11T20:00:00-05:00", 1770858000000},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_instant(c.text), c.want) << c.text;
}

TEST(Instant, RejectsWhatIsNotAnInstant) {
  for (const char* bad : {"", "2026-02-12", "2026-02-12 09:00:00+08:00", "2026-02-12T09:00:00", "2026-02-30T09:00:00Z",
                          "2026-02-12T24:00:00Z", "2026-02-12T09:00:00+8:00", "2026-02-12T09:00:00.Z",
                          "2026-02-12T09:60:00Z"}) {
    auto r = parse_instant(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "INVALID_DATE") << bad;
  }
}

TEST(Instant, FormatsInTheBusinessZoneAndRoundTrips) {
  EXPECT_EQ(format_instant(1770858000000), "2026-02-12T09:00:00.000+08:00");
  EXPECT_EQ(format_instant(0), "1970-01-01T08:00:00.000+08:00");
  EXPECT_EQ(format_instant(-1), "1970-01-01T07:59:59.999+08:00");
  for (EpochMs t : {EpochMs(0), EpochMs(1770858000123), EpochMs(-86400001), EpochMs(4102444800000)})
    EXPECT_EQ(parse_instant(format_instant(t)), t);
}

TEST(Instant, BusinessDateTurnsAtMidnightShanghai) {
  // 2026-02-12T15:59:59.999Z is 23:59:59.999 in Shanghai; one millisecond later is the 13th.
  EXPECT_EQ(business_date(*parse_instant("2026-02-12T15:59:59.999Z")).to_string(), "2026-02-12");
  EXPECT_EQ(business_date(*parse_instant("2026-02-12T16:00:00Z")).to_string(), "2026-02-13");
}

TEST(Date, ParsesStrictlyAndKnowsWeekends) {
  EXPECT_EQ(Date::parse("2024-02-29")->to_string(), "2024-02-29");
  EXPECT_FALSE(Date::parse("2025-02-29"));
  EXPECT_FALSE(Date::parse("2026-2-1"));
  EXPECT_FALSE(Date::parse("2026-02-01x"));
  EXPECT_FALSE(Date::parse("+026-02-01"));
  EXPECT_TRUE(Date::parse("2026-02-14")->is_weekend());   // Saturday
  EXPECT_FALSE(Date::parse("2026-02-13")->is_weekend());  // Friday
  EXPECT_EQ(Date::parse("2026-12-31")->plus_days(1).to_string(), "2027-01-01");
}

TEST(Clock, TestClockIsSetFrozenOrRunning) {
  TestClock frozen(1770858000000, true);
  EXPECT_EQ(frozen.now_ms(), 1770858000000);
  EXPECT_EQ(frozen.today().to_string(), "2026-02-12");
  frozen.set(0, false);
  EXPECT_GE(frozen.now_ms(), 0);
  EXPECT_LT(frozen.now_ms(), 3'600'000) << "a running test clock starts from the instant it was set to";
}

}  // namespace
}  // namespace tb
