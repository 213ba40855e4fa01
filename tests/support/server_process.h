// The real tongban binary for API tests: a fresh database on the engine under test
// (TONGBAN_TEST_ENGINE=sqlite|postgresql, TONGBAN_TEST_PG_URL for the server) and a
// `tongban serve` child process on a free loopback port.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tb::testing {

std::string tongban_binary();
std::string engine_under_test();  // "sqlite" or "postgresql"

// A temp folder removed at the end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A new, empty database on the engine under test, dropped at the end.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& engine = engine_under_test());
  ~TestDatabase();
  const std::string& url() const { return url_; }
  const std::string& engine() const { return engine_; }

 private:
  std::string engine_;
  std::string url_;
  std::string name_;  // PostgreSQL database name
  TempDir dir_;
};

// Runs `tongban ARGS…`, returning its exit status; stdout and stderr go to *output.
int run_tongban(const std::vector<std::string>& args, std::string* output = nullptr,
                const std::map<std::string, std::string>& env = {});

class ServerProcess {
 public:
  // Starts `tongban serve --db URL --listen 127.0.0.1:<free> --test-clock ARGS…` and waits
  // until /healthz answers. With wait_ready=false it returns as soon as the port answers TCP.
  ServerProcess(const std::string& db_url, const std::vector<std::string>& args = {},
                const std::map<std::string, std::string>& env = {}, bool test_clock = true);
  ~ServerProcess();
  int port() const { return port_; }
  // Sends SIGTERM and waits for the exit; returns the exit status (128+signal if killed).
  int terminate();
  void signal(int sig);
  // Waits for the process to end by itself; returns its status, or -1 if it did not within wait_ms.
  int wait_exit(int wait_ms);
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  int pid_ = -1;
  int port_ = 0;
  int status_ = -1;
  TempDir dir_;
};

int free_port();

// Runs a shell command (sh -c), returning its exit status; stdout and stderr are appended to *output.
int run_command(const std::string& command, std::string* output);

// The demo accounts that `tongban seed` creates (README: demo only).
inline constexpr const char* kDemoPassword = "Tongban@2026";
inline constexpr const char* kDemoTotpSecret = "JBSWY3DPEHPK3PXP";

// Logs in over HTTP and, given a base32 TOTP secret, passes the second factor; returns
// the bearer token. Throws with the server's answer when either step fails.
// The server's clock (a --test-clock server may be far from the real time), in seconds.
std::int64_t server_now_seconds(int port);
// The TOTP code a server would accept now for a base32 secret.
std::string totp_now(int port, const std::string& base32_secret);
std::string log_in(int port, const std::string& login, const std::string& password,
                   const std::string& totp_secret = "");

}  // namespace tb::testing
