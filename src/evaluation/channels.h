// Rating channels beyond the logged-in web (好差评 issue 8, STANDARDS §6: "from every channel —
// web, phone, hall pad, SMS, hotline"). Each writes the same evaluations row as
// POST /cases/{no}/evaluation, with the same rules, once per subject:
//
// - SMS (一事一评): a consumer of the case outbox (by position, resumable, idempotent) texts the
//   applicant one link {public_url}/rate/{token} when a case gets its result (case.decided,
//   case.refused). The token is 144 random bits kept only as its SM3 digest, single-use, valid
//   30 days.
// - Hall pad (一次一评): a window clerk records an in-person service (an item or a description,
//   optionally a case and the applicant's resident ID) at their department and window and gets a
//   link the pad opens, valid one day. Its evaluation belongs to the clerk's department.
// - 12345 hotline: an operator records a caller's rating of a case once the caller's name and
//   phone tail match the applicant's; real-name unless the caller asks otherwise.
//
//   channels.consume(200);                              // invitations for results since last time
//   auto what = channels.link(token);                   // what the link rates (public)
//   auto saved = channels.rate_by_link(token, {{"level", 5}}, actor);
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "identity/identity.h"
#include "store/db.h"

namespace tb::http {
class Router;
}

namespace tb::evaluation {

inline constexpr EpochMs kSmsLinkLifetime = 30LL * 24 * 3600 * 1000;
inline constexpr EpochMs kPadLinkLifetime = 24LL * 3600 * 1000;

class ChannelService {
 public:
  // public_url: where people open the links (--public-url).
  ChannelService(store::Db& db, const Clock& clock, catalog::CatalogService& catalog,
                 identity::IdentityService& identity, std::string public_url);
  ~ChannelService();

  // The SMS invitations: reads `limit` case events from the stored position and texts each
  // applicant whose case got its result, once per case. Returns the events read.
  std::size_t consume(int limit);
  bool caught_up();

  // Public, by the link's token: what is being rated (item, department, masked case number).
  Result<Json> link(const std::string& token);
  // Public: {"level": 1–5, "tags": [...], "comment": "…", "anonymous": false}; once per link.
  Result<Json> rate_by_link(const std::string& token, const Json& body, const audit::Actor& actor);

  // Window clerks: {"window": "3号窗口", "item": CODE | "description": "…", "case_no"?, "id_number"?}
  // → the service event and its pad link (the token is shown once).
  Result<Json> record_service_event(const Json& body, const audit::Actor& actor);
  // The clerk's recent service events, newest first, with whether each was rated.
  Result<Json> my_service_events(const audit::Actor& actor);

  // Hotline operators: {"caller_name", "phone_tail", "level", "tags", "comment", "anonymous"}.
  Result<Json> rate_by_hotline(const std::string& case_no, const Json& body, const audit::Actor& actor);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void add_channel_routes(http::Router& router, ChannelService& service);

}  // namespace tb::evaluation
