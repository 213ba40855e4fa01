// Case records for the provincial platform (STANDARDS §3: 申办, 受理, 审批过程, 补齐补正告知,
// 特别程序, 审批结果, 办结), built from the outbox events. Pure: the reader hands in events
// and gets records; each record carries a version that a resend raises.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace tb::cases {

struct EventForExchange {
  std::int64_t position = 0;
  std::string case_no, item_code, item_name, department, division;
  std::string type;
  Json payload;
  EpochMs at = 0;
};

// The records one event yields (none for events the province does not track), at `version`.
// Record: {"position", "record_type", "case_no", "version", "data": {…}}.
std::vector<Json> records_of(const EventForExchange& e, int version);

// 办结 result codes of the exchange tables: 0 issued, 1 returned, 2 voided, 3 deleted,
// 4 forwarded, 5 correction never supplied, 6 closed.
int closure_code(const std::string& closure);

}  // namespace tb::cases
