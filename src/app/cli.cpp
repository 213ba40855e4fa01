// The tongban command line: serve | migrate | seed | backup | restore (CLI11).
// Flags fall back to TONGBAN_DB, TONGBAN_LISTEN and TONGBAN_DATA_DIR.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include "app/app.h"
#include "crypto/crypto.h"
#include "seal/signing.h"
#include "http/server.h"
#include "store/backup.h"

namespace tb::app {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// `tongban verify licence FILE`: the GB/T 38540 checks on a saved signature file, offline.
// Exit 0 authentic, 4 not authentic (the failed check is printed), 2 unreadable file.
int verify_licence_file(const std::string& file, const std::string& ca_file) {
  Json doc = Json::parse(read_file(file), nullptr, false);
  auto ses = doc.is_object() && doc.contains("ses_signature") && doc["ses_signature"].is_string()
                 ? crypto::base64_decode(doc["ses_signature"].get<std::string>())
                 : std::nullopt;
  if (!ses || !doc.contains("payload") || !doc["payload"].is_string()) {
    std::cerr << "verify licence: " << file << " is not a signature file (payload, ses_signature, ca_certificate)" << std::endl;
    return 2;
  }
  std::string ca = ca_file.empty() ? doc.value("ca_certificate", "") : read_file(ca_file);
  seal::Verdict v = seal::verify(*ses, doc["payload"].get<std::string>(), ca);
  Json out = v.to_json();
  out["licence_id"] = doc.value("licence_id", "");
  out["ca"] = ca_file.empty() ? "taken from the file; pin the platform's with --ca" : ca_file;
  out["note"] = "offline: whether the licence was since suspended or revoked is at GET /api/v1/licences/{id}/verify";
  std::cout << out.dump(2) << std::endl;
  return v.ok ? 0 : 4;
}

}  // namespace

namespace {

struct Listen {
  std::string host;
  std::uint16_t port;
};

Listen parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw CLI::ValidationError("--listen", "expected HOST:PORT, got " + text);
  int port = std::stoi(text.substr(colon + 1));
  if (port < 0 || port > 65535) throw CLI::ValidationError("--listen", "port out of range");
  return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

void setup_logging(bool access_log) {
  spdlog::set_default_logger(spdlog::stderr_logger_mt("tongban"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  if (access_log) {
    auto access = spdlog::stdout_logger_mt("access");
    access->set_pattern("%v");
    access->flush_on(spdlog::level::info);
  }
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{"tongban 通办 — 一体化政务服务平台"};
  cli.set_version_flag("--version", std::string("tongban ") + kVersion);
  cli.require_subcommand(1);

  Config config;
  std::string key_file;
  auto add_db = [&](CLI::App* cmd) {
    cmd->add_option("--db", config.db_url, "sqlite:PATH or postgresql://…")->envname("TONGBAN_DB")->capture_default_str();
    cmd->add_option("--data-dir", config.data_dir, "where files and the data key are kept")
        ->envname("TONGBAN_DATA_DIR")
        ->capture_default_str();
    cmd->add_option("--key-file", key_file, "the personal-data key (default: DATA_DIR/data.key; or TONGBAN_DATA_KEY)");
  };

  std::string listen = "127.0.0.1:8080";
  bool no_migrate = false, no_access_log = false;
  std::string blob_store = "local";
  http::ServerOptions server;
  int read_timeout_ms = 30000, idle_timeout_ms = 60000;
  auto* serve = cli.add_subcommand("serve", "serve the platform over HTTP");
  add_db(serve);
  serve->add_option("--listen", listen, "HOST:PORT")->envname("TONGBAN_LISTEN")->capture_default_str();
  int idle_minutes = 30, absolute_hours = 12, lockout_minutes = 10;
  serve->add_option("--session-idle-minutes", idle_minutes)->check(CLI::Range(10, 30))->capture_default_str();
  serve->add_option("--session-absolute-hours", absolute_hours)->check(CLI::Range(1, 24))->capture_default_str();
  serve->add_option("--lockout-minutes", lockout_minutes)->check(CLI::Range(10, 1440))->capture_default_str();
  std::string public_url;
  serve->add_option("--public-url", public_url, "how browsers reach this server (the OIDC issuer); default http://LISTEN")
      ->envname("TONGBAN_PUBLIC_URL");
  serve->add_option("--face-verifier-url", config.face_verifier_url, "http://… of the face-verification provider (L3)")
      ->envname("TONGBAN_FACE_VERIFIER_URL");
  std::string web_dir;
  serve->add_option("--web-dir", web_dir, "the built web to serve (default web/dist when it exists; 'none' for the API alone)")
      ->envname("TONGBAN_WEB_DIR");
  serve->add_flag("--secure-cookies", config.identity.secure_cookies, "mark the session cookie Secure (behind TLS)");
  serve->add_flag("--no-migrate", no_migrate, "do not apply pending migrations at start");
  serve->add_flag("--test-clock", config.test_clock, "settable clock (TONGBAN_NOW, POST /api/v1/admin/clock); tests only");
  serve->add_option("--blob-store", blob_store, "local | db")->check(CLI::IsMember({"local", "db"}))->capture_default_str();
  serve->add_option("--threads", server.threads, "I/O threads")->capture_default_str();
  int consumer_interval_ms = 500;
  serve->add_option("--consumer-interval-ms", consumer_interval_ms,
                    "how often the outbox consumers look for new case events (0: never)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  int consumer_batch = 200;
  serve->add_option("--consumer-batch", consumer_batch, "case events each consumer reads per transaction")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  serve->add_option("--workers", server.workers, "threads that run request handlers")->capture_default_str();
  serve->add_option("--pool-size", config.pool.size, "database connections")->capture_default_str();
  serve->add_option("--max-connections", server.max_connections)->capture_default_str();
  serve->add_option("--json-body-limit", server.json_body_limit, "bytes")->capture_default_str();
  serve->add_option("--upload-body-limit", server.upload_body_limit, "bytes")->capture_default_str();
  serve->add_option("--header-limit", server.header_limit, "bytes")->capture_default_str();
  serve->add_option("--read-timeout-ms", read_timeout_ms)->capture_default_str();
  serve->add_option("--idle-timeout-ms", idle_timeout_ms)->capture_default_str();
  serve->add_option("--trusted-proxy", server.trusted_proxies,
                    "peer address whose X-Forwarded-For is believed (the local nginx); repeatable");
  serve->add_flag("--no-access-log", no_access_log, "do not write the JSON-lines access log to stdout");

  auto* migrate = cli.add_subcommand("migrate", "apply pending migrations");
  add_db(migrate);
  auto* seed = cli.add_subcommand("seed", "load demo data (idempotent)");
  add_db(seed);

  std::string backup_to, restore_from;
  bool force = false;
  auto* backup = cli.add_subcommand("backup", "write every table to a file");
  add_db(backup);
  backup->add_option("--to", backup_to, "backup file")->required();
  auto* restore = cli.add_subcommand("restore", "load a backup into a database");
  add_db(restore);
  restore->add_option("--from", restore_from, "backup file")->required();
  restore->add_flag("--force", force, "replace the rows of a non-empty database");

  auto* reindex = cli.add_subcommand("reindex", "rebuild the catalogue's search index in DATA_DIR/search");
  add_db(reindex);

  auto* verify = cli.add_subcommand("verify", "check stored data");
  auto* verify_audit = verify->add_subcommand("audit", "walk the audit log's SM3 chain");
  add_db(verify_audit);
  auto* verify_licence =
      verify->add_subcommand("licence", "check a licence's signature file offline (saved from GET /api/v1/licences/{id}/signature)");
  std::string licence_file, ca_file;
  verify_licence->add_option("FILE", licence_file)->required()->check(CLI::ExistingFile);
  verify_licence->add_option("--ca", ca_file, "the seal CA to trust (PEM); default: the certificate inside FILE")
      ->check(CLI::ExistingFile);
  verify->require_subcommand(1);

  std::string admin_name, admin_staff_no, admin_password;
  auto* admin = cli.add_subcommand("admin", "administration");
  auto* create_admin = admin->add_subcommand("create-admin", "create the first platform administrator");
  add_db(create_admin);
  create_admin->add_option("--name", admin_name)->required();
  create_admin->add_option("--staff-no", admin_staff_no)->required();
  create_admin->add_option("--password", admin_password, "prefer the environment variable")
      ->envname("TONGBAN_ADMIN_PASSWORD")
      ->required();
  admin->require_subcommand(1);

  CLI11_PARSE(cli, argc, argv);
  setup_logging(serve->parsed() && !no_access_log);
  if (!key_file.empty()) config.key_file = key_file;
  config.identity.session_idle = std::chrono::minutes(idle_minutes);
  config.identity.session_absolute = std::chrono::hours(absolute_hours);
  config.identity.lockout_duration = std::chrono::minutes(lockout_minutes);

  try {
    if (serve->parsed()) {
      auto where = parse_listen(listen);
      server.host = where.host;
      server.port = where.port;
      server.read_timeout = std::chrono::milliseconds(read_timeout_ms);
      server.idle_timeout = std::chrono::milliseconds(idle_timeout_ms);
      server.access_log = !no_access_log;
      config.blobs_in_database = blob_store == "db";
      config.public_url = public_url.empty() ? "http://" + listen : public_url;
      while (config.public_url.ends_with("/")) config.public_url.pop_back();
      if (web_dir.empty() && std::filesystem::exists("web/dist/index.html")) web_dir = "web/dist";
      if (web_dir != "none") config.web_dir = web_dir;
      if (config.test_clock) {
        if (const char* now = std::getenv("TONGBAN_NOW")) {
          auto t = parse_instant(now);
          if (!t) throw FatalError("TONGBAN_NOW: " + t.error().message);
          config.start_now = *t;
        }
      }
      // Pool no larger than needed: each I/O thread holds at most one connection at a time.
      App app(config);
      if (!no_migrate) {
        auto r = app.migrate();
        spdlog::info("migrations: {} applied, {} already", r.applied, r.already);
      }
      try {
        spdlog::info("search index: {} items", app.catalog().ensure_index());
      } catch (const std::exception& e) {
        // Serving without a database still answers /healthz and /readyz; search retries later.
        spdlog::warn("search index not checked at start: {}", e.what());
      }
      http::Server srv(server, app.router(), app.metrics());
      auto port = srv.bind();
      spdlog::info("tongban {} serving http://{}:{} (db {}, {})", kVersion, server.host, port, app.db().describe(),
                   config.test_clock ? "test clock" : "system clock");
      std::cerr << "tongban: open http://" << server.host << ":" << port << "/" << std::endl;
      app.start_consumers(std::chrono::milliseconds(consumer_interval_ms), consumer_batch);
      srv.run();
      app.stop_consumers();
      spdlog::info("stopped");
      return 0;
    }
    if (verify_licence->parsed()) return verify_licence_file(licence_file, ca_file);
    App app(config);
    if (migrate->parsed()) {
      auto r = app.migrate();
      std::cout << "migrations: " << r.applied << " applied, " << r.already << " already" << std::endl;
    } else if (seed->parsed()) {
      app.migrate();
      std::cout << app.seed().dump() << std::endl;
    } else if (backup->parsed()) {
      auto r = store::backup(app.db(), backup_to);
      std::cout << "backup: " << r.tables << " tables, " << r.rows << " rows → " << backup_to << std::endl;
    } else if (restore->parsed()) {
      auto r = store::restore(app.db(), restore_from, App::migrations(), force);
      if (!r) {
        std::cerr << "restore refused: " << r.error().code << ": " << r.error().message << " "
                  << r.error().details.dump() << std::endl;
        return 2;
      }
      std::cout << "restore: " << r->tables << " tables, " << r->rows << " rows ← " << restore_from << std::endl;
    } else if (reindex->parsed()) {
      std::cout << "search index: " << app.catalog().reindex() << " items" << std::endl;
    } else if (verify_audit->parsed()) {
      auto v = audit::verify(app.db());
      if (v.first_broken) {
        std::cerr << "audit chain broken at record " << *v.first_broken << ": " << v.reason << " (" << v.checked
                  << " records intact before it)" << std::endl;
        return 3;
      }
      std::cout << "audit chain intact: " << v.checked << " records" << std::endl;
    } else if (create_admin->parsed()) {
      app.migrate();
      auto a = app.identity().create_admin(admin_name, admin_staff_no, admin_password);
      if (!a) {
        std::cerr << "create-admin refused: " << a.error().code << ": " << a.error().message << std::endl;
        return 2;
      }
      std::cout << "platform administrator " << a->name << " (" << admin_staff_no << ", account " << a->id
                << ") created; bind a TOTP authenticator at first login" << std::endl;
    }
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

}  // namespace tb::app
