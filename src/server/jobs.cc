#include "server/jobs.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "server/crypto.h"

namespace quantatom::server {

struct Job {
  std::string id, kind, user;
  JobWork work;
  // Under the queue's mutex, except `mu`'s members below.
  JobState state = JobState::kQueued;
  int64_t created_us = 0, started_us = 0, finished_us = 0;
  json result, error;

  mutable std::mutex mu;  // the work's reports, read by Get from any thread
  std::string phase = "queued";
  double from = 0, to = 0;
  const std::atomic<size_t>* done = nullptr;
  size_t total = 0;
  bool cancel_requested = false;
  bool past_point_of_no_return = false;

  double Progress() const {  // REQUIRES: mu
    if (!done || total == 0 || to <= from) return from;
    return from + (to - from) * std::min(1.0, static_cast<double>(done->load()) / total);
  }
};

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Active(JobState s) { return s == JobState::kQueued || s == JobState::kRunning; }

// REQUIRES: the queue's mutex.
json JobJson(const Job& job) {
  json out = {{"id", job.id},
              {"kind", job.kind},
              {"user", job.user},
              {"state", JobStateName(job.state)},
              {"created_us", job.created_us},
              {"started_us", job.started_us ? json(job.started_us) : json(nullptr)},
              {"finished_us", job.finished_us ? json(job.finished_us) : json(nullptr)}};
  {
    std::lock_guard lock(job.mu);
    out["phase"] = job.phase;
    out["progress"] = job.state == JobState::kSucceeded ? 1.0 : job.Progress();
    out["cancel_requested"] = job.cancel_requested;
    out["cancellable"] = Active(job.state) && !job.past_point_of_no_return;
  }
  if (job.state == JobState::kSucceeded) out["result"] = job.result;
  if (job.state == JobState::kFailed) out["error"] = job.error;
  return out;
}

}  // namespace

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

void JobControl::Phase(std::string name, double from, double to, const std::atomic<size_t>* done,
                       size_t total) {
  std::lock_guard lock(job_->mu);
  job_->phase = std::move(name);
  job_->from = from;
  job_->to = to;
  job_->done = done;
  job_->total = total;
}

bool JobControl::CancelRequested() const {
  std::lock_guard lock(job_->mu);
  return job_->cancel_requested;
}

bool JobControl::PassPointOfNoReturn() {
  std::lock_guard lock(job_->mu);
  if (job_->cancel_requested) return false;
  job_->past_point_of_no_return = true;
  return true;
}

JobQueue::JobQueue(JobLimits limits) : limits_(limits) {
  for (int i = 0; i < std::max(1, limits_.threads); ++i)
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "qa-jobs");
      Run();
    });
}

JobQueue::~JobQueue() { Stop(); }

void JobQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& job : queue_) {
      job->state = JobState::kCancelled;
      Finish(job);
    }
    queue_.clear();
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

json JobQueue::Submit(const std::string& kind, const std::string& user, JobWork work) {
  std::lock_guard lock(mu_);
  if (stopping_) throw ApiError(503, "NOT_READY", "the server is stopping");
  const size_t active = std::count_if(jobs_.begin(), jobs_.end(), [&](const auto& entry) {
    return entry.second->user == user && Active(entry.second->state);
  });
  if (active >= limits_.active_per_user_max)
    throw ApiError(429, "TOO_MANY_JOBS",
                   "you have " + std::to_string(active) + " jobs queued or running, at most " +
                       std::to_string(limits_.active_per_user_max) +
                       "; wait for one to finish or cancel one");
  auto job = std::make_shared<Job>();
  do {
    job->id = Hex(RandomBytes(8));
  } while (jobs_.count(job->id));
  job->kind = kind;
  job->user = user;
  job->work = std::move(work);
  job->created_us = NowUs();
  jobs_[job->id] = job;
  queue_.push_back(job);
  wake_.notify_one();
  return JobJson(*job);
}

std::optional<json> JobQueue::Get(const std::string& id, const std::string& user,
                                  bool admin) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || (!admin && it->second->user != user)) return std::nullopt;
  return JobJson(*it->second);
}

json JobQueue::List(const std::string& user, bool admin) const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Job>> mine;
  for (const auto& [id, job] : jobs_)
    if (admin || job->user == user) mine.push_back(job);
  std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) {
    return a->created_us != b->created_us ? a->created_us > b->created_us : a->id > b->id;
  });
  json out = json::array();
  for (const auto& job : mine) out.push_back(JobJson(*job));
  return out;
}

std::optional<json> JobQueue::Cancel(const std::string& id, const std::string& user, bool admin) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || (!admin && it->second->user != user)) return std::nullopt;
  const std::shared_ptr<Job>& job = it->second;
  if (job->state == JobState::kQueued) {
    std::erase(queue_, job);
    job->state = JobState::kCancelled;
    {
      std::lock_guard job_lock(job->mu);
      job->cancel_requested = true;
    }
    Finish(job);
    return JobJson(*job);
  }
  {
    std::lock_guard job_lock(job->mu);
    if (job->state == JobState::kRunning && !job->past_point_of_no_return) {
      job->cancel_requested = true;
    } else {
      const bool finished = !Active(job->state);
      throw ApiError(409, "TOO_LATE",
                     finished ? std::string("the job has finished (") + JobStateName(job->state) +
                                    "); there is nothing to cancel"
                              : "the job is past its point of no return (" + job->phase +
                                    "): it can no longer be cancelled",
                     {{"job_state", JobStateName(job->state)}});
    }
  }
  return JobJson(*job);
}

void JobQueue::Finish(const std::shared_ptr<Job>& job) {
  job->finished_us = NowUs();
  job->work = nullptr;  // what it captured (a bulk body) goes now
  {
    std::lock_guard lock(job->mu);
    job->done = nullptr;
    if (job->state == JobState::kCancelled) job->phase = "cancelled";
    if (job->state == JobState::kSucceeded) job->phase = "done";
  }
  finished_.push_back(job->id);
  while (finished_.size() > limits_.finished_kept_max) {
    jobs_.erase(finished_.front());
    finished_.pop_front();
  }
}

void JobQueue::Run() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = queue_.front();
      queue_.pop_front();
      job->state = JobState::kRunning;
      job->started_us = NowUs();
    }
    JobControl control(job);
    JobState state = JobState::kSucceeded;
    json result, error;
    try {
      result = job->work(control);
    } catch (const JobCancelled&) {
      state = JobState::kCancelled;
    } catch (const ApiError& e) {
      state = JobState::kFailed;
      error = {{"code", e.code}, {"message", e.message}, {"status", e.status}};
      if (e.details.is_object())
        for (auto& [key, value] : e.details.items()) error[key] = value;
    } catch (const std::exception& e) {
      state = JobState::kFailed;
      error = {{"code", "INTERNAL"}, {"message", e.what()}, {"status", 500}};
    }
    std::lock_guard lock(mu_);
    job->state = state;
    job->result = std::move(result);
    job->error = std::move(error);
    Finish(job);
  }
}

}  // namespace quantatom::server
