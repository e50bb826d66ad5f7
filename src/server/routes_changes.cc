// The change feed: committed transactions after a sequence number.
#include "server/routes.h"

namespace quantatom::server {
namespace {

json TransactionJson(const ServerContext& ctx, const Transaction& t) {
  json deltas = json::array();
  auto cube = t.cube.empty() ? nullptr : ctx.db.FindCube(t.cube);
  size_t shown = cube ? std::min(t.deltas.size(), ctx.limits.deltas_per_transaction_max) : 0;
  auto value = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  for (size_t i = 0; i < shown; ++i)
    deltas.push_back({{"cell", CellNames(*cube, t.deltas.coordinate(i))},
                      {"old_value", value(t.deltas.old_value(i))},
                      {"new_value", value(t.deltas.new_value(i))}});
  return {{"sequence", t.sequence},
          {"time_us", t.time_us},
          {"user", t.user},
          {"kind", OperationKindName(t.kind)},
          {"cube", t.cube},
          {"client_txn_id", t.client_txn_id},
          {"deltas_count", t.deltas.size()},
          {"deltas", deltas},
          {"deltas_omitted", t.deltas.size() - shown}};
}

}  // namespace

void AddChangeRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/changes",
              "Committed transactions after sequence `after`, oldest first, at most `max`",
              true,
              false,
              {"after", "max"},
              false,
              [&ctx](HttpRequest& req, const Principal&) {
                uint64_t after = UnsignedQuery(req, "after", 0);
                uint64_t max = UnsignedQuery(req, "max", 100);
                if (max == 0 || max > ctx.limits.changes_per_request_max)
                  throw ApiError(
                      400, "INVALID_ARGUMENT",
                      "'max': from 1 to " + std::to_string(ctx.limits.changes_per_request_max));
                uint64_t last = ctx.db.last_sequence();
                auto txns = ValueOrThrow(ctx.db.ChangesSince(after, max));
                json out = json::array();
                for (const Transaction& t : txns) out.push_back(TransactionJson(ctx, t));
                return JsonResponse(
                    200, {{"after", after}, {"last_sequence", last}, {"transactions", out}});
              }});
}

}  // namespace quantatom::server
