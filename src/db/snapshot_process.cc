#include "db/snapshot_process.h"

#include <fcntl.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace quantatom {
namespace {

// Everything the child writes to stdout and stderr, until it closes them.
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0)
      out.append(buf, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR)
      return out;
  }
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// posix_spawn owns its attribute objects only between init and destroy.
struct SpawnSetup {
  posix_spawn_file_actions_t files;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&files);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attributes);
  }
};

// The child's output goes to `out`; it gets no other descriptor of ours
// (a listening socket kept by a child would outlive the server), default
// signal handling with nothing blocked (the server blocks SIGTERM in every
// thread), and the idle scheduling class before its first instruction.
void Configure(SpawnSetup& s, int out) {
  posix_spawn_file_actions_adddup2(&s.files, out, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&s.files, out, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&s.files, STDERR_FILENO + 1);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&s.attributes, &none);
  posix_spawnattr_setsigdefault(&s.attributes, &defaults);
  sched_param idle{};
  posix_spawnattr_setschedpolicy(&s.attributes, SCHED_IDLE);
  posix_spawnattr_setschedparam(&s.attributes, &idle);
  posix_spawnattr_setflags(
      &s.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSCHEDULER);
}

std::string HowItEnded(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

std::optional<uint64_t> SnapshotWorkerBytes(const std::string& output) {
  const std::string text = Trimmed(output);
  const std::string last = text.substr(text.rfind('\n') + 1);  // npos + 1 == 0
  if (last.empty() || last.size() > 19 || last.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(last);
}

Result<uint64_t> RunSnapshotProgram(const std::string& program, const std::string& dir,
                                    uint64_t sequence) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return Status::Io(std::string("snapshot program: pipe: ") + std::strerror(errno));
  SpawnSetup setup;
  Configure(setup, pipe_fds[1]);
  const std::string sequence_text = std::to_string(sequence);
  const char* argv[] = {program.c_str(), kSnapshotWorkerCommand, dir.c_str(), sequence_text.c_str(),
                        nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, program.c_str(), &setup.files, &setup.attributes,
                                  const_cast<char**>(argv), environ);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return Status::Io("snapshot program " + program + ": " + std::strerror(spawned));
  }
  // The idle I/O class cannot be asked of posix_spawn; set on the child's
  // main thread at once, before it has read much, and inherited by its
  // threads.
  (void)syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, pid, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0));
  const std::string output = ReadAll(pipe_fds[0]);
  ::close(pipe_fds[0]);
  // Where SIGCHLD is ignored the kernel reaps the child itself and waitpid
  // fails: the status stays 0 and the child's output decides.
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::optional<uint64_t> bytes = SnapshotWorkerBytes(output);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && bytes) return *bytes;
  return Status::Io("snapshot program " + program + " " + kSnapshotWorkerCommand + " " + dir + " " +
                    sequence_text + " failed (" + HowItEnded(status) + "): " + Trimmed(output));
}

}  // namespace quantatom
