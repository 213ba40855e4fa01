#include "evaluation/channels_store.h"

namespace tb::evaluation::sql {
namespace {

constexpr const char* kEventColumns =
    "id, department, window_name, item_code, item_name, case_no, applicant_account_id, clerk_account_id, created_at";

ServiceEvent event_of(const store::Row& r) {
  return {r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.opt_text(5), r.opt_i64(6), r.i64(7), r.i64(8)};
}

constexpr const char* kLinkColumns =
    "id, token_digest, channel, case_no, service_event_id, expires_at, used_at, evaluation_id, created_at";

Link link_of(const store::Row& r) {
  return {r.i64(0), r.text(1), r.text(2), r.opt_text(3), r.opt_i64(4), r.i64(5), r.opt_i64(6), r.opt_i64(7), r.i64(8)};
}

}  // namespace

std::int64_t insert_service_event(store::Conn& c, const ServiceEvent& e) {
  return c
      .query(
          "INSERT INTO service_events (department, window_name, item_code, item_name, case_no, "
          "applicant_account_id, clerk_account_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {e.department, e.window_name, e.item_code, e.item_name, e.case_no, e.applicant_account_id, e.clerk_account_id,
           e.created_at})
      .at(0)
      .i64(0);
}

std::optional<ServiceEvent> service_event(store::Conn& c, std::int64_t id) {
  auto rows = c.query(std::string("SELECT ") + kEventColumns + " FROM service_events WHERE id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return event_of(rows[0]);
}

std::vector<ServiceEvent> service_events_of_clerk(store::Conn& c, std::int64_t clerk_account_id, int limit) {
  std::vector<ServiceEvent> out;
  for (const auto& r : c.query(std::string("SELECT ") + kEventColumns +
                                   " FROM service_events WHERE clerk_account_id = ? ORDER BY id DESC LIMIT ?",
                               {clerk_account_id, limit}))
    out.push_back(event_of(r));
  return out;
}

std::int64_t insert_link(store::Conn& c, const Link& l) {
  return c
      .query(
          "INSERT INTO rating_links (token_digest, channel, case_no, service_event_id, expires_at, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
          {l.token_digest, l.channel, l.case_no, l.service_event_id, l.expires_at, l.created_at})
      .at(0)
      .i64(0);
}

std::optional<Link> link_by_digest(store::Conn& c, const std::string& token_digest) {
  auto rows =
      c.query(std::string("SELECT ") + kLinkColumns + " FROM rating_links WHERE token_digest = ?", {token_digest});
  if (rows.empty()) return std::nullopt;
  return link_of(rows[0]);
}

std::optional<Link> link_of_service_event(store::Conn& c, std::int64_t service_event_id) {
  auto rows = c.query(std::string("SELECT ") + kLinkColumns + " FROM rating_links WHERE service_event_id = ?",
                      {service_event_id});
  if (rows.empty()) return std::nullopt;
  return link_of(rows[0]);
}

bool case_has_link(store::Conn& c, const std::string& case_no) {
  return !c.query("SELECT 1 FROM rating_links WHERE case_no = ?", {case_no}).empty();
}

bool use_link(store::Conn& c, std::int64_t id, std::int64_t evaluation_id, EpochMs now) {
  return c.exec("UPDATE rating_links SET used_at = ?, evaluation_id = ? WHERE id = ? AND used_at IS NULL",
                {now, evaluation_id, id}) == 1;
}

std::optional<std::int64_t> consumer_position(store::Conn& c) {
  auto rows = c.query("SELECT position FROM evaluation_consumer WHERE id = 1");
  if (rows.empty()) return std::nullopt;
  return rows[0].i64(0);
}

bool move_consumer(store::Conn& c, std::optional<std::int64_t> from, std::int64_t to) {
  if (!from)
    return c.exec("INSERT INTO evaluation_consumer (id, position) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", {to}) ==
           1;
  return c.exec("UPDATE evaluation_consumer SET position = ? WHERE id = 1 AND position = ?", {to, *from}) == 1;
}

}  // namespace tb::evaluation::sql
