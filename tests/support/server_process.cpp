#include <utility>  // before Boost 1.74 asio (ARCHITECTURE §8)

#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/asio.hpp>

#include "core/time.h"
#include "crypto/totp.h"
#include "http_client.h"
#include "store/db.h"

namespace tb::testing {
namespace {

std::string random_suffix() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> dist;
  std::ostringstream s;
  s << std::hex << dist(rd) << dist(rd);
  return s.str();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// fork + exec with stdout/stderr redirected to files; returns the pid.
int spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          const std::filesystem::path& out, const std::filesystem::path& err) {
  int pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string tongban_binary() {
  if (const char* b = std::getenv("TONGBAN_BIN")) return b;
  return TB_TONGBAN_BIN;
}

std::string engine_under_test() {
  const char* e = std::getenv("TONGBAN_TEST_ENGINE");
  return e && *e ? e : "sqlite";
}

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() / ("tongban-test-" + random_suffix());
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestDatabase::TestDatabase(const std::string& engine) : engine_(engine) {
  if (engine == "sqlite") {
    url_ = "sqlite:" + (dir_.path() / "test.db").string();
    return;
  }
  if (engine != "postgresql") throw std::runtime_error("TONGBAN_TEST_ENGINE must be sqlite or postgresql");
  const char* base = std::getenv("TONGBAN_TEST_PG_URL");
  if (!base || !*base) throw std::runtime_error("TONGBAN_TEST_PG_URL is not set for the postgresql run");
  name_ = "tb_test_" + random_suffix();
  auto admin = store::Db::open(std::string(base) + "/postgres", {.size = 1});
  admin->read([&](store::Conn& c) { c.exec_script("CREATE DATABASE " + name_); });
  url_ = std::string(base) + "/" + name_;
}

TestDatabase::~TestDatabase() {
  if (name_.empty()) return;
  try {
    auto admin = store::Db::open(std::string(std::getenv("TONGBAN_TEST_PG_URL")) + "/postgres", {.size = 1});
    admin->read([&](store::Conn& c) { c.exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); });
  } catch (const std::exception&) {
    // The cluster is thrown away after the run anyway.
  }
}

// The same personal-data key for every process of a test run, so `tongban seed` and
// `tongban serve` read each other's data.
std::map<std::string, std::string> with_test_key(std::map<std::string, std::string> env) {
  env.emplace("TONGBAN_DATA_KEY", "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0");
  return env;
}

int run_tongban(const std::vector<std::string>& args, std::string* output, const std::map<std::string, std::string>& env) {
  TempDir dir;
  std::vector<std::string> argv{tongban_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  int pid = spawn(argv, with_test_key(env), dir.path() / "out", dir.path() / "out");
  int status = 0;
  waitpid(pid, &status, 0);
  if (output) *output = read_file(dir.path() / "out");
  return decode_status(status);
}

int free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

ServerProcess::ServerProcess(const std::string& db_url, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env, bool test_clock) {
  port_ = free_port();
  std::vector<std::string> argv{tongban_binary(), "serve", "--db", db_url, "--listen",
                                "127.0.0.1:" + std::to_string(port_), "--data-dir", (dir_.path() / "data").string()};
  if (test_clock) argv.push_back("--test-clock");
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawn(argv, with_test_key(env), dir_.path() / "stdout", dir_.path() / "stderr");
  // Start-up wait (not a timing assertion): generous, ends as soon as the port answers.
  for (int i = 0; i < 1000; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = decode_status(status);
      pid_ = -1;
      throw std::runtime_error("tongban serve exited at start (" + std::to_string(status_) + "): " + stderr_text());
    }
    try {
      HttpConnection probe("127.0.0.1", port_);
      return;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  throw std::runtime_error("tongban serve did not start listening: " + stderr_text());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate();
}

void ServerProcess::signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ServerProcess::wait_exit(int wait_ms) {
  if (pid_ <= 0) return status_;
  for (int waited = 0; waited <= wait_ms; waited += 10) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = decode_status(status);
      pid_ = -1;
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int ServerProcess::terminate() {
  if (pid_ <= 0) return status_;
  kill(pid_, SIGTERM);
  if (wait_exit(20000) == -1) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    status_ = decode_status(status);
    pid_ = -1;
  }
  return status_;
}

std::int64_t server_now_seconds(int port) {
  auto res = http_request(port, "GET", "/api/v1/version");
  auto now = parse_instant(res.json()["now"].get<std::string>());
  if (!now) throw std::runtime_error("server time unreadable: " + res.body);
  return *now / 1000;
}

std::string totp_now(int port, const std::string& base32_secret) {
  auto key = crypto::base32_decode(base32_secret);
  if (!key) throw std::runtime_error("bad TOTP secret " + base32_secret);
  return crypto::totp(*key, server_now_seconds(port));
}

std::string log_in(int port, const std::string& login, const std::string& password, const std::string& totp_secret) {
  nlohmann::json body{{"login", login}, {"password", password}};
  auto res = http_request(port, "POST", "/api/v1/auth/login", body.dump());
  if (res.status != 200) throw std::runtime_error("login as " + login + " failed: " + res.body);
  std::string token = res.json()["token"];
  if (!totp_secret.empty()) {
    nlohmann::json code{{"code", totp_now(port, totp_secret)}};
    auto mfa = http_request(port, "POST", "/api/v1/auth/mfa", code.dump(), {{"Authorization", "Bearer " + token}});
    if (mfa.status != 200) throw std::runtime_error("MFA for " + login + " failed: " + mfa.body);
  }
  return token;
}

std::string ServerProcess::stdout_text() const { return read_file(dir_.path() / "stdout"); }
std::string ServerProcess::stderr_text() const { return read_file(dir_.path() / "stderr"); }

int run_command(const std::string& command, std::string* output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) *output += buf;
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace tb::testing
