// Electronic seals (电子印章, issue 6, STANDARDS §5): each department's seals from
// application to destruction, made under the platform's own seal CA, signing only when in
// force and only for users they are authorised for, and verification anyone can run.
//
//   auto sig = seals.sign(es_id, signer_account, document, "licence:…");   // SES_Signature DER
//   auto verdict = seals.verify(sig_der, document);                         // {"valid": …, "failed": …}
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "crypto/data_key.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}

namespace tb::seal {

// Seal types of GB/T 38540 practice.
const std::vector<std::string>& seal_type_names();  // index + 1 = the type code

class SealService {
 public:
  SealService(store::Db& db, const Clock& clock, crypto::DataKey key, catalog::CatalogService& catalog);
  ~SealService();

  // The platform's seal CA, created on first use (at `migrate`/`seed`); its certificate is public.
  std::string ca_certificate();

  // Lifecycle: apply → review → make → record (备案) → issue → (suspend ⇄ resume | report_lost) → destroy.
  Result<Json> apply(const Json& body, const audit::Actor& actor);
  Result<Json> act(const std::string& es_id, const Json& body, const audit::Actor& actor);
  Result<Json> authorise(const std::string& es_id, std::int64_t account_id, bool grant, const audit::Actor& actor);
  Result<Json> list(const audit::Actor& actor);
  Result<Json> get(const std::string& es_id);
  Result<std::string> picture(const std::string& es_id);

  // Signs `document` with the seal for `signer_account` (who must be authorised), inside the
  // caller's transaction (`c`): SES_Signature DER. SEAL_NOT_USABLE / SEAL_NOT_AUTHORISED otherwise.
  Result<std::string> sign(store::Conn& c, const std::string& es_id, std::int64_t signer_account,
                           std::string_view document, const std::string& property);
  // 用印 over HTTP: an authorised user seals a document (audited); base64 SES_Signature.
  Result<Json> sign_document(const std::string& es_id, std::string_view document, const std::string& property,
                             const audit::Actor& actor);
  // The department's issued seal of `type`, if any (licences are sealed with it).
  std::optional<std::string> seal_of(store::Conn& c, const std::string& department, int type);
  // The standard's checks, then whether the platform still holds the seal in force.
  Json verify(const std::string& signature_der, std::string_view document);

  // Demo: one issued 行政审批专用章 per department of the catalogue, authorised for `users`.
  Json seed_demo(const std::vector<std::pair<std::string, std::int64_t>>& department_users);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, SealService& service);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::seal
