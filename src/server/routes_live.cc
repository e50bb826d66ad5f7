// GET /api/live: the WebSocket of live updates (live_hub.h). The upgrade
// goes through the dispatcher like any request, so it is authenticated,
// counted and logged the same way; this route accepts it with a 101.
#include "server/live_hub.h"

namespace quantatom::server {

void AddLiveRoute(Router& router, ServerContext& ctx, const LiveHub& hub) {
  router.Add({"GET",
              "/api/live",
              "WebSocket of live updates: subscribe to cubes, receive their changes "
              "(docs/api.md, \"Live updates\")",
              true,
              false,
              {"access_token"},
              false,
              [&ctx, &hub](HttpRequest& req, const Principal&) {
                if (!req.websocket_upgrade)
                  throw ApiError(426, "UPGRADE_REQUIRED",
                                 "/api/live is a WebSocket: send an upgrade request");
                if (hub.connections() >= ctx.limits.live_connections_max)
                  throw ApiError(503, "TOO_MANY_CONNECTIONS",
                                 "the server has reached its live connection limit; retry later");
                HttpResponse accepted;
                accepted.status = 101;
                return accepted;
              },
              101});
}

}  // namespace quantatom::server
