#include "app/app.h"

namespace tb::store {
std::vector<EmbeddedFile> migration_files();
}

namespace tb::app {

const char* const kVersion = TONGBAN_VERSION;

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
  reference_ = std::make_unique<reference::ReferenceService>(*db_, *clock_);

  add_ops_routes(router_, *this);
  reference::add_routes(router_, *reference_);

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

App::~App() = default;

std::vector<store::Migration> App::migrations() {
  std::vector<store::Migration> all;
  for (const auto& f : store::migration_files()) all.push_back({"store", std::stoi(f.name.substr(0, 4)), f.name, f.text});
  for (auto& m : reference::migrations()) all.push_back(std::move(m));
  return all;
}

store::MigrationReport App::migrate() { return store::migrate(*db_, migrations()); }

Json App::seed() {
  auto r = reference_->seed();
  return Json{{"divisions_added", r.divisions_added}, {"calendar_years_added", r.calendar_years_added}};
}

Json App::openapi() {
  Json doc = Json::parse(openapi_files().at(0).text);
  for (const auto& f : reference::openapi_files()) {
    Json part = Json::parse(f.text);
    for (auto& [path, ops] : part["paths"].items()) doc["paths"][path] = ops;
    for (auto& [name, schema] : part["components"]["schemas"].items()) doc["components"]["schemas"][name] = schema;
  }
  return doc;
}

}  // namespace tb::app
