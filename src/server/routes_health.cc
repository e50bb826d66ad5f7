// /healthz: the process answers. /readyz: it can serve the model.
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
  router.Add(
      {"GET",
       "/readyz",
       "The database is open and its background snapshots succeed",
       false,
       false,
       {},
       false,
       [&ctx](HttpRequest&, const Principal&) {
         Status s = ctx.db.snapshot_status();
         if (!s.ok()) return ErrorResponse(503, "NOT_READY", s.ToString());
         return JsonResponse(200, {{"status", "ready"}, {"last_sequence", ctx.db.last_sequence()}});
       }});
}

}  // namespace quantatom::server
