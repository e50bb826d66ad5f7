// Jobs: long operations (an asynchronous bulk write, a snapshot, a verify)
// run on threads of their own while the client polls their state, progress
// and outcome, and may cancel them until they pass their point of no return
// (docs/api.md, "Jobs").
//
// Jobs live in memory only: a restart forgets them. What a job committed is
// durable anyway, like any acknowledged commit.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/api.h"

namespace quantatom::server {

struct JobLimits {
  int threads = 2;                  // jobs running at once
  size_t active_per_user_max = 4;   // queued or running jobs of one user; one more: 429
  size_t finished_kept_max = 1000;  // past this, the oldest finished job is forgotten
};

enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
const char* JobStateName(JobState state);  // "queued", "running", ...

struct Job;

// What a running job's work reports and asks.
class JobControl {
 public:
  explicit JobControl(std::shared_ptr<Job> job) : job_(std::move(job)) {}
  // Enters a phase: progress goes from `from` to `to` as `*done` (updated
  // by the work, from any thread) goes from 0 to `total`; without `done`
  // it stays at `from`. `done` must live until the next phase or the end.
  void Phase(std::string name, double from, double to = 0,
             const std::atomic<size_t>* done = nullptr, size_t total = 0);
  // Whether a cancel has been asked: the work stops, having changed nothing.
  bool CancelRequested() const;
  // The point of no return (a commit starts): false when a cancel came
  // first (the work must stop); after it, a cancel is answered "too late".
  bool PassPointOfNoReturn();

 private:
  std::shared_ptr<Job> job_;
};

// The work: returns the result, or throws ApiError (the job fails with its
// code and message) or JobCancelled (after CancelRequested).
using JobWork = std::function<json(JobControl&)>;
struct JobCancelled {};

class JobQueue {
 public:
  explicit JobQueue(JobLimits limits);
  ~JobQueue();  // Stop()

  // Queues `work` as `kind` for `user`: the job as JSON. 429 TOO_MANY_JOBS
  // (ApiError) when the user has active_per_user_max jobs queued or running;
  // 503 when stopping.
  json Submit(const std::string& kind, const std::string& user, JobWork work);
  // A job as JSON; nullopt when unknown, or (unless `admin`) another user's.
  std::optional<json> Get(const std::string& id, const std::string& user, bool admin) const;
  // The user's jobs (every job for an admin), newest first.
  json List(const std::string& user, bool admin) const;
  // Cancels a queued job (at once) or a running one before its point of no
  // return (it stops at its next check): the job as JSON. 409 TOO_LATE
  // (ApiError) once it passed that point or finished; nullopt when unknown.
  std::optional<json> Cancel(const std::string& id, const std::string& user, bool admin);
  // Cancels the queued jobs and waits for the running ones. Idempotent.
  void Stop();

 private:
  void Run();
  void Finish(const std::shared_ptr<Job>& job);  // REQUIRES: mu_
  const JobLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;  // by id
  std::deque<std::shared_ptr<Job>> queue_;
  std::deque<std::string> finished_;  // ids, oldest first
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace quantatom::server
