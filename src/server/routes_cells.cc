// Cells: a view's grid, atomic batch writes with optimistic concurrency, and
// a cell's history.
#include <set>

#include "load/csv.h"
#include "server/access_guard.h"

namespace quantatom::server {

HttpResponse GridResponse(ServerContext& ctx, const HttpRequest& req, const Principal& p,
                          const std::shared_ptr<Cube>& cube,
                          const std::shared_ptr<const security::CubeAccess>& access, ViewSpec view,
                          const std::function<Result<Grid>(const ViewSpec&)>& read) {
  // Names of members the principal cannot see are unknown to its view.
  view.member_visible = MemberFilter(access);
  // Empty rows and columns are suppressed after masking (RestrictedGridJson).
  const bool suppress_rows = view.suppress_empty_rows,
             suppress_columns = view.suppress_empty_columns;
  view.suppress_empty_rows = view.suppress_empty_columns = false;
  HttpResponse out;
  uint64_t sequence = 0;
  Grid grid;
  if (req.query.count("as_of")) {
    sequence = UnsignedQuery(req, "as_of", 0);
    if (sequence < ctx.db.CubeCreatedSequence(cube->name()))
      throw ApiError(
          404, "NOT_FOUND",
          "cube '" + cube->name() + "' did not exist at sequence " + std::to_string(sequence));
    grid = ValueOrThrow(ctx.db.QueryAsOf(view, sequence));
  } else {
    // Read before the query: the grid reflects at least this sequence.
    sequence = ctx.db.last_sequence();
    grid = ValueOrThrow(read ? read(view) : cube->Query(view));
  }
  out.body = RestrictedGridJson(std::move(grid), *cube, *access, suppress_rows, suppress_columns,
                                [&ctx, &p](const Cube& other) { return AccessOf(ctx, p, other); });
  out.headers.push_back({"X-Quantatom-Sequence", std::to_string(sequence)});
  return out;
}

namespace {

HttpResponse View(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  json body = ParseJsonObject(req.body);
  if (const json* named = Member(body, "cube")) {
    if (!named->is_string() || FoldCase(named->get<std::string>()) != FoldCase(cube->name()))
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'cube' in the body must be the cube of the path ('" + cube->name() + "')");
  }
  body["cube"] = cube->name();
  ViewSpec view = ValueOrThrow(ParseViewJson(body.dump()));
  return GridResponse(ctx, req, p, cube, access, std::move(view));
}

}  // namespace

ParsedWrite ParseWrite(const ServerContext& ctx, const Cube& cube,
                       const security::CubeAccess& access, const std::string& text) {
  json body = ParseJsonObject(text);
  RejectUnknownMembers(body, {"cells", "expected_sequence", "client_txn_id"});
  ParsedWrite w;
  if (Member(body, "expected_sequence"))
    w.expected_sequence = UnsignedMember(body, "expected_sequence", 0);
  w.client_txn_id = StringMember(body, "client_txn_id", false);
  if (w.client_txn_id.size() > ctx.limits.client_txn_id_bytes_max)
    throw ApiError(400, "INVALID_ARGUMENT",
                   "'client_txn_id': longer than " +
                       std::to_string(ctx.limits.client_txn_id_bytes_max) + " bytes");
  const json* cells = Member(body, "cells");
  if (!cells || !cells->is_array() || cells->empty())
    throw ApiError(400, "INVALID_ARGUMENT", "'cells': expected a non-empty array");
  if (cells->size() > ctx.limits.cells_per_request_max)
    throw ApiError(413, "TOO_MANY_CELLS",
                   "'cells': " + std::to_string(cells->size()) + " cells, at most " +
                       std::to_string(ctx.limits.cells_per_request_max) + " per request");
  for (size_t i = 0; i < cells->size(); ++i) {
    const json& cell = (*cells)[i];
    std::string where = "cells[" + std::to_string(i) + "]";
    if (!cell.is_object())
      throw ApiError(400, "INVALID_ARGUMENT",
                     where + ": expected {\"members\": [...], \"value\": ...}");
    RejectUnknownMembers(cell, {"members", "value"});
    const json* members = Member(cell, "members");
    const json* value = Member(cell, "value");
    if (!members || !members->is_array())
      throw ApiError(400, "INVALID_ARGUMENT", where + ".members: expected an array of names");
    std::vector<std::string> names;
    for (const json& m : *members) {
      if (!m.is_string())
        throw ApiError(400, "INVALID_ARGUMENT", where + ".members: expected strings");
      names.push_back(m.get<std::string>());
    }
    if (!value || !(value->is_number() || value->is_null()))
      throw ApiError(400, "INVALID_ARGUMENT", where + ".value: expected a number or null");
    auto coordinate = ResolveVisible(cube, access, names);
    if (!coordinate.ok()) {
      ApiError e = ErrorOf(coordinate.status());
      e.message = where + ": " + e.message;
      throw e;
    }
    if (value->is_null()) {
      w.batch.Clear(std::move(*coordinate));
    } else {
      w.batch.Set(std::move(*coordinate), value->get<double>());
    }
  }
  return w;
}

namespace {

// The cells `written` says are written that a transaction after `after`
// changed, the newest change of each. Empty also when a transaction after
// `after` carries `own_id`: then this is a retry of a committed write,
// which the database answers with its original result.
json FindConflicts(const ServerContext& ctx, const Cube& cube, const WrittenCell& written,
                   uint64_t after, const std::string& own_user, const std::string& own_id) {
  std::map<Coordinate, json> conflicts;
  const std::string cube_name = FoldCase(cube.name());
  const uint64_t created = ctx.db.CubeCreatedSequence(cube.name());
  for (uint64_t seen = after;;) {
    auto txns = ctx.db.ChangesSince(seen, 1024);
    if (!txns.ok() && txns.status().code() == StatusCode::kNotFound)
      throw ApiError(409, "SEQUENCE_TOO_OLD", txns.status().message());
    ThrowIfError(txns.status());
    if (txns->empty()) break;
    for (const Transaction& t : *txns) {
      seen = t.sequence;
      if (!own_id.empty() && t.client_txn_id == own_id && t.user == own_user) return json::array();
      if (t.sequence < created) continue;  // an earlier cube of this name
      ForEachCubeDeltas(t, [&](const std::string& name, const AtomDeltas& d) {
        if (FoldCase(name) != cube_name || d.dims() != cube.dimensions().size()) return;
        for (size_t i = 0; i < d.size(); ++i) {
          auto c = d.coordinate(i);
          if (!written(c)) continue;
          conflicts[Coordinate(c.begin(), c.end())] = {
              {"cell", CellNames(cube, c)},
              {"sequence", t.sequence},
              {"user", t.user},
              {"value", d.new_value(i) ? json(*d.new_value(i)) : json(nullptr)}};
        }
      });
    }
  }
  json out = json::array();
  for (auto& [atom, conflict] : conflicts) out.push_back(std::move(conflict));
  return out;
}

HttpResponse WriteCells(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  ParsedWrite w = ParseWrite(ctx, *cube, *access, req.body);
  // Before any conflict check: a 409 names other users' values.
  RequireWritable(*cube, *access, w.batch);
  std::set<Coordinate> written;
  if (w.expected_sequence)
    for (const auto& e : w.batch.entries()) written.insert(e.coordinate);
  CommitResult result = CommitChecked(
      ctx, *cube, w.expected_sequence, {p.user, w.client_txn_id},
      [&](std::span<const MemberId> c) { return written.count(Coordinate(c.begin(), c.end())); },
      [&, &cube = *cube] {
        return ctx.db.Write(cube.name(), w.batch, {p.user, w.client_txn_id});
      });
  return JsonResponse(200, {{"sequence", result.sequence},
                            {"atoms_changed", result.atoms_changed},
                            {"replayed", result.replayed}});
}

std::vector<std::string> CellParameter(const HttpRequest& req) {
  auto it = req.query.find("cell");
  if (it == req.query.end())
    throw ApiError(400, "INVALID_ARGUMENT", "query parameter 'cell' (M1,M2,...) is required");
  CsvReader csv(it->second, "cell");
  std::vector<CsvField> fields;
  Status status;
  csv.Next(fields, status);
  ThrowIfError(status);
  std::vector<std::string> names;
  for (CsvField& f : fields) names.push_back(std::move(f.text));
  return names;
}

HttpResponse History(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  Coordinate cell = ValueOrThrow(ResolveVisible(*cube, *access, CellParameter(req)));
  // A readable cell, leaf or consolidated, has only readable leaves beneath
  // it (the leaf cap), so each change listed below is readable too.
  if (access->Cell(cell) < security::Access::kRead)
    throw ApiError(403, "FORBIDDEN", "no read access to this cell");
  auto changes = ValueOrThrow(ctx.db.CellHistory(cube->name(), cell));
  size_t max = std::min<uint64_t>(UnsignedQuery(req, "max", ctx.limits.history_changes_max),
                                  ctx.limits.history_changes_max);
  size_t first = changes.size() > max ? changes.size() - max : 0;
  json out = json::array();
  auto value = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  for (size_t i = first; i < changes.size(); ++i) {
    const CellChange& c = changes[i];
    out.push_back({{"sequence", c.sequence},
                   {"time_us", c.time_us},
                   {"user", c.user},
                   {"kind", OperationKindName(c.kind)},
                   {"atom", CellNames(*cube, c.atom)},
                   {"old_value", value(c.old_value)},
                   {"new_value", value(c.new_value)},
                   {"weight", c.weight}});
  }
  return JsonResponse(200, {{"cube", cube->name()},
                            {"cell", CellNames(*cube, cell)},
                            {"changes_omitted", first},
                            {"changes", out}});
}

}  // namespace

CommitResult CommitChecked(ServerContext& ctx, const Cube& cube,
                           std::optional<uint64_t> expected_sequence, const CommitContext& own,
                           const WrittenCell& written,
                           const std::function<Result<CommitResult>()>& commit) {
  constexpr size_t kConflictsListedMax = 1000;
  Result<CommitResult> result = Status::Invalid("not committed");
  if (expected_sequence) {
    std::unique_lock lock(ctx.write_mu);
    uint64_t last = ctx.db.last_sequence();
    if (*expected_sequence > last)
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'expected_sequence' " + std::to_string(*expected_sequence) +
                         " is after the last committed sequence " + std::to_string(last));
    json conflicts =
        FindConflicts(ctx, cube, written, *expected_sequence, own.user, own.client_txn_id);
    if (!conflicts.empty()) {
      const size_t count = conflicts.size();
      if (count > kConflictsListedMax)
        conflicts.erase(conflicts.begin() + kConflictsListedMax, conflicts.end());
      throw ApiError(
          409, "CONFLICT",
          std::to_string(count) + " of the cells changed after sequence " +
              std::to_string(*expected_sequence),
          {{"conflicts", conflicts}, {"conflicts_count", count}, {"last_sequence", last}});
    }
    result = commit();
  } else {
    std::shared_lock lock(ctx.write_mu);
    result = commit();
  }
  return ValueOrThrow(std::move(result));
}

void AddCellRoutes(Router& router, ServerContext& ctx) {
  router.Add({"POST",
              "/api/cubes/{cube}/view",
              "The grid of a view (docs/view.md); as_of reads it as of a past sequence",
              true,
              false,
              {"as_of"},
              true,
              [&ctx](HttpRequest& req, const Principal& p) { return View(ctx, req, p); }});
  Route write{"POST",
              "/api/cubes/{cube}/cells",
              "Write leaf cells as one atomic, durable transaction; 409 when expected_sequence "
              "is stale for any of them",
              true,
              false,
              {},
              true,
              [&ctx](HttpRequest& req, const Principal& p) { return WriteCells(ctx, req, p); }};
  write.commits = true;
  router.Add(std::move(write));
  router.Add({"GET",
              "/api/cubes/{cube}/cells/history",
              "The transactions that changed a cell, oldest first",
              true,
              false,
              {"cell", "max"},
              false,
              [&ctx](HttpRequest& req, const Principal& p) { return History(ctx, req, p); }});
}

}  // namespace quantatom::server
