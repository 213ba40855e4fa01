#include "evaluation/channels.h"
#include "http/router.h"
#include "identity/permissions.h"

namespace tb::evaluation {

using audit::actor_of;
using http::Request;

void add_channel_routes(http::Router& router, ChannelService& svc) {
  // Public: whoever holds the link (texted to the applicant, or shown on the hall pad) rates once.
  router.add(http::get("/api/v1/rating-links/{token}", http::kPublic,
                       [&svc](Request& r) { return http::render(svc.link(r.param("token"))); }));
  router.add(http::post("/api/v1/rating-links/{token}", http::kPublic, [&svc](Request& r) {
    return http::render(svc.rate_by_link(r.param("token"), r.json, actor_of(r)), 201);
  }));

  router.add(http::post("/api/v1/service-events", "service_events.record", [&svc](Request& r) {
    return http::render(svc.record_service_event(r.json, actor_of(r)), 201);
  }));
  router.add(http::get("/api/v1/service-events", "service_events.record",
                       [&svc](Request& r) { return http::render(svc.my_service_events(actor_of(r))); }));

  router.add(http::post("/api/v1/cases/{no}/evaluation/by-hotline", "evaluations.record", [&svc](Request& r) {
    return http::render(svc.rate_by_hotline(r.param("no"), r.json, actor_of(r)), 201);
  }));
}

}  // namespace tb::evaluation
