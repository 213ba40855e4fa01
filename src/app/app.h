// The wired platform: the database, the clock, and every module, listed once in
// dependency order (like userver's component list). main and the tests build one App.
#pragma once

#include <chrono>
#include <filesystem>
#include <thread>
#include <memory>
#include <optional>
#include <string>

#include "audit/audit.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "evaluation/channels.h"
#include "evaluation/evaluation.h"
#include "licence/licence.h"
#include "statistics/statistics.h"
#include "supervision/orders.h"
#include "supervision/supervision.h"
#include "seal/seal.h"
#include "core/clock.h"
#include "crypto/data_key.h"
#include "http/metrics.h"
#include "http/router.h"
#include "identity/identity.h"
#include "identity/oidc.h"
#include "reference/reference.h"
#include "store/blob_store.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::app {

struct Config {
  std::string db_url = "sqlite:var/tongban.db";
  std::filesystem::path data_dir = "var";
  bool test_clock = false;
  std::optional<EpochMs> start_now;  // TONGBAN_NOW, with test_clock
  bool blobs_in_database = false;    // --blob-store db, for multi-node deployments
  store::PoolOptions pool;
  // The key for personal data at rest: TONGBAN_DATA_KEY (64 hex), or --key-file, or
  // <data-dir>/data.key, created on first use. Never in the database.
  std::optional<std::string> key_file;
  // Where browsers and relying parties reach this platform: the OIDC issuer.
  std::string public_url = "http://127.0.0.1:8080";
  std::string face_verifier_url;  // empty: L3 face verification is not offered
  std::filesystem::path web_dir;  // the built web (web/dist); empty: the API alone
  identity::Config identity;
};

// Resolves the data key as Config describes; throws FatalError when it cannot.
crypto::DataKey load_data_key(const Config& config);

class App {
 public:
  explicit App(Config config);
  ~App();

  store::Db& db() { return *db_; }
  Clock& clock() { return *clock_; }
  TestClock* test_clock() { return test_clock_; }  // null unless --test-clock
  store::BlobStore& blobs() { return *blobs_; }
  http::Router& router() { return router_; }
  http::Metrics& metrics() { return metrics_; }
  const Config& config() const { return config_; }

  // Every module's migrations, in dependency order.
  static std::vector<store::Migration> migrations();
  store::MigrationReport migrate();
  // Demo data; idempotent.
  Json seed();
  // The OpenAPI document: the app's base merged with each module's paths.
  static Json openapi();

  reference::ReferenceService& reference() { return *reference_; }
  identity::IdentityService& identity() { return *identity_; }
  catalog::CatalogService& catalog() { return *catalog_; }
  seal::SealService& seals() { return *seals_; }
  cases::CaseService& cases() { return *cases_; }
  licence::LicenceService& licences() { return *licences_; }
  supervision::SupervisionService& supervision() { return *supervision_; }
  statistics::StatisticsService& statistics() { return *statistics_; }
  evaluation::ChannelService& rating_channels() { return *rating_channels_; }

  // The outbox consumers (licence issuance, supervision, statistics, rating invitations), polling every `interval`
  // and reading `batch` events per transaction; serve starts them.
  void start_consumers(std::chrono::milliseconds interval, int batch = 200);
  void stop_consumers();

 private:
  Config config_;
  std::unique_ptr<store::Db> db_;
  std::unique_ptr<Clock> clock_;
  TestClock* test_clock_ = nullptr;
  std::unique_ptr<store::BlobStore> blobs_;
  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<identity::OidcProvider> oidc_;
  std::unique_ptr<reference::ReferenceService> reference_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<seal::SealService> seals_;
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<licence::LicenceService> licences_;
  std::unique_ptr<supervision::SupervisionService> supervision_;
  std::unique_ptr<supervision::OrderService> orders_;
  std::unique_ptr<evaluation::EvaluationService> evaluation_;
  std::unique_ptr<evaluation::ChannelService> rating_channels_;
  std::unique_ptr<statistics::StatisticsService> statistics_;
  std::jthread consumers_;
};

void add_ops_routes(http::Router& router, App& app);
std::vector<EmbeddedFile> openapi_files();
extern const char* const kVersion;

}  // namespace tb::app
