// Jobs (jobs.h): their state, progress and outcome, cancelling them; and
// the admin operations that run as jobs: a snapshot and a verify.
#include "server/jobs.h"
#include "server/routes.h"

namespace quantatom::server {
namespace {

json SnapshotJson(const SnapshotReport& r) {
  return {{"sequence", r.sequence},
          {"file", r.file},
          {"bytes", r.bytes},
          {"segments_removed", r.segments_removed}};
}

json VerifyJson(const VerifyReport& r) {
  return {{"last_sequence", r.last_sequence},
          {"transactions_replayed", r.transactions_replayed},
          {"snapshot", r.snapshot},
          {"atoms", r.atoms},
          {"warnings", r.warnings}};
}

// 202 with the job, and where to poll it.
HttpResponse Accepted(const json& job) {
  HttpResponse out = JsonResponse(202, job);
  out.headers.push_back({"Location", "/api/jobs/" + job["id"].get<std::string>()});
  return out;
}

// A job whose one step cannot be stopped once begun: cancellable while
// queued only.
HttpResponse SubmitOneStep(ServerContext& ctx, const Principal& p, const std::string& kind,
                           std::function<json()> step) {
  return Accepted(ctx.jobs->Submit(kind, p.user, [kind, step](JobControl& control) {
    control.Phase(kind, 0);
    if (!control.PassPointOfNoReturn()) throw JobCancelled{};
    return step();
  }));
}

Route AdminJob(const std::string& pattern, const std::string& summary, Handler handler) {
  Route r{"POST", pattern, summary, true, true, {}, false, std::move(handler), 202};
  return r;
}

}  // namespace

void AddJobRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/jobs",
              "Your jobs (every job for an admin), newest first",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal& p) {
                return JsonResponse(200, {{"jobs", ctx.jobs->List(p.user, p.admin)}});
              }});
  router.Add({"GET",
              "/api/jobs/{id}",
              "A job: kind, state, phase and progress, result or error, times",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                const std::string& id = req.path_params.at("id");
                auto job = ctx.jobs->Get(id, p.user, p.admin);
                if (!job) throw ApiError(404, "NOT_FOUND", "unknown job '" + id + "'");
                return JsonResponse(200, *job);
              }});
  router.Add({"POST",
              "/api/jobs/{id}/cancel",
              "Cancel a job before its point of no return (409 TOO_LATE after it)",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                const std::string& id = req.path_params.at("id");
                auto job = ctx.jobs->Cancel(id, p.user, p.admin);
                if (!job) throw ApiError(404, "NOT_FOUND", "unknown job '" + id + "'");
                return JsonResponse(200, *job);
              }});
  router.Add(AdminJob(
      "/api/admin/snapshot", "Write a snapshot of the data directory, as a job (admin)",
      [&ctx](HttpRequest&, const Principal& p) {
        return SubmitOneStep(ctx, p, "snapshot",
                             [&ctx] { return SnapshotJson(ValueOrThrow(ctx.db.Snapshot())); });
      }));
  router.Add(AdminJob(
      "/api/admin/verify",
      "Verify the data directory (checksums, hash chain, snapshot against the log), as a job "
      "(admin)",
      [&ctx](HttpRequest&, const Principal& p) {
        return SubmitOneStep(ctx, p, "verify", [&ctx] {
          return VerifyJson(ValueOrThrow(Database::Verify(ctx.data_dir)));
        });
      }));
}

}  // namespace quantatom::server
