// `quantatom user` and `quantatom serve` as an operator runs them: the first
// admin from the command line or the environment, the server a child
// process on a free port that stops cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "quantatom/database.h"
#include "support/http_client.h"
#include "support/shell.h"
#include "support/temp_dir.h"

extern char** environ;

namespace quantatom::testing {
namespace {

namespace fs = std::filesystem;

std::string Binary() { return quantatom::testing::QuantatomBinary(); }

using Output = quantatom::testing::ShellOutput;

// `quantatom serve` as a child; its stderr is read until it names its port.
class ServeChild {
 public:
  ServeChild(const std::string& data, const std::vector<std::string>& env_extra) {
    std::vector<std::string> args = {Binary(),   "serve",       "--data",    data,
                                     "--listen", "127.0.0.1:0", "--threads", "2"};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.push_back(*e);
    for (const auto& e : env_extra) env.push_back(e);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    for (auto& e : env) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    stderr_fd_ = fds[0];
  }
  ~ServeChild() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stderr_fd_);
  }

  // The port from "... on http://127.0.0.1:PORT ...", 0 when the child
  // exits or says nothing for 60 s (ASan builds hash passwords slowly).
  uint16_t WaitForPort() {
    const std::string marker = "on http://127.0.0.1:";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (size_t at = output_.find(marker); at != std::string::npos)
        if (output_.find(' ', at + marker.size()) != std::string::npos)
          return static_cast<uint16_t>(std::stoi(output_.substr(at + marker.size())));
      pollfd p{stderr_fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[1024];
      ssize_t n = read(stderr_fd_, buf, sizeof buf);
      if (n <= 0) return 0;
      output_.append(buf, n);
    }
    return 0;
  }

  // SIGTERM, then the exit code (-1 unless it exited within 30 s).
  int Stop() {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 300; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }
  // Waits for the child to exit by itself.
  int Exit() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::string output_;
};

class ServerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(Dir());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->CreateDimension("D", "member,parent,weight\na,,\n", {}).ok());
    ASSERT_TRUE((*db)->CreateCube("C", {"D"}, {}).ok());
  }
  std::string Dir() const { return temp_.path().string(); }
  std::string Cli(const std::string& args) const { return Binary() + " " + args; }
  static std::string Login(uint16_t port, const std::string& user, const std::string& password) {
    HttpReply r = HttpClient(port).Post("/api/login", {{"user", user}, {"password", password}});
    return r.status == 200 ? r.Json().value("token", "") : "";
  }

  ScopedTempDir temp_{"qa_server_cli"};
};

TEST_F(ServerCliTest, FirstAdminFromTheCommandLineThenServeUntilSigterm) {
  Output added = Shell("QA_PASSWORD=alice-password " + Cli("user add " + Dir() + " alice --admin"));
  ASSERT_EQ(added.code, 0) << added.text;
  Output piped =
      Shell("echo bob-password | env -u QA_PASSWORD " + Cli("user add " + Dir() + " bob"));
  ASSERT_EQ(piped.code, 0) << piped.text;
  Output none = Shell("env -u QA_PASSWORD " + Cli("user add " + Dir() + " carol </dev/null"));
  EXPECT_EQ(none.code, 1) << none.text;
  Output weak = Shell("QA_PASSWORD=short " + Cli("user add " + Dir() + " carol"));
  EXPECT_EQ(weak.code, 1) << weak.text;
  fs::create_directories(Dir() + "/not-data");
  Output elsewhere =
      Shell("QA_PASSWORD=alice-password " + Cli("user add " + Dir() + "/not-data alice --admin"));
  EXPECT_EQ(elsewhere.code, 1);
  EXPECT_NE(elsewhere.text.find("not a data directory"), std::string::npos) << elsewhere.text;
  EXPECT_FALSE(fs::exists(Dir() + "/not-data/security"));
  Output list = Shell(Cli("user list " + Dir()));
  EXPECT_EQ(list.text, "alice (admin)\nbob\n");

  ServeChild serve(Dir(), {});
  uint16_t port = serve.WaitForPort();
  ASSERT_NE(port, 0) << serve.output();
  std::string token = Login(port, "alice", "alice-password");
  ASSERT_FALSE(token.empty());
  HttpReply model = HttpClient(port).Get("/api/model", token);
  EXPECT_EQ(model.status, 200);
  EXPECT_EQ(model.Json()["cubes"][0]["name"], "C");
  EXPECT_FALSE(Login(port, "bob", "bob-password").empty());
  EXPECT_TRUE(Login(port, "bob", "wrong-password").empty());
  // The server takes snapshots in a child process, `quantatom snapshot-worker`.
  HttpReply snap = HttpClient(port).Request("POST", "/api/admin/snapshot", "", token);
  ASSERT_EQ(snap.status, 202) << snap.body;
  nlohmann::json job;
  for (int i = 0; i < 3000; ++i) {
    job = HttpClient(port).Get("/api/jobs/" + snap.Json()["id"].get<std::string>(), token).Json();
    if (job.value("state", "") != "queued" && job.value("state", "") != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(job.value("state", ""), "succeeded") << job.dump() << serve.output();
  EXPECT_TRUE(fs::exists(job["result"]["file"].get<std::string>())) << job.dump();
  EXPECT_GT(job["result"]["bytes"].get<uint64_t>(), 0u) << job.dump();

  Output busy = Shell("QA_PASSWORD=dave-password " + Cli("user add " + Dir() + " dave"));
  EXPECT_EQ(busy.code, 1);
  EXPECT_NE(busy.text.find("in use"), std::string::npos) << busy.text;
  EXPECT_EQ(serve.Stop(), 0) << serve.output();
}

TEST_F(ServerCliTest, RolesScriptedOfflineApplyWhenServing) {
  ASSERT_EQ(Shell("QA_PASSWORD=alice-password " + Cli("user add " + Dir() + " alice --admin")).code,
            0);
  ASSERT_EQ(Shell("QA_PASSWORD=bob-password " + Cli("user add " + Dir() + " bob")).code, 0);
  ASSERT_EQ(Shell(Cli("role add " + Dir() + " readers")).code, 0);
  Output bad = Shell(Cli("role grant " + Dir() + " readers C --access READ --member D:zz=NONE"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.text.find("zz"), std::string::npos) << bad.text;
  EXPECT_EQ(Shell(Cli("role grant " + Dir() + " readers C --access ALL")).code, 1);
  EXPECT_EQ(Shell(Cli("role grant " + Dir() + " readers C --access READ --member D-a-READ")).code,
            1);
  EXPECT_EQ(Shell(Cli("role list " + Dir())).text, "readers users=\n");
  Output granted = Shell(Cli("role grant " + Dir() + " readers C --access NONE --member D:a=READ"));
  ASSERT_EQ(granted.code, 0) << granted.text;
  ASSERT_EQ(Shell(Cli("role assign " + Dir() + " readers bob")).code, 0);
  EXPECT_EQ(Shell(Cli("role assign " + Dir() + " readers nobody")).code, 1);
  EXPECT_EQ(Shell(Cli("role list " + Dir())).text, "readers users=bob\n  C NONE\n    D:a=READ\n");

  ServeChild serve(Dir(), {});
  uint16_t port = serve.WaitForPort();
  ASSERT_NE(port, 0) << serve.output();
  std::string bob = Login(port, "bob", "bob-password");
  HttpReply cubes = HttpClient(port).Get("/api/cubes", bob);
  ASSERT_EQ(cubes.status, 200);
  EXPECT_EQ(cubes.Json()["cubes"].size(), 1u);
  HttpReply write = HttpClient(port).Post("/api/cubes/C/cells",
                                          {{"cells", {{{"members", {"a"}}, {"value", 1}}}}}, bob);
  EXPECT_EQ(write.status, 403) << write.body;
  EXPECT_EQ(serve.Stop(), 0) << serve.output();
  ASSERT_EQ(Shell(Cli("role unassign " + Dir() + " readers bob")).code, 0);
  ASSERT_EQ(Shell(Cli("role revoke " + Dir() + " readers C")).code, 0);
  ASSERT_EQ(Shell(Cli("role delete " + Dir() + " readers")).code, 0);
  EXPECT_EQ(Shell(Cli("role list " + Dir())).text, "");
}

// The structure commands: each change one logged transaction, the data
// rule with --delete-data, grants following a rename, a delete named by a
// grant refused, and every command refused while a server holds DATA.
TEST_F(ServerCliTest, StructureCommandsFollowTheRulesOfTheApi) {
  const std::string data = Dir();
  auto run = [&](const std::string& args) { return Shell(Cli(args)); };
  std::ofstream(data + "/region.csv")
      << "member,parent,weight\nWorld,,\nEast,World,1\nWest,World,-1\n";
  Output dim = run("dimension create " + data + " Region --csv " + data + "/region.csv");
  ASSERT_EQ(dim.code, 0) << dim.text;
  EXPECT_NE(dim.text.find("3 members, 2 leaves"), std::string::npos) << dim.text;
  ASSERT_EQ(run("cube create " + data + " Sales Region D").code, 0);
  ASSERT_EQ(run("set " + data + " --cube Sales --cell 'East,a=10' --cell 'West,a=4'").code, 0);
  Output refused = run("member add " + data + " Region Boston --parent East");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.text.find("holds 1 atom (Sales: 1)"), std::string::npos) << refused.text;
  Output added = run("member add " + data +
                     " Region Boston --parent East=2 --delete-data "
                     "--alias BOS --num Stores=3");
  ASSERT_EQ(added.code, 0) << added.text;
  EXPECT_NE(added.text.find("1 atoms deleted (Sales: 1)"), std::string::npos) << added.text;
  EXPECT_EQ(run("member move " + data + " Region World --parent Boston").code, 1);  // a cycle
  EXPECT_EQ(run("member delete " + data + " Region East --children adopt").code, 1);
  ASSERT_EQ(run("role add " + data + " r").code, 0);
  ASSERT_EQ(run("role grant " + data + " r Sales --access READ --member Region:BOS=NONE").code, 0);
  Output renamed =
      run("member rename " + data + " Region BOS Boston-MA --alias BMA --unset Stores");
  ASSERT_EQ(renamed.code, 0) << renamed.text;
  EXPECT_EQ(run("role list " + data).text, "r users=\n  Sales READ\n    Region:Boston-MA=NONE\n");
  Output named = run("member delete " + data + " Region Boston-MA");
  EXPECT_EQ(named.code, 1);
  EXPECT_NE(named.text.find("grant of role r on cube Sales names Boston-MA"), std::string::npos)
      << named.text;
  ASSERT_EQ(run("role revoke " + data + " r Sales").code, 0);
  Output deleted = run("member delete " + data + " Region East --children orphan");
  ASSERT_EQ(deleted.code, 0) << deleted.text;
  EXPECT_EQ(run("dimension delete " + data + " Region").code, 1);  // Sales uses it
  EXPECT_EQ(run("cube delete " + data + " Sales").code, 1);        // it holds West's atom
  ASSERT_EQ(run("cube delete " + data + " Sales --delete-data").code, 0);
  ASSERT_EQ(run("dimension delete " + data + " Region").code, 0);
  Output changes = run("changes " + data + " --since 2");
  EXPECT_NE(changes.text.find("add_member Sales 1 deltas"), std::string::npos) << changes.text;
  EXPECT_NE(changes.text.find("delete_dimension"), std::string::npos) << changes.text;
  Output verified = run("verify " + data);
  EXPECT_EQ(verified.code, 0) << verified.text;
  // Refused while a server holds the directory.
  ServeChild serve(data, {"QA_ADMIN_USER=admin", "QA_ADMIN_PASSWORD=admin-password"});
  ASSERT_NE(serve.WaitForPort(), 0) << serve.output();
  Output busy = run("member add " + data + " D b");
  EXPECT_EQ(busy.code, 1);
  EXPECT_NE(busy.text.find("in use by another quantatom process"), std::string::npos) << busy.text;
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(ServerCliTest, AdminFromTheEnvironmentAtServeStart) {
  {
    ServeChild serve(Dir(), {"QA_ADMIN_USER=root", "QA_ADMIN_PASSWORD=root-password"});
    uint16_t port = serve.WaitForPort();
    ASSERT_NE(port, 0) << serve.output();
    EXPECT_FALSE(Login(port, "root", "root-password").empty());
    EXPECT_EQ(serve.Stop(), 0);
  }
  ServeChild no_password(Dir(), {"QA_ADMIN_USER=root2", "QA_ADMIN_PASSWORD="});
  EXPECT_EQ(no_password.Exit(), 1);
}

TEST_F(ServerCliTest, NoUsersMeansEveryRequestNeedsATokenNobodyHas) {
  ServeChild serve(Dir(), {"QA_ADMIN_USER=", "QA_ADMIN_PASSWORD="});
  uint16_t port = serve.WaitForPort();
  ASSERT_NE(port, 0) << serve.output();
  EXPECT_NE(serve.output().find("no users yet"), std::string::npos) << serve.output();
  EXPECT_EQ(HttpClient(port).Get("/api/model").status, 401);
  EXPECT_TRUE(Login(port, "admin", "admin").empty());
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(ServerCliTest, ServeLogsJsonLines) {
  ServeChild serve(Dir(), {"QA_ADMIN_USER=", "QA_ADMIN_PASSWORD="});
  uint16_t port = serve.WaitForPort();
  ASSERT_NE(port, 0) << serve.output();
  std::string first_line = serve.output().substr(0, serve.output().find('\n'));
  nlohmann::json warning = nlohmann::json::parse(first_line, nullptr, false);
  EXPECT_EQ(warning.value("level", ""), "warn") << first_line;
  EXPECT_NE(warning.value("msg", "").find("no users yet"), std::string::npos) << first_line;
  size_t serving = serve.output().find("{", first_line.size());
  nlohmann::json started = nlohmann::json::parse(
      serve.output().substr(serving, serve.output().find('\n', serving) - serving), nullptr, false);
  EXPECT_EQ(started.value("url", ""), "http://127.0.0.1:" + std::to_string(port)) << serve.output();
  EXPECT_EQ(started.value("level", ""), "info");
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(ServerCliTest, ServeRefusesTlsFilesItCannotUse) {
  Output missing = Shell(Cli("serve --data " + Dir() + " --listen 127.0.0.1:0 --tls-cert " + Dir() +
                             "/none.crt --tls-key " + Dir() + "/none.key"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.text.find("none."), std::string::npos) << missing.text;
  Output half = Shell(Cli("serve --data " + Dir() + " --listen 127.0.0.1:0 --tls-key x.key"));
  EXPECT_EQ(half.code, 1);
  EXPECT_NE(half.text.find("--tls-cert"), std::string::npos) << half.text;
}

}  // namespace
}  // namespace quantatom::testing
