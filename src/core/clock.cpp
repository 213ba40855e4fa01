#include "core/clock.h"

#include <chrono>

namespace tb {

EpochMs SystemClock::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

EpochMs TestClock::now_ms() const {
  if (frozen_.load()) return frozen_at_.load();
  return SystemClock().now_ms() + offset_ms_.load();
}

void TestClock::set(EpochMs now, bool frozen) {
  offset_ms_.store(now - SystemClock().now_ms());
  frozen_at_.store(now);
  frozen_.store(frozen);
}

}  // namespace tb
