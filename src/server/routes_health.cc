// /healthz: the process answers. /readyz: it can serve the model and take writes.
#include "server/routes.h"

namespace quantatom::server {

void AddHealthRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/healthz",
              "The process is alive",
              false,
              false,
              {},
              false,
              [](HttpRequest&, const Principal&) {
                return JsonResponse(200, {{"status", "ok"}});
              }});
  router.Add({"GET",
              "/readyz",
              "The database is open, accepts writes and its background snapshots succeed",
              false,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal&) {
                DatabaseHealth h = ctx.db.Health();
                if (h.writes_refused)
                  return ErrorResponse(
                      503, "NOT_READY",
                      "the log refuses writes after a failed fsync (a write's outcome "
                      "is unknown); restart the server");
                if (!h.snapshot_status.ok())
                  return ErrorResponse(503, "NOT_READY", h.snapshot_status.ToString());
                return JsonResponse(200, {{"status", "ready"}, {"last_sequence", h.last_sequence}});
              }});
}

}  // namespace quantatom::server
