// Jobs over HTTP: an asynchronous bulk write answered 202 with its job,
// polled to its result; a cancel before its commit writes nothing; a
// failing one reports its error; admin snapshots and verifies as jobs; a
// job is its owner's (and admins') alone.
#include <chrono>
#include <thread>

#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerJobsTest : public ServerFixture {
 protected:
  HttpReply Bulk(const std::string& csv, const std::string& query, const std::string& token) {
    return client_->Request("POST", "/api/cubes/Sales/cells/bulk" + query, csv, token,
                            {{"Content-Type", "text/csv"}});
  }
  // Polls until the job has finished (up to two minutes: sanitizer builds
  // parse slowly).
  json Wait(const std::string& id, const std::string& token = "") {
    json job;
    for (int i = 0; i < 12000; ++i) {
      HttpReply r = client_->Get("/api/jobs/" + id, token.empty() ? token_ : token);
      EXPECT_EQ(r.status, 200) << r.body;
      job = r.Json();
      const std::string state = job.value("state", "");
      if (state != "queued" && state != "running") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "job " << id << " did not finish: " << job.dump();
    return job;
  }
};

TEST_F(ServerJobsTest, AsyncBulkWriteIsAJobWithTheAnswerAsItsResult) {
  HttpReply accepted = Bulk("Region,Month,Value\nEast,Feb,5\nWest,Feb,1\n", "?async=true", token_);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string id = accepted.Json()["id"];
  EXPECT_EQ(accepted.headers["location"], "/api/jobs/" + id);
  EXPECT_EQ(accepted.Json()["kind"], "bulk_write");
  json job = Wait(id);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["cells_written"], 2);
  EXPECT_EQ(job["result"]["sequence"], db_->last_sequence());
  EXPECT_EQ(Read("East", "Feb"), 5);
  HttpReply list = client_->Get("/api/jobs", token_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json()["jobs"][0]["id"], id);
  // Finished: too late to cancel.
  HttpReply late = client_->Request("POST", "/api/jobs/" + id + "/cancel", "", token_);
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.ErrorCode(), "TOO_LATE");
  EXPECT_EQ(client_->Request("POST", "/api/jobs/nothing/cancel", "", token_).status, 404);
  EXPECT_EQ(client_->Get("/api/jobs/nothing", token_).status, 404);
}

TEST_F(ServerJobsTest, AFailingJobReportsTheErrorItsRequestWouldHaveHad) {
  HttpReply accepted = Bulk("Region,Month,Value\nEast,Feb,5\nMars,Feb,1\n", "?async=true", token_);
  ASSERT_EQ(accepted.status, 202);
  json job = Wait(accepted.Json()["id"]);
  ASSERT_EQ(job["state"], "failed");
  EXPECT_EQ(job["error"]["code"], "UNKNOWN_MEMBER");
  EXPECT_EQ(job["error"]["status"], 404);
  EXPECT_EQ(job["error"]["cells_rejected"], 1);
  EXPECT_EQ(Read("East", "Feb"), std::nullopt);
  // Bad parameters are refused at once, without a job.
  EXPECT_EQ(Bulk("Region,Month,Value\n", "?async=yes", token_).status, 400);
  EXPECT_EQ(client_->Get("/api/jobs", token_).Json()["jobs"].size(), 1u);
}

TEST_F(ServerJobsTest, CancelBeforeTheCommitWritesNothing) {
  // Large enough that the parse takes far longer than the cancel request.
  std::string csv = "Region,Month,Value\n";
  csv.reserve(60 << 20);
  for (int i = 0; i < 3'000'000; ++i) csv += i % 2 ? "East,Jan,1.5\n" : "West,Feb,2.25\n";
  const uint64_t before = db_->last_sequence();
  HttpReply accepted = Bulk(csv, "?async=true", token_);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string id = accepted.Json()["id"];
  HttpReply cancel = client_->Request("POST", "/api/jobs/" + id + "/cancel", "", token_);
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_TRUE(cancel.Json()["cancel_requested"]);
  json job = Wait(id);
  EXPECT_EQ(job["state"], "cancelled") << job.dump();
  EXPECT_EQ(job["phase"], "cancelled");
  // The parse stopped at the cancel, before its end (it runs to 0.5).
  EXPECT_LT(job["progress"].get<double>(), 0.5) << job.dump();
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read("East", "Jan"), 10);
}

TEST_F(ServerJobsTest, SnapshotAndVerifyRunAsAdminJobs) {
  HttpReply snap = client_->Request("POST", "/api/admin/snapshot", "", token_);
  ASSERT_EQ(snap.status, 202) << snap.body;
  json done = Wait(snap.Json()["id"]);
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["result"]["sequence"], db_->last_sequence());
  EXPECT_EQ(db_->Health().snapshot_sequence, db_->last_sequence());
  HttpReply verify = client_->Request("POST", "/api/admin/verify", "", token_);
  ASSERT_EQ(verify.status, 202);
  json verified = Wait(verify.Json()["id"]);
  ASSERT_EQ(verified["state"], "succeeded") << verified.dump();
  EXPECT_EQ(verified["result"]["atoms"], 2);
  EXPECT_NE(verified["result"]["snapshot"].get<std::string>().find(".snap"), std::string::npos);
}

TEST_F(ServerJobsTest, AJobIsItsOwnersAndTheAdmins) {
  ASSERT_EQ(client_->Post("/api/roles", {{"name", "w"}}, token_).status, 201);
  ASSERT_EQ(
      client_->Request("PUT", "/api/roles/w/cubes/Sales", R"({"access": "WRITE"})", token_).status,
      200);
  for (const char* user : {"bob", "eve"}) {
    ASSERT_EQ(
        client_->Post("/api/users", {{"name", user}, {"password", "password-x"}}, token_).status,
        201);
    ASSERT_EQ(
        client_->Post(std::string("/api/users/") + user + "/roles", {{"role", "w"}}, token_).status,
        200);
  }
  const std::string bob = Login("bob", "password-x"), eve = Login("eve", "password-x");
  HttpReply accepted = Bulk("Region,Month,Value\nEast,Feb,5\n", "?async=true", bob);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string id = accepted.Json()["id"];
  Wait(id, bob);
  EXPECT_EQ(client_->Get("/api/jobs/" + id, eve).status, 404);
  EXPECT_EQ(client_->Request("POST", "/api/jobs/" + id + "/cancel", "", eve).status, 404);
  EXPECT_TRUE(client_->Get("/api/jobs", eve).Json()["jobs"].empty());
  EXPECT_EQ(client_->Get("/api/jobs/" + id, token_).status, 200);
  EXPECT_EQ(client_->Get("/api/jobs", token_).Json()["jobs"].size(), 1u);
}

}  // namespace
}  // namespace quantatom::testing
