#include "load/progress.h"

#include <unistd.h>

#include <cstdio>

namespace quantatom {

Progress::Progress(std::string_view label, size_t bytes_total, bool enabled,
                   std::atomic<size_t>* bytes_read)
    : label_(label), bytes_total_(bytes_total), bytes_read_(bytes_read) {
  if (enabled && ::isatty(STDERR_FILENO)) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() { Finish(); }

void Progress::Run() {
  std::unique_lock lock(mu_);
  if (cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) return;
  while (!done_) {
    double pct = bytes_total_ ? 100.0 * bytes_.load() / bytes_total_ : 100.0;
    std::fprintf(stderr, "\rloading %s: %5.1f%%  %zu rows", label_.c_str(), pct, rows_.load());
    std::fflush(stderr);
    printed_ = true;
    cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return done_; });
  }
}

void Progress::Finish() {
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (printed_)
    std::fprintf(stderr, "\rloading %s: done, %zu rows%20s\n", label_.c_str(), rows_.load(), "");
}

}  // namespace quantatom
