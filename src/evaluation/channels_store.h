// SQL of the rating channels (service events, rating links, the invitation consumer's
// position); only channels.cpp calls it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "store/db.h"

namespace tb::evaluation::sql {

struct ServiceEvent {
  std::int64_t id = 0;
  std::string department, window_name, item_code, item_name;
  std::optional<std::string> case_no;
  std::optional<std::int64_t> applicant_account_id;
  std::int64_t clerk_account_id = 0;
  EpochMs created_at = 0;
};
std::int64_t insert_service_event(store::Conn& c, const ServiceEvent& e);
std::optional<ServiceEvent> service_event(store::Conn& c, std::int64_t id);
std::vector<ServiceEvent> service_events_of_clerk(store::Conn& c, std::int64_t clerk_account_id, int limit);

struct Link {
  std::int64_t id = 0;
  std::string token_digest, channel;
  std::optional<std::string> case_no;
  std::optional<std::int64_t> service_event_id;
  EpochMs expires_at = 0;
  std::optional<EpochMs> used_at;
  std::optional<std::int64_t> evaluation_id;
  EpochMs created_at = 0;
};
std::int64_t insert_link(store::Conn& c, const Link& l);
std::optional<Link> link_by_digest(store::Conn& c, const std::string& token_digest);
std::optional<Link> link_of_service_event(store::Conn& c, std::int64_t service_event_id);
bool case_has_link(store::Conn& c, const std::string& case_no);
// Marks the link used by `evaluation_id`; false when it was used meanwhile.
bool use_link(store::Conn& c, std::int64_t id, std::int64_t evaluation_id, EpochMs now);

// The invitation consumer's position in the case outbox (nothing yet: the beginning).
std::optional<std::int64_t> consumer_position(store::Conn& c);
// Moves it from `from` (as read) to `to`; false when another consumer moved it first.
bool move_consumer(store::Conn& c, std::optional<std::int64_t> from, std::int64_t to);

}  // namespace tb::evaluation::sql
