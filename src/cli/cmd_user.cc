// user add | list | delete: the users of a data directory's server, e.g. the
// first admin before the server ever starts.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "server/auth.h"

namespace quantatom::cli {
namespace {

// QA_PASSWORD, else the first line of stdin (not echoed on a terminal).
Result<std::string> ReadPassword() {
  if (const char* env = std::getenv("QA_PASSWORD"); env && *env) return std::string(env);
  bool tty = isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::fprintf(stderr, "password: ");
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~ECHO;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  if (!got || line.empty())
    return Status::Invalid("no password: set QA_PASSWORD or write it on stdin");
  if (line.back() == '\r') line.pop_back();
  return line;
}

struct UserArgs {
  std::string data, name;
  bool admin = false;
};

}  // namespace

Runner AddUserCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("user", "Manage the users of the server of a data directory");
  cmd->require_subcommand(1);
  auto a = std::make_shared<UserArgs>();
  auto* add = cmd->add_subcommand(
      "add", "Add a user; the password comes from QA_PASSWORD or the first line of stdin");
  add->add_option("DATA", a->data, "Data directory")->required();
  add->add_option("NAME", a->name, "User name")->required();
  add->add_flag("--admin", a->admin, "The user may manage users and every token");
  auto* list = cmd->add_subcommand("list", "List the users");
  list->add_option("DATA", a->data, "Data directory")->required();
  auto* del = cmd->add_subcommand("delete", "Delete a user and its API tokens");
  del->add_option("DATA", a->data, "Data directory")->required();
  del->add_option("NAME", a->name, "User name")->required();
  return [=] {
    auto auth = OpenAuth(a->data);
    if (!auth.ok()) return Fail(auth.status());
    if (add->parsed()) {
      auto password = ReadPassword();
      if (!password.ok()) return Fail(password.status());
      Status s = (*auth)->AddUser(a->name, *password, a->admin);
      if (!s.ok()) return Fail(s);
      std::printf("added %s%s\n", a->name.c_str(), a->admin ? " (admin)" : "");
    } else if (list->parsed()) {
      for (const auto& u : (*auth)->Users())
        std::printf("%s%s\n", u.name.c_str(), u.admin ? " (admin)" : "");
    } else {
      Status s = (*auth)->DeleteUser(a->name);
      if (!s.ok()) return Fail(s);
      std::printf("deleted %s\n", a->name.c_str());
    }
    return kExitOk;
  };
}

}  // namespace quantatom::cli
