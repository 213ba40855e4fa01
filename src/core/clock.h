// The one clock every module reads time through, so time limits can be tested.
// In production it is the system clock; `serve --test-clock` swaps in a TestClock that
// starts at TONGBAN_NOW and can be moved by POST /api/v1/admin/clock.
#pragma once

#include <atomic>
#include <memory>

#include "core/time.h"

namespace tb {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual EpochMs now_ms() const = 0;
  Date today() const { return business_date(now_ms()); }
};

class SystemClock final : public Clock {
 public:
  EpochMs now_ms() const override;
};

// Runs from a set instant at real speed, or stands still when frozen.
class TestClock final : public Clock {
 public:
  explicit TestClock(EpochMs start, bool frozen = false) { set(start, frozen); }
  EpochMs now_ms() const override;
  void set(EpochMs now, bool frozen);

 private:
  std::atomic<EpochMs> offset_ms_{0};  // set instant minus system time when set
  std::atomic<EpochMs> frozen_at_{0};
  std::atomic<bool> frozen_{false};
};

}  // namespace tb
