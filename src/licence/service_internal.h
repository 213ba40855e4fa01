// Shared by the licence service files; not a public header.
#pragma once

#include "licence/licence.h"
#include "licence/store.h"

namespace tb::licence {

// The context the payload is sealed under: changing it makes stored payloads unreadable.
inline constexpr std::string_view kPayloadContext = "licence.payload";

// Everything an issuance needs, gathered before the transaction (the catalogue and identity
// read through their own connections).
struct IssueInput {
  sql::TypeRow type;
  std::string department, department_name, issuer_code;
  std::string holder_kind, holder_name, holder_id;
  std::optional<std::int64_t> holder_account_id, holder_company_id;
  Json data = Json::object();
  std::optional<std::string> case_no;
  std::optional<std::int64_t> replaces;
  std::optional<std::string> serial;
  int version = 1;
  std::int64_t signer = 0;
};

struct LicenceService::Impl {
  store::Db& db;
  const Clock& clock;
  crypto::DataKey key;
  seal::SealService& seals;
  catalog::CatalogService& catalog;
  identity::IdentityService& identity;
  store::BlobStore& blobs;
  std::string public_url;

  std::string holder_index(const std::string& holder_id) const;
  std::string open_payload(const sql::LicenceRow& l) const;
  // Issues and signs inside the caller's transaction.
  Result<sql::LicenceRow> issue_in(store::Conn& c, const IssueInput& in);
  // Re-signs the stored payload with a new state (every state change is signed anew).
  Result<void> change_state(store::Conn& c, const sql::LicenceRow& l, const std::string& state,
                            const std::optional<std::string>& reason, std::int64_t signer);
  // The status people see: the stored state, or `expired` when a valid licence is past its end date.
  std::string status_of(const sql::LicenceRow& l) const;
  Json view(const sql::LicenceRow& l, bool with_data) const;
  // The document's bytes: from the blob store, or rendered now and stored (after the licence
  // committed: the blob store may write through its own connection).
  std::string ensure_pdf(const sql::LicenceRow& l);
};

std::unexpected<Error> licence_not_found(const std::string& licence_id);
// A person's name as public pages show it: the first character, the rest masked (张三 → 张*).
std::string mask_name(const std::string& name);

}  // namespace tb::licence
