// Progress of a long load on stderr, only when stderr is a terminal and the
// load has run for more than a second; and, when given, in a counter of the
// bytes read that another thread may watch (a job's progress).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace quantatom {

class Progress {
 public:
  Progress(std::string_view label, size_t bytes_total, bool enabled,
           std::atomic<size_t>* bytes_read = nullptr);
  ~Progress();
  void Add(size_t bytes, size_t rows) {
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    rows_.fetch_add(rows, std::memory_order_relaxed);
    if (bytes_read_) bytes_read_->fetch_add(bytes, std::memory_order_relaxed);
  }
  // Stops the reporter and ends its line.
  void Finish();

 private:
  void Run();

  std::string label_;
  size_t bytes_total_;
  std::atomic<size_t> bytes_{0}, rows_{0};
  std::atomic<size_t>* bytes_read_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false, printed_ = false;
  std::thread thread_;
};

}  // namespace quantatom
