// The one place routes ask what a principal may see or change. Every route
// that reveals or changes data goes through these, so a new route (a
// WebSocket push, a bulk write, an export) gets the same rules by calling
// them (docs/design/server.md, "Roles and grants").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "security/access.h"
#include "server/routes.h"

namespace quantatom::server {

struct CubeAndAccess {
  std::shared_ptr<Cube> cube;
  std::shared_ptr<const security::CubeAccess> access;
};

std::shared_ptr<const security::CubeAccess> AccessOf(const ServerContext& ctx, const Principal& p,
                                                     const Cube& cube);
// The cube named in a path when the principal may read some cell of it;
// otherwise 404 NOT_FOUND, as for a cube that does not exist, so hidden
// cubes cannot be told from absent ones.
CubeAndAccess ReadableCubeOrThrow(const ServerContext& ctx, const Principal& p,
                                  const std::string& name);
// Every cube the principal may read some cell of, in model order.
std::vector<CubeAndAccess> ReadableCubes(const ServerContext& ctx, const Principal& p);

// Which members of `dim` the principal sees: those visible in some readable
// cube using the dimension. nullopt: every member (an admin). An empty
// vector is no member at all (a dimension of no readable cube).
std::optional<std::vector<bool>> VisibleMembers(const ServerContext& ctx, const Principal& p,
                                                const Dimension& dim);

// A grid as a principal may see it, with an access string per row: a
// character per column, 'W' a leaf cell the principal may write, 'R'
// readable only, 'N' masked (its value emptied).
struct RestrictedGrid {
  Grid grid;
  std::vector<std::string> access;
};
// The principal's access to another cube (for cells rules read there).
using AccessToCube = std::function<std::shared_ptr<const security::CubeAccess>(const Cube&)>;
// A cell a rule computes is read-only ('R'), and masked unless every cell
// the rule reads for it is readable too (`other_cubes` gives the access to
// cells read in other cubes; unset: those are not checked).
RestrictedGrid RestrictGrid(Grid grid, const Cube& cube, const security::CubeAccess& access,
                            bool suppress_empty_rows, bool suppress_empty_columns,
                            const AccessToCube& other_cubes = nullptr);
// The principal's filter on names in a view or a bulk body: a member it
// cannot see is unknown, answered exactly as a member that does not exist
// (nullptr: it sees every member).
std::function<bool(size_t dimension, MemberId member)> MemberFilter(
    std::shared_ptr<const security::CubeAccess> access);
// Cube::Resolve as the principal may use it: a member it cannot see is
// 404 NOT_FOUND with the message of a member that does not exist.
Result<Coordinate> ResolveVisible(const Cube& cube, const security::CubeAccess& access,
                                  std::span<const std::string> names);

// Restricts a grid to what `access` allows: rows and columns holding a
// member that is not visible are omitted, cells without READ are emptied,
// then empty rows and columns are suppressed as the view asked (after the
// masking, so suppression cannot tell masked cells with values from empty
// ones). Returns the grid JSON with "access": one string per row, a
// character per column: 'W' a leaf cell the principal may write, 'R'
// readable only, 'N' masked (its value is null).
std::string RestrictedGridJson(Grid grid, const Cube& cube, const security::CubeAccess& access,
                               bool suppress_empty_rows, bool suppress_empty_columns,
                               const AccessToCube& other_cubes = nullptr);

// The answer to a view for the principal: its grid (as of ?as_of=N when
// asked) restricted by RestrictedGridJson, with X-Quantatom-Sequence. Names
// of members it cannot see are unknown to the view (MemberFilter).
// `read`, when given, reads the grid instead of the cube (a sandbox's).
HttpResponse GridResponse(ServerContext& ctx, const HttpRequest& req, const Principal& p,
                          const std::shared_ptr<Cube>& cube,
                          const std::shared_ptr<const security::CubeAccess>& access, ViewSpec view,
                          const std::function<Result<Grid>(const ViewSpec&)>& read = nullptr);

// A cell write's body: {"cells": [{"members": [...], "value": n | null}],
// "expected_sequence"?, "client_txn_id"?}, names resolved as the principal
// sees them; 400/404/413 for a bad one.
struct ParsedWrite {
  WriteBatch batch;
  std::optional<uint64_t> expected_sequence;
  std::string client_txn_id;
};
ParsedWrite ParseWrite(const ServerContext& ctx, const Cube& cube,
                       const security::CubeAccess& access, const std::string& text);

// 403 FORBIDDEN naming the cells (up to 100) of `batch` the principal may
// not write; returns when it may write them all. Call before committing.
void RequireWritable(const Cube& cube, const security::CubeAccess& access, const WriteBatch& batch);

// A committed transaction as the change feed (and any push of changes)
// shows it to the principal: only deltas of cells it may read, counted as
// such. nullopt when it may see nothing of it: a data transaction with no
// readable delta, or the creation of a cube it cannot read.
std::optional<json> VisibleTransactionJson(const ServerContext& ctx, const Principal& p,
                                           const Transaction& txn);

}  // namespace quantatom::server
