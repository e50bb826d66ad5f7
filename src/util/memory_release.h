// Returning a large buffer's memory to the kernel without stalling other
// threads.
//
// Freeing a buffer of hundreds of megabytes unmaps it, and the kernel zaps
// its pages while holding the process's mmap lock: 10-15 ms for 200 MB
// here. Any thread that maps or protects memory meanwhile (a malloc arena
// growing: mprotect) waits that long, the commit thread included (seen with
// perf while a snapshot decoded a load). Discarding the pages a few
// megabytes at a time first takes the lock briefly, many times, and
// leaves the final unmap almost nothing to do.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace quantatom {

// Discards the whole pages inside [data, data + bytes): they read as zero
// afterwards. Only for a buffer about to be freed. Small buffers are left
// alone.
void ReleasePagesGently(const void* data, size_t bytes);

template <class T>
void ReleaseGently(std::vector<T>& v) {
  ReleasePagesGently(v.data(), v.capacity() * sizeof(T));
  std::vector<T>().swap(v);
}

inline void ReleaseGently(std::string& s) {
  ReleasePagesGently(s.data(), s.capacity());
  std::string().swap(s);
}

// Releases a buffer gently when the scope ends, whichever way it ends.
template <class Buffer>
class GentleRelease {
 public:
  explicit GentleRelease(Buffer& buffer) : buffer_(buffer) {}
  ~GentleRelease() { ReleaseGently(buffer_); }
  GentleRelease(const GentleRelease&) = delete;
  GentleRelease& operator=(const GentleRelease&) = delete;

 private:
  Buffer& buffer_;
};

}  // namespace quantatom
