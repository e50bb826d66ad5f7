// The job queue: states from queued to succeeded, failed or cancelled,
// progress by phase, cancelling before and after the point of no return,
// the limits on active jobs per user and on finished jobs kept, and who may
// see which job. Work functions wait on latches, so every order is forced.
#include "server/jobs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace quantatom::server {
namespace {

// A one-shot signal between the test and a job's work.
struct Latch {
  std::promise<void> p;
  std::shared_future<void> f{p.get_future().share()};
  void Open() { p.set_value(); }
  void Wait() const { f.wait(); }
};

// Polls until the job reaches `state` (or 5 s pass).
json WaitFor(JobQueue& q, const std::string& id, const std::string& state) {
  json job;
  for (int i = 0; i < 500; ++i) {
    job = *q.Get(id, "", true);
    if (job["state"] == state) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "job " << id << " is " << job.dump() << ", not " << state;
  return job;
}

TEST(JobQueue, RunsJobsReportingPhasesAndResults) {
  JobQueue q({.threads = 1});
  Latch started, go;
  std::atomic<size_t> done{0};
  json job = q.Submit("load", "ana", [&](JobControl& c) {
    c.Phase("parsing", 0, 0.5, &done, 100);
    started.Open();
    go.Wait();
    c.Phase("committing", 0.5);
    EXPECT_TRUE(c.PassPointOfNoReturn());
    return json{{"sequence", 7}};
  });
  EXPECT_EQ(job["kind"], "load");
  EXPECT_EQ(job["user"], "ana");
  const std::string id = job["id"];
  started.Wait();
  done = 50;
  json running = *q.Get(id, "ana", false);
  EXPECT_EQ(running["state"], "running");
  EXPECT_EQ(running["phase"], "parsing");
  EXPECT_DOUBLE_EQ(running["progress"].get<double>(), 0.25);
  EXPECT_TRUE(running["cancellable"]);
  go.Open();
  json finished = WaitFor(q, id, "succeeded");
  EXPECT_EQ(finished["result"]["sequence"], 7);
  EXPECT_EQ(finished["progress"], 1.0);
  EXPECT_FALSE(finished["cancellable"]);
  EXPECT_LE(finished["created_us"].get<int64_t>(), finished["started_us"].get<int64_t>());
  EXPECT_LE(finished["started_us"].get<int64_t>(), finished["finished_us"].get<int64_t>());
}

TEST(JobQueue, CancelsQueuedAndRunningJobsBeforeTheirPointOfNoReturnOnly) {
  JobQueue q({.threads = 1, .active_per_user_max = 10});
  Latch started, go, committed, finish;
  bool stopped_before_commit = false;
  const std::string first = q.Submit("a", "ana", [&](JobControl& c) {
    started.Open();
    go.Wait();
    if (!c.PassPointOfNoReturn()) {
      stopped_before_commit = true;
      throw JobCancelled{};
    }
    return json();
  })["id"];
  const std::string queued = q.Submit("b", "ana", [&](JobControl& c) {
    ADD_FAILURE() << "a cancelled queued job ran";
    return json();
  })["id"];
  started.Wait();
  json cancelled = *q.Cancel(queued, "ana", false);
  EXPECT_EQ(cancelled["state"], "cancelled");
  json asked = *q.Cancel(first, "ana", false);
  EXPECT_EQ(asked["state"], "running");
  EXPECT_TRUE(asked["cancel_requested"]);
  go.Open();
  WaitFor(q, first, "cancelled");
  EXPECT_TRUE(stopped_before_commit);
  // Past its point of no return a job can no longer be cancelled.
  const std::string third = q.Submit("c", "ana", [&](JobControl& c) {
    EXPECT_TRUE(c.PassPointOfNoReturn());
    committed.Open();
    finish.Wait();
    return json{{"ok", true}};
  })["id"];
  committed.Wait();
  try {
    q.Cancel(third, "ana", false);
    ADD_FAILURE() << "cancelled after the point of no return";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 409);
    EXPECT_EQ(e.code, "TOO_LATE");
  }
  finish.Open();
  WaitFor(q, third, "succeeded");
  try {
    q.Cancel(third, "ana", false);
    ADD_FAILURE() << "cancelled a finished job";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, "TOO_LATE");
    EXPECT_NE(e.message.find("finished"), std::string::npos);
  }
}

TEST(JobQueue, FailuresCarryTheirCodeAndMessage) {
  JobQueue q({.threads = 1});
  const std::string id = q.Submit("x", "ana", [](JobControl&) -> json {
    throw ApiError(400, "MALFORMED_CSV", "line 3: a bad quote", {{"line", 3}});
  })["id"];
  json failed = WaitFor(q, id, "failed");
  EXPECT_EQ(failed["error"]["code"], "MALFORMED_CSV");
  EXPECT_EQ(failed["error"]["message"], "line 3: a bad quote");
  EXPECT_EQ(failed["error"]["status"], 400);
  EXPECT_EQ(failed["error"]["line"], 3);
}

TEST(JobQueue, LimitsActiveJobsPerUserAndFinishedJobsKept) {
  JobQueue q({.threads = 1, .active_per_user_max = 2, .finished_kept_max = 3});
  Latch go;
  for (int i = 0; i < 2; ++i)
    q.Submit("w", "ana", [&](JobControl&) {
      go.Wait();
      return json();
    });
  try {
    q.Submit("w", "ana", [](JobControl&) { return json(); });
    ADD_FAILURE() << "a third active job was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.code, "TOO_MANY_JOBS");
  }
  // Another user is not held up by ana's.
  const std::string bens = q.Submit("w", "ben", [](JobControl&) { return json(); })["id"];
  go.Open();
  WaitFor(q, bens, "succeeded");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(q.Submit("w", "ana", [](JobControl&) { return json(); })["id"]);
    WaitFor(q, ids.back(), "succeeded");
  }
  EXPECT_EQ(q.List("", true).size(), 3u);  // the newest finished ones
  EXPECT_FALSE(q.Get(ids[0], "ana", false));
  EXPECT_TRUE(q.Get(ids[4], "ana", false));
}

TEST(JobQueue, UsersSeeTheirOwnJobsAndAdminsAll) {
  JobQueue q({.threads = 1});
  const std::string id = q.Submit("w", "ana", [](JobControl&) { return json(); })["id"];
  WaitFor(q, id, "succeeded");
  EXPECT_TRUE(q.Get(id, "ana", false));
  EXPECT_FALSE(q.Get(id, "ben", false));
  EXPECT_FALSE(q.Cancel(id, "ben", false));
  EXPECT_TRUE(q.Get(id, "ben", true));
  EXPECT_EQ(q.List("ben", false).size(), 0u);
  EXPECT_EQ(q.List("ana", false).size(), 1u);
}

TEST(JobQueue, StoppingCancelsQueuedJobsAndRefusesNewOnes) {
  auto q = std::make_unique<JobQueue>(JobLimits{.threads = 1, .active_per_user_max = 5});
  Latch started, go;
  const std::string running = q->Submit("w", "ana", [&](JobControl&) {
    started.Open();
    go.Wait();
    return json();
  })["id"];
  const std::string queued = q->Submit("w", "ana", [](JobControl&) { return json(); })["id"];
  started.Wait();
  std::thread stopper([&] { q->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  go.Open();
  stopper.join();
  EXPECT_EQ((*q->Get(queued, "", true))["state"], "cancelled");
  EXPECT_EQ((*q->Get(running, "", true))["state"], "succeeded");
  EXPECT_THROW(q->Submit("w", "ana", [](JobControl&) { return json(); }), ApiError);
}

}  // namespace
}  // namespace quantatom::server
