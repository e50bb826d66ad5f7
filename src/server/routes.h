// What the route handlers share, and the functions that add each resource's
// routes to the table.
#pragma once

#include <mutex>
#include <shared_mutex>

#include "quantatom/database.h"
#include "server/auth.h"
#include "server/router.h"

namespace quantatom::server {

class JobQueue;

struct ServerLimits {
  size_t cells_per_request_max = 100'000;      // a larger write: 413 TOO_MANY_CELLS
  size_t changes_per_request_max = 10'000;     // transactions per /api/changes answer
  size_t deltas_per_transaction_max = 10'000;  // shown per transaction, the rest counted
  size_t members_per_request_max = 10'000;
  size_t history_changes_max = 10'000;  // newest changes of a cell shown
  size_t client_txn_id_bytes_max = 200;
  size_t grants_per_cube_max = 10'000;        // member grants of one role on one cube
  size_t holds_per_cube_max = 10'000;         // cells one user holds on one cube
  size_t bulk_cells_max = 20'000'000;         // cells of one bulk write: 413 TOO_MANY_CELLS
  size_t bulk_rejections_listed_max = 1'000;  // rejected cells named; the rest counted
  // Live updates (GET /api/live, live_hub.h); the WebSocket transport's own
  // limits (message size, queued messages) are in HttpLimits.
  size_t live_connections_max = 1'000;  // one more: 503 TOO_MANY_CONNECTIONS
  size_t live_subscriptions_per_connection_max = 100;
  // A subscription's `after` further back than this many transactions gets
  // a reload notice instead of the changes.
  size_t live_replay_transactions_max = 10'000;
  // Committed transactions waiting for the hub; past this many, a reload
  // notice takes each one's place until the hub catches up.
  size_t live_backlog_transactions_max = 100'000;
  // Members given in one POST /api/dimensions.
  size_t dimension_members_max = 1'000'000;
};

struct ServerContext {
  Database& db;
  Auth& auth;
  ServerLimits limits;
  // Writes with expected_sequence check for conflicts and commit under this
  // lock held exclusively; other writes hold it shared, so they still share
  // group commits with each other but cannot slip between a check and its
  // commit.
  std::shared_mutex write_mu;
  // Held by structure changes and by changes to grants, so that a grant
  // cannot name a member while it is deleted (structure_editor.h).
  std::mutex structure_mu;
  std::string data_dir;      // for POST /api/admin/verify
  JobQueue* jobs = nullptr;  // long operations (jobs.h)
};

void AddHealthRoutes(Router& router, ServerContext& ctx);
void AddAuthRoutes(Router& router, ServerContext& ctx);
void AddModelRoutes(Router& router, ServerContext& ctx);
void AddCellRoutes(Router& router, ServerContext& ctx);
void AddChangeRoutes(Router& router, ServerContext& ctx);
// Bulk writes of CSV or columnar JSON and streamed exports (routes_bulk.cc).
void AddBulkRoutes(Router& router, ServerContext& ctx);
void AddRoleRoutes(Router& router, ServerContext& ctx);
// Holds, sandboxes and offline edits (routes_workspaces.cc).
void AddWorkspaceRoutes(Router& router, ServerContext& ctx);
// Spreads, slice copies and clears, allocations (routes_writeback.cc).
void AddWritebackRoutes(Router& router, ServerContext& ctx);
// Creating and deleting dimensions and cubes (routes_structure.cc).
void AddStructureRoutes(Router& router, ServerContext& ctx);
// One member; adding, updating, moving and deleting members (routes_members.cc).
void AddMemberRoutes(Router& router, ServerContext& ctx);
// Saved views of a cube (routes_views.cc).
void AddViewRoutes(Router& router, ServerContext& ctx);
// Jobs, and the admin operations that run as jobs (routes_jobs.cc).
void AddJobRoutes(Router& router, ServerContext& ctx);
// GET and PUT /api/cubes/{cube}/rules (routes_rules.cc).
void AddRuleRoutes(Router& router, ServerContext& ctx);
// POST /api/transactions/{sequence}/undo (routes_undo.cc).
void AddUndoRoutes(Router& router, ServerContext& ctx);
// GET /metrics: the Prometheus exposition `render` gives (routes_metrics.cc).
void AddMetricsRoute(Router& router, std::function<std::string()> render);
// GET /api/openapi.json, generated from `router` itself (openapi.cc).
void AddOpenApiRoute(Router& router);
json OpenApiDocument(const Router& router);

// Whether a cell (leaf members in cube order) is among those a request writes.
using WrittenCell = std::function<bool(std::span<const MemberId>)>;
// Commits under ctx.write_mu. With `expected_sequence`, holds it
// exclusively and first refuses with 409 CONFLICT (naming up to 1,000 of
// the cells) when a transaction after that sequence changed a cell
// `written` says the request writes; a retry (own.client_txn_id committed
// by own.user) is not a conflict. Without, holds it shared so that plain
// writes share group commits.
CommitResult CommitChecked(ServerContext& ctx, const Cube& cube,
                           std::optional<uint64_t> expected_sequence, const CommitContext& own,
                           const WrittenCell& written,
                           const std::function<Result<CommitResult>()>& commit);

// Names of a leaf coordinate, in cube order.
json CellNames(const Cube& cube, std::span<const MemberId> coordinate);
// The cube named in the path, or 404 NOT_FOUND.
std::shared_ptr<Cube> CubeOrThrow(const Database& db, const std::string& name);

}  // namespace quantatom::server
