#include "app/app.h"
#include "http/static_files.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <condition_variable>
#include <fstream>
#include <mutex>

namespace tb::store {
std::vector<EmbeddedFile> migration_files();
}

namespace tb::app {

const char* const kVersion = TONGBAN_VERSION;

crypto::DataKey load_data_key(const Config& config) {
  if (const char* hex = std::getenv("TONGBAN_DATA_KEY"); hex && *hex) {
    auto key = crypto::DataKey::from_hex(hex);
    if (!key) throw FatalError("TONGBAN_DATA_KEY must be 64 hex characters");
    return *key;
  }
  std::filesystem::path file = config.key_file ? std::filesystem::path(*config.key_file) : config.data_dir / "data.key";
  if (!std::filesystem::exists(file)) {
    if (config.key_file) throw FatalError("key file " + file.string() + " does not exist");
    std::filesystem::create_directories(file.parent_path().empty() ? "." : file.parent_path());
    auto key = crypto::DataKey::generate();
    std::ofstream out(file, std::ios::trunc);
    out << key.secret_hex() << "\n";
    out.close();
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    spdlog::warn("created a new data key at {}; back it up apart from the database", file.string());
    return key;
  }
  std::ifstream in(file);
  std::string hex;
  in >> hex;
  auto key = crypto::DataKey::from_hex(hex);
  if (!key) throw FatalError("key file " + file.string() + " must hold 64 hex characters");
  return *key;
}

App::App(Config config) : config_(std::move(config)) {
  db_ = store::Db::open(config_.db_url, config_.pool);
  if (config_.test_clock) {
    auto clock = std::make_unique<TestClock>(config_.start_now.value_or(SystemClock().now_ms()), false);
    test_clock_ = clock.get();
    clock_ = std::move(clock);
  } else {
    clock_ = std::make_unique<SystemClock>();
  }
  blobs_ = config_.blobs_in_database ? store::BlobStore::database(*db_, *clock_)
                                     : store::BlobStore::local(config_.data_dir / "blobs");

  // Modules, in dependency order.
  identity_ = std::make_unique<identity::IdentityService>(*db_, *clock_, load_data_key(config_), config_.identity);
  if (!config_.face_verifier_url.empty())
    identity_->set_face_verifier(identity::http_face_verifier(config_.face_verifier_url));
  oidc_ = std::make_unique<identity::OidcProvider>(*db_, *clock_, *identity_, config_.public_url);
  reference_ = std::make_unique<reference::ReferenceService>(*db_, *clock_);
  catalog_ = std::make_unique<catalog::CatalogService>(*db_, *clock_, *reference_, config_.data_dir / "search");
  seals_ = std::make_unique<seal::SealService>(*db_, *clock_, load_data_key(config_), *catalog_);
  cases_ = std::make_unique<cases::CaseService>(*db_, *clock_, *blobs_, *reference_, *catalog_, *identity_);
  licences_ = std::make_unique<licence::LicenceService>(*db_, *clock_, load_data_key(config_), *seals_, *catalog_,
                                                        *identity_, *blobs_, config_.public_url);
  cases_->set_licence_source(licences_.get());
  supervision_ = std::make_unique<supervision::SupervisionService>(*db_, *clock_, *reference_, *catalog_, *identity_);
  orders_ = std::make_unique<supervision::OrderService>(*db_, *clock_, *reference_, *catalog_);
  evaluation_ = std::make_unique<evaluation::EvaluationService>(*db_, *clock_, *reference_, *catalog_);
  rating_channels_ =
      std::make_unique<evaluation::ChannelService>(*db_, *clock_, *catalog_, *identity_, config_.public_url);
  statistics_ = std::make_unique<statistics::StatisticsService>(*db_, *clock_, *reference_, *catalog_, *evaluation_);

  identity::install_guard(router_, *identity_);
  add_ops_routes(router_, *this);
  audit::add_routes(router_, *db_);
  identity::add_routes(router_, *identity_);
  identity::add_oidc_routes(router_, *oidc_, *identity_);
  reference::add_routes(router_, *reference_);
  catalog::add_routes(router_, *catalog_);
  seal::add_routes(router_, *seals_);
  cases::add_routes(router_, *cases_);
  licence::add_routes(router_, *licences_);
  supervision::add_routes(router_, *supervision_);
  supervision::add_order_routes(router_, *orders_);
  evaluation::add_routes(router_, *evaluation_);
  evaluation::add_channel_routes(router_, *rating_channels_);
  statistics::add_routes(router_, *statistics_);
  if (!config_.web_dir.empty()) {
    auto web = std::make_shared<http::StaticFiles>(config_.web_dir);
    router_.set_fallback([web](const http::Request& r) { return web->serve(r); });
  }

  metrics_.add_source([this](std::string& out) {
    auto s = db_->stats();
    std::string engine(store::engine_name(db_->engine()));
    auto line = [&](const char* name, const char* type, const std::string& value) {
      out += std::string("# TYPE ") + name + " " + type + "\n" + name + "{engine=\"" + engine + "\"} " + value + "\n";
    };
    line("tongban_db_pool_size", "gauge", std::to_string(s.size));
    line("tongban_db_pool_in_use", "gauge", std::to_string(s.in_use));
    line("tongban_db_pool_acquired_total", "counter", std::to_string(s.acquired_total));
    line("tongban_db_pool_waited_total", "counter", std::to_string(s.waited_total));
    line("tongban_db_pool_timeouts_total", "counter", std::to_string(s.timeouts_total));
    line("tongban_db_pool_wait_seconds_total", "counter", std::to_string(s.wait_seconds_total));
  });
}

App::~App() { stop_consumers(); }

void App::start_consumers(std::chrono::milliseconds interval, int batch) {
  if (interval.count() <= 0 || consumers_.joinable()) return;
  consumers_ = std::jthread([this, interval, batch](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      try {
        // Drain what is there, then wait: the outbox is read by position, so nothing is missed.
        while (!stop.stop_requested() && licences_->consume(batch) == std::size_t(batch)) {
        }
        while (!stop.stop_requested() && supervision_->consume(batch) == std::size_t(batch)) {
        }
        while (!stop.stop_requested() && statistics_->consume(batch) == std::size_t(batch)) {
        }
        while (!stop.stop_requested() && rating_channels_->consume(batch) == std::size_t(batch)) {
        }
      } catch (const std::exception& e) {
        spdlog::error("outbox consumer: {}", e.what());  // retried on the next round; the position did not move
      }
      std::unique_lock lock(m);
      wake.wait_for(lock, stop, interval, [] { return false; });
    }
  });
}

void App::stop_consumers() {
  if (consumers_.joinable()) {
    consumers_.request_stop();
    consumers_.join();
  }
}

std::vector<store::Migration> App::migrations() {
  std::vector<store::Migration> all;
  for (auto& m : store::module_migrations("store", store::migration_files())) all.push_back(std::move(m));
  for (auto& m : audit::migrations()) all.push_back(std::move(m));
  for (auto& m : identity::migrations()) all.push_back(std::move(m));
  for (auto& m : reference::migrations()) all.push_back(std::move(m));
  for (auto& m : catalog::migrations()) all.push_back(std::move(m));
  for (auto& m : seal::migrations()) all.push_back(std::move(m));
  for (auto& m : cases::migrations()) all.push_back(std::move(m));
  for (auto& m : licence::migrations()) all.push_back(std::move(m));
  for (auto& m : supervision::migrations()) all.push_back(std::move(m));
  for (auto& m : evaluation::migrations()) all.push_back(std::move(m));
  for (auto& m : statistics::migrations()) all.push_back(std::move(m));
  return all;
}

store::MigrationReport App::migrate() { return store::migrate(*db_, migrations()); }

Json App::seed() {
  auto r = reference_->seed();
  Json out{{"divisions_added", r.divisions_added}, {"calendar_years_added", r.calendar_years_added}};
  out.update(identity_->seed_demo());
  out.update(catalog_->seed());
  // Each department's 行政审批专用章, usable by its demo approvers.
  std::vector<std::pair<std::string, std::int64_t>> users;
  for (const auto& a : identity_->all_staff())
    for (const auto& g : a.roles)
      if (g.role == "approver" && g.department)
        users.emplace_back(catalog_->department_code(*g.department).value_or(*g.department), a.id);
  out.update(seals_->seed_demo(users));
  out.update(licences_->seed());
  return out;
}

Json App::openapi() {
  Json doc = Json::parse(openapi_files().at(0).text);
  std::vector<EmbeddedFile> parts;
  for (auto files : {audit::openapi_files(), identity::openapi_files(), reference::openapi_files(),
                     catalog::openapi_files(), seal::openapi_files(), cases::openapi_files(),
                     licence::openapi_files(), supervision::openapi_files(),
                     evaluation::openapi_files(), statistics::openapi_files()})
    parts.insert(parts.end(), files.begin(), files.end());
  for (const auto& f : parts) {
    Json part = Json::parse(f.text);
    for (auto& [path, ops] : part["paths"].items()) doc["paths"][path] = ops;
    for (auto& [kind, entries] : part["components"].items())
      for (auto& [name, value] : entries.items()) doc["components"][kind][name] = value;
  }
  return doc;
}

}  // namespace tb::app
