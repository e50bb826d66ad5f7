// The change feed: committed transactions after a sequence number.
#include "server/access_guard.h"

namespace quantatom::server {

void AddChangeRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/changes",
              "Committed transactions after sequence `after`, oldest first, at most `max`",
              true,
              false,
              {"after", "max"},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                uint64_t after = UnsignedQuery(req, "after", 0);
                uint64_t max = UnsignedQuery(req, "max", 100);
                if (max == 0 || max > ctx.limits.changes_per_request_max)
                  throw ApiError(
                      400, "INVALID_ARGUMENT",
                      "'max': from 1 to " + std::to_string(ctx.limits.changes_per_request_max));
                uint64_t last = ctx.db.last_sequence();
                auto txns = ValueOrThrow(ctx.db.ChangesSince(after, max));
                json out = json::array();
                for (const Transaction& t : txns)
                  if (auto shown = VisibleTransactionJson(ctx, p, t)) out.push_back(*shown);
                // Where the next poll starts: past transactions hidden from
                // this principal too, so it does not read them again.
                uint64_t next_after = txns.empty() ? after : txns.back().sequence;
                return JsonResponse(200, {{"after", after},
                                          {"last_sequence", last},
                                          {"next_after", next_after},
                                          {"transactions", out}});
              }});
}

}  // namespace quantatom::server
