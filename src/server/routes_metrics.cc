// /metrics: Prometheus scrapes it with a token like any client (an API
// token as its bearer token), since only health and login are public. For
// admins only: it names every cube and counts its atoms, which a user
// without access to a cube must not learn.
#include "server/routes.h"

namespace quantatom::server {

void AddMetricsRoute(Router& router, std::function<std::string()> render) {
  router.Add({"GET",
              "/metrics",
              "Prometheus metrics: requests by route, cube atoms, log lag, snapshot age",
              true,
              true,
              {},
              false,
              [render = std::move(render)](HttpRequest&, const Principal&) {
                HttpResponse out;
                out.body = render();
                out.content_type = "text/plain; version=0.0.4; charset=utf-8";
                return out;
              }});
}

}  // namespace quantatom::server
