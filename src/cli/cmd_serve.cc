// serve: the planning server over a data directory (docs/api.md).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "server/server.h"

namespace quantatom::cli {
namespace {

// The web app's build of the source tree this executable was built in
// (build/NAME/quantatom -> web/dist), when it holds index.html; else "".
std::string DefaultWebDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  auto dist = exe.parent_path().parent_path().parent_path() / "web" / "dist";
  return std::filesystem::is_regular_file(dist / "index.html", ec) ? dist.string() : "";
}

struct ServeArgs {
  std::string data, listen = "127.0.0.1:8080", log_file, web = DefaultWebDir();
  server::ServerOptions options;
  double request_seconds_max = 30, session_hours = 8;
  bool quiet = false;
};

// "127.0.0.1:8080", "[::1]:8080"
Status ParseListen(const std::string& text, std::string& address, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size())
    return Status::Invalid("--listen '" + text + "': expected ADDRESS:PORT");
  address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  char* end = nullptr;
  unsigned long p = std::strtoul(text.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p > 65535) return Status::Invalid("--listen '" + text + "': bad port");
  port = static_cast<uint16_t>(p);
  return Status::Ok();
}

int Serve(ServeArgs& a) {
  server::ServerOptions& o = a.options;
  Status s = ParseListen(a.listen, o.address, o.port);
  if (!s.ok()) return Fail(s);
  o.http.request_time_max = std::chrono::milliseconds(int64_t(a.request_seconds_max * 1000));
  o.auth.session_seconds = int64_t(a.session_hours * 3600);
  o.access_log = !a.quiet;
  o.web_dir = a.web;
  auto log = server::JsonLog::Open(a.log_file);
  if (!log.ok()) return Fail(log.status());
  o.log = std::move(*log);
  using Level = server::JsonLog::Level;
  const char* admin = std::getenv("QA_ADMIN_USER");
  const char* password = std::getenv("QA_ADMIN_PASSWORD");
  if (admin && *admin) {
    if (!password || !*password)
      return Fail(Status::Invalid("QA_ADMIN_USER is set but QA_ADMIN_PASSWORD is not"));
    o.bootstrap_admin_user = admin;
    o.bootstrap_admin_password = password;
  }
  // Block the stop signals before any thread starts, so every thread
  // inherits the mask and this one alone receives them in sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  DatabaseOptions db_options;
  db_options.create_if_missing = false;
  db_options.snapshot_program = kThisProgram;
  auto db = Database::Open(a.data, db_options);
  if (!db.ok()) return Fail(db.status());
  for (const std::string& w : (*db)->open_warnings()) o.log->Write(Level::kWarn, w);
  auto server = server::Server::Start(**db, a.data, o);
  if (!server.ok()) return Fail(server.status());
  if (!(*server)->auth().HasUsers())
    o.log->Write(Level::kWarn,
                 "no users yet; every request but /healthz and /readyz gets 401. Create an "
                 "admin: quantatom user add " +
                     a.data + " NAME --admin");
  const std::string url = std::string(o.tls.enabled() ? "https" : "http") + "://" + o.address +
                          ":" + std::to_string((*server)->port());
  o.log->Write(Level::kInfo,
               "serving " + a.data + " at sequence " + std::to_string((*db)->last_sequence()) +
                   " on " + url + " with " + std::to_string(o.threads) + " threads",
               {{"data", a.data},
                {"url", url},
                {"web", a.web},
                {"last_sequence", (*db)->last_sequence()},
                {"threads", o.threads}});
  int signal = 0;
  sigwait(&stop, &signal);
  o.log->Write(Level::kInfo, "stopping", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*server)->Stop();
  o.log->Write(Level::kInfo, "stopped");
  return kExitOk;
}

}  // namespace

Runner AddServeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Serve a data directory over HTTP/JSON (docs/api.md)");
  auto a = std::make_shared<ServeArgs>();
  a->options.threads = std::max(1u, std::thread::hardware_concurrency());
  auto& o = a->options;
  cmd->add_option("--data", a->data, "Data directory (created by import)")->required();
  cmd->add_option("--listen", a->listen, "ADDRESS:PORT to listen on")->capture_default_str();
  cmd->add_option("--threads", o.threads, "Threads serving requests")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--commit-threads", o.commit_threads,
                  "Threads for requests that wait for a durable commit (they share fsyncs)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--body-bytes-max", o.http.body_bytes_max, "Largest request body")
      ->capture_default_str();
  cmd->add_option("--cells-max", o.limits.cells_per_request_max, "Most cells in one write")
      ->capture_default_str();
  cmd->add_option("--bulk-body-bytes-max", o.http.bulk_body_bytes_max,
                  "Largest body of a bulk write (/cells/bulk)")
      ->capture_default_str();
  cmd->add_option("--bulk-cells-max", o.limits.bulk_cells_max, "Most cells in one bulk write")
      ->capture_default_str();
  cmd->add_option("--connections-max", o.http.connections_max, "Most open connections")
      ->capture_default_str();
  cmd->add_option("--live-connections-max", o.limits.live_connections_max,
                  "Most WebSocket connections to /api/live")
      ->capture_default_str();
  cmd->add_option("--job-threads", o.jobs.threads, "Jobs (async bulk writes, snapshots) at once")
      ->capture_default_str();
  cmd->add_option("--jobs-per-user-max", o.jobs.active_per_user_max,
                  "Most jobs one user may have queued or running")
      ->capture_default_str();
  cmd->add_option("--jobs-kept-max", o.jobs.finished_kept_max, "Finished jobs kept in memory")
      ->capture_default_str();
  cmd->add_option("--request-seconds-max", a->request_seconds_max,
                  "Time to receive a request's body, and again to send its response")
      ->capture_default_str();
  cmd->add_option("--session-hours", a->session_hours, "Lifetime of a login's session token")
      ->capture_default_str();
  cmd->add_option("--tls-cert", o.tls.cert_file,
                  "PEM certificate chain: serve HTTPS only (with --tls-key)");
  cmd->add_option("--tls-key", o.tls.key_file, "PEM private key of --tls-cert");
  cmd->add_option("--log-file", a->log_file,
                  "Append the JSON log here instead of writing it on stderr");
  cmd->add_option("--web", a->web,
                  "Serve the web app's production build from this directory at / (default: "
                  "web/dist of the source tree the executable was built in, when built; '' for "
                  "none)")
      ->capture_default_str();
  cmd->add_flag("--quiet", a->quiet, "No line per request in the log (errors still are)");
  return [=] { return Serve(*a); };
}

}  // namespace quantatom::cli
