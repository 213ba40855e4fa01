// Electronic licences (电子证照, issue 6, STANDARDS §4): types, issuance by staff and — through
// the case outbox — when a case whose item yields a licence is approved (once per case),
// GB/T 36904 identifiers, the canonical payload signed with the issuing department's seal,
// states (valid, suspended, revoked, expired by date, replaced), verification anyone can
// run, the holder's wallet with authorisations (用证授权), and licences standing in for
// materials in applications (减证便民, the cases::LicenceSource hook).
//
//   auto issued = licences.issue({{"type", "营业执照"}, {"holder", …}, {"data", …}}, actor);
//   licences.consume(200);   // issue for approved cases found in the outbox since last time
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "audit/audit.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "crypto/data_key.h"
#include "identity/identity.h"
#include "seal/seal.h"
#include "store/blob_store.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}

namespace tb::licence {

class LicenceService final : public cases::LicenceSource {
 public:
  // public_url: where the QR code on the document sends people to verify it.
  LicenceService(store::Db& db, const Clock& clock, crypto::DataKey key, seal::SealService& seals,
                 catalog::CatalogService& catalog, identity::IdentityService& identity, store::BlobStore& blobs,
                 std::string public_url);
  ~LicenceService() override;

  // Licence types from data/licence/types.json (embedded); idempotent.
  Json seed();
  Json types();

  // Staff of an issuing department (approver): {"type", "holder": {"id_number" | "uscc", "name"},
  // "data": {…}}. Signed with the department's issued 行政审批专用章, which the staff member
  // must be authorised to use.
  Result<Json> issue(const Json& body, const audit::Actor& actor);
  // suspend | resume | revoke (reason) | replace (new data: a new version, the old one replaced).
  Result<Json> act(const std::string& licence_id, const Json& body, const audit::Actor& actor);
  Result<Json> get(const std::string& licence_id, const audit::Actor& actor);
  // The canonical payload, the SES signature and what plain openssl needs to check it.
  Result<Json> signature(const std::string& licence_id, const audit::Actor& actor);
  // The printable document (PDF), rendered once per version and kept in the blob store.
  Result<std::string> pdf(const std::string& licence_id, const audit::Actor& actor);
  // Public: state, a masked subset, and the signature's verdict; every look-up is logged.
  Result<Json> verify(const std::string& licence_id, const std::string& ip);

  // The holder's wallet and authorisations.
  Result<Json> mine(const audit::Actor& actor);
  Result<Json> grant(const std::string& licence_id, const Json& body, const audit::Actor& actor);
  Result<Json> revoke_grant(const std::string& licence_id, std::int64_t grant_id, const audit::Actor& actor);

  // Reads the case outbox from the stored position and issues the licence of every approved
  // case whose item yields one; resumable and idempotent. Returns how many events it read.
  std::size_t consume(int limit);
  // True when the consumer has read every event written so far.
  bool caught_up();

  // cases::LicenceSource
  Result<Json> held_licence(store::Conn& c, std::int64_t account_id, std::optional<std::int64_t> company_id,
                            const std::string& licence_type, const std::string& ref) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// For supervision (a result without its licence, issue 8), read through the caller's
// connection:
// - the licence type an item's published data yields (its result), as the consumer decides
//   it; nothing when the result is not a licence;
std::optional<std::string> licence_type_yielded(const Json& item_data);
// - how far the outbox consumer has read: every decision up to here has been acted on;
std::int64_t consumer_position(store::Conn& c);
// - what it made of one case: its licence, or the failure it recorded, or neither.
struct CaseLicence {
  std::optional<std::string> licence_id;
  std::optional<std::string> failure_code, failure_message;
};
CaseLicence case_licence(store::Conn& c, const std::string& case_no);

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, LicenceService& service);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();
std::vector<EmbeddedFile> seed_files();

}  // namespace tb::licence
