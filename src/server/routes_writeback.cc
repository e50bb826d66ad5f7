// Writeback over HTTP: spreads (with the TM1 shorthand), slice copies and
// clears, allocations (docs/writeback.md). Each is one durable transaction,
// refused whole when the principal may not write a cell it would change or
// read a cell it reads.
#include <map>

#include "server/access_guard.h"
#include "writeback/slice_plan.h"

namespace quantatom::server {
namespace {

using security::Access;

Coordinate CellOf(const Cube& cube, const security::CubeAccess& access, const json& names,
                  const std::string& where) {
  if (!names.is_array())
    throw ApiError(400, "INVALID_ARGUMENT", where + ": expected an array of member names");
  std::vector<std::string> list;
  for (const json& n : names) {
    if (!n.is_string()) throw ApiError(400, "INVALID_ARGUMENT", where + ": expected strings");
    list.push_back(n.get<std::string>());
  }
  auto cell = ResolveVisible(cube, access, list);
  if (!cell.ok()) {
    ApiError e = ErrorOf(cell.status());
    e.message = where + ": " + e.message;
    throw e;
  }
  return std::move(*cell);
}

std::vector<Coordinate> CellsOf(const ServerContext& ctx, const Cube& cube,
                                const security::CubeAccess& access, const json& body,
                                const char* name, bool required) {
  const json* cells = Member(body, name);
  if (!cells) {
    if (required)
      throw ApiError(400, "INVALID_ARGUMENT", std::string("'") + name + "' is required");
    return {};
  }
  if (!cells->is_array())
    throw ApiError(400, "INVALID_ARGUMENT", std::string("'") + name + "': expected an array");
  if (cells->size() > ctx.limits.cells_per_request_max)
    throw ApiError(413, "TOO_MANY_CELLS",
                   std::string("'") + name + "': " + std::to_string(cells->size()) +
                       " cells, at most " + std::to_string(ctx.limits.cells_per_request_max));
  std::vector<Coordinate> out;
  for (size_t i = 0; i < cells->size(); ++i)
    out.push_back(
        CellOf(cube, access, (*cells)[i], std::string(name) + "[" + std::to_string(i) + "]"));
  return out;
}

// Members named per dimension, each visible to the principal: a hidden one
// is answered as an unknown one (404), so names cannot be probed.
MemberChoice ChoiceOf(const Cube& cube, const security::CubeAccess& access, const json& body,
                      const char* name, bool required) {
  const json* m = Member(body, name);
  if (!m) {
    if (required)
      throw ApiError(400, "INVALID_ARGUMENT", std::string("'") + name + "' is required");
    return {};
  }
  if (!m->is_object())
    throw ApiError(400, "INVALID_ARGUMENT",
                   std::string("'") + name + "': expected {\"dimension\": \"member\", ...}");
  MemberChoice out;
  for (auto& [dim, member] : m->items()) {
    if (!member.is_string())
      throw ApiError(400, "INVALID_ARGUMENT",
                     std::string("'") + name + "." + dim + "': expected a member name");
    const std::string m = member.get<std::string>();
    if (auto d = cube.DimensionIndex(dim)) {
      auto id = cube.dimensions()[*d]->Find(m);
      if (id && !access.MemberVisible(*d, *id))
        throw ApiError(404, "NOT_FOUND",
                       std::string(name) + ": unknown member '" + m + "' of dimension '" +
                           cube.dimensions()[*d]->name() + "'");
    }
    out.push_back({dim, m});
  }
  return out;
}

double NumberMember(const json& body, const char* name, double fallback) {
  const json* m = Member(body, name);
  if (!m) return fallback;
  if (!m->is_number())
    throw ApiError(400, "INVALID_ARGUMENT", std::string("'") + name + "': expected a number");
  return m->get<double>();
}

int DecimalsOf(const json& body) {
  const json* m = Member(body, "decimals");
  if (!m) return -1;
  if (!m->is_number_integer())
    throw ApiError(400, "INVALID_ARGUMENT", "'decimals': expected an integer");
  return m->get<int>();
}

// What the principal may write and read, for the database's checks. The
// filters run on the commit thread, one call at a time.
WritebackAccess AccessFor(ServerContext& ctx, const Principal& p,
                          std::shared_ptr<const security::CubeAccess> target) {
  auto readable_cache =
      std::make_shared<std::map<const Cube*, std::shared_ptr<const security::CubeAccess>>>();
  WritebackAccess access;
  access.writable = [target](std::span<const MemberId> c) {
    return target->Cell(c) == Access::kWrite;
  };
  access.readable = [&ctx, p, readable_cache](const Cube& cube, std::span<const MemberId> c) {
    auto& a = (*readable_cache)[&cube];
    if (!a) a = AccessOf(ctx, p, cube);
    return a->Cell(c) >= Access::kRead;
  };
  return access;
}

struct Commit {
  std::optional<uint64_t> expected_sequence;
  std::string client_txn_id;
};

Commit CommitOf(const ServerContext& ctx, const json& body) {
  Commit c;
  if (Member(body, "expected_sequence"))
    c.expected_sequence = UnsignedMember(body, "expected_sequence", 0);
  c.client_txn_id = StringMember(body, "client_txn_id", false);
  if (c.client_txn_id.size() > ctx.limits.client_txn_id_bytes_max)
    throw ApiError(400, "INVALID_ARGUMENT",
                   "'client_txn_id': longer than " +
                       std::to_string(ctx.limits.client_txn_id_bytes_max) + " bytes");
  return c;
}

// Leaves beneath any of `cells`: a change there since expected_sequence is
// a conflict.
WrittenCell Beneath(const Cube& cube, const std::vector<Coordinate>& cells) {
  auto regions = std::make_shared<std::vector<std::vector<std::vector<uint8_t>>>>();
  for (const Coordinate& c : cells) {
    std::vector<std::vector<uint8_t>> flags;
    for (size_t d = 0; d < c.size(); ++d) {
      const Dimension& dim = *cube.dimensions()[d];
      std::vector<uint8_t> f(dim.size(), 0);
      for (const LeafWeight& lw : dim.leaf_weights(c[d])) f[dim.leaf_member(lw.leaf)] = 1;
      flags.push_back(std::move(f));
    }
    regions->push_back(std::move(flags));
  }
  return [regions](std::span<const MemberId> leaf) {
    for (const auto& r : *regions) {
      bool inside = true;
      for (size_t d = 0; d < r.size() && inside; ++d) inside = r[d][leaf[d]];
      if (inside) return true;
    }
    return false;
  };
}

// Leaves of a slice: a change there since expected_sequence is a conflict.
WrittenCell InSlice(const Cube& cube, const Slice& slice) {
  auto members = ValueOrThrow(ResolveSlice(cube, slice));
  auto flags = std::make_shared<std::vector<std::vector<uint8_t>>>(members.size());
  for (size_t d = 0; d < members.size(); ++d) {
    if (!members[d]) continue;  // every leaf
    const Dimension& dim = *cube.dimensions()[d];
    (*flags)[d].assign(dim.size(), 0);
    for (const LeafWeight& lw : dim.leaf_weights(*members[d]))
      (*flags)[d][dim.leaf_member(lw.leaf)] = 1;
  }
  return [flags](std::span<const MemberId> leaf) {
    for (size_t d = 0; d < flags->size(); ++d)
      if (!(*flags)[d].empty() && !(*flags)[d][leaf[d]]) return false;
    return true;
  };
}

HttpResponse Answer(const CommitResult& r) {
  return JsonResponse(
      200,
      {{"sequence", r.sequence}, {"atoms_changed", r.atoms_changed}, {"replayed", r.replayed}});
}

SpreadSpec SpecOf(const ServerContext& ctx, const Principal& p, const CubeAndAccess& target,
                  const json& body, SpreadDirections& directions) {
  SpreadSpec spec;
  if (const json* e = Member(body, "expression")) {
    if (!e->is_string()) throw ApiError(400, "INVALID_ARGUMENT", "'expression': expected a string");
    for (const char* other : {"method", "action", "value", "value2"})
      if (Member(body, other))
        throw ApiError(400, "INVALID_ARGUMENT",
                       std::string("'") + other + "' cannot be given beside 'expression'");
    SpreadExpression parsed = ValueOrThrow(ParseSpreadExpression(e->get<std::string>()));
    spec = parsed.spec;
    directions = parsed.directions;
  } else {
    const std::string method = StringMember(body, "method", true);
    auto m = ParseSpreadMethodName(method);
    if (!m)
      throw ApiError(400, "INVALID_ARGUMENT", "'method': unknown spread method '" + method + "'");
    spec.method = *m;
    const std::string action = StringMember(body, "action", false);
    if (action == "add") {
      spec.action = SpreadAction::kAdd;
    } else if (action == "subtract") {
      spec.action = SpreadAction::kSubtract;
    } else if (!action.empty() && action != "replace") {
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'action': expected \"replace\", \"add\" or \"subtract\"");
    }
    if (spec.method != SpreadMethod::kClear && !Member(body, "value"))
      throw ApiError(400, "INVALID_ARGUMENT", "'value' is required");
    spec.value = NumberMember(body, "value", 0);
    spec.value2 = NumberMember(body, "value2", 0);
  }
  spec.all_leaves = BoolMember(body, "all_leaves", false);
  spec.decimals = DecimalsOf(body);
  if (const json* ref = Member(body, "reference")) {
    if (!ref->is_object())
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'reference': expected {\"cube\": ..., \"members\": {...}}");
    RejectUnknownMembers(*ref, {"cube", "members"});
    const std::string cube = StringMember(*ref, "cube", false);
    CubeAndAccess reference = cube.empty() ? target : ReadableCubeOrThrow(ctx, p, cube);
    spec.reference =
        SpreadReference{cube, ChoiceOf(*reference.cube, *reference.access, *ref, "members", true)};
  }
  ThrowIfError(ValidateSpreadSpec(spec));
  return spec;
}

// The range typed into a view: the anchor cell and, with directions, the
// cells of the grid the principal sees from it to the edges.
std::vector<Coordinate> RangeInView(const Cube& cube,
                                    std::shared_ptr<const security::CubeAccess> access_ptr,
                                    const json& body, SpreadDirections directions) {
  const security::CubeAccess& access = *access_ptr;
  json view = *Member(body, "view");
  if (!view.is_object()) throw ApiError(400, "INVALID_ARGUMENT", "'view': expected a view object");
  view["cube"] = cube.name();
  ViewSpec spec = ValueOrThrow(ParseViewJson(view.dump()));
  spec.member_visible = MemberFilter(access_ptr);
  const bool suppress_rows = spec.suppress_empty_rows,
             suppress_columns = spec.suppress_empty_columns;
  spec.suppress_empty_rows = spec.suppress_empty_columns = false;
  RestrictedGrid g =
      RestrictGrid(ValueOrThrow(cube.Query(spec)), cube, access, suppress_rows, suppress_columns);
  const json* anchor = Member(body, "anchor");
  if (!anchor || !anchor->is_array() || anchor->size() != 2 || !(*anchor)[0].is_number_unsigned() ||
      !(*anchor)[1].is_number_unsigned())
    throw ApiError(400, "INVALID_ARGUMENT", "'anchor': expected [row, column] of the view's grid");
  const size_t row = (*anchor)[0].get<size_t>(), column = (*anchor)[1].get<size_t>();
  if (row >= g.grid.rows.size() || column >= g.grid.columns.size())
    throw ApiError(400, "INVALID_ARGUMENT",
                   "'anchor': the grid has " + std::to_string(g.grid.rows.size()) + " rows and " +
                       std::to_string(g.grid.columns.size()) + " columns");
  std::vector<Coordinate> cells;
  for (auto [r, c] :
       DirectionalRange(g.grid.rows.size(), g.grid.columns.size(), row, column, directions)) {
    Coordinate cell = g.grid.context;
    for (size_t k = 0; k < g.grid.row_dimensions.size(); ++k)
      cell[*cube.DimensionIndex(g.grid.row_dimensions[k])] = g.grid.rows[r][k].id;
    for (size_t k = 0; k < g.grid.column_dimensions.size(); ++k)
      cell[*cube.DimensionIndex(g.grid.column_dimensions[k])] = g.grid.columns[c][k].id;
    cells.push_back(std::move(cell));
  }
  return cells;
}

HttpResponse Spread(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  // Plain variables, not structured bindings: clang 14 lets no lambda capture those.
  const CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  const auto& cube = target.cube;  // named, not bound: clang 14 cannot capture bindings
  const auto& access = target.access;
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(
      body, {"cells", "view", "anchor", "expression", "method", "action", "value", "value2",
             "all_leaves", "decimals", "reference", "holds", "expected_sequence", "client_txn_id"});
  SpreadRequest r;
  SpreadDirections directions;
  r.spec = SpecOf(ctx, p, target, body, directions);
  if (Member(body, "cells") && Member(body, "view"))
    throw ApiError(400, "INVALID_ARGUMENT",
                   "give either 'cells' or 'view' with 'anchor', not both");
  if (Member(body, "view")) {
    r.cells = RangeInView(*cube, access, body, directions);
  } else {
    if (directions.any())
      throw ApiError(
          400, "INVALID_ARGUMENT",
          "the expression's directions need the 'view' and the 'anchor' it was typed at");
    r.cells = CellsOf(ctx, *cube, *access, body, "cells", true);
  }
  r.holds = CellsOf(ctx, *cube, *access, body, "holds", false);
  const Commit c = CommitOf(ctx, body);
  CommitResult result = CommitChecked(
      ctx, *cube, c.expected_sequence, {p.user, c.client_txn_id}, Beneath(*cube, r.cells), [&] {
        return ctx.db.Spread(cube->name(), r, {p.user, c.client_txn_id}, AccessFor(ctx, p, access));
      });
  return Answer(result);
}

HttpResponse Copy(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  const CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  const auto& cube = target.cube;
  const auto& access = target.access;
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(
      body, {"source", "target", "factor", "replace", "expected_sequence", "client_txn_id"});
  SliceCopy copy;
  copy.source.members = ChoiceOf(*cube, *access, body, "source", true);
  copy.target = ChoiceOf(*cube, *access, body, "target", true);
  copy.factor = NumberMember(body, "factor", 1);
  copy.replace = BoolMember(body, "replace", true);
  Slice target_slice = copy.source;
  for (const auto& choice : copy.target) {
    const std::string folded = FoldCase(choice.first);
    std::erase_if(target_slice.members, [&](const auto& m) { return FoldCase(m.first) == folded; });
    target_slice.members.push_back(choice);
  }
  const Commit c = CommitOf(ctx, body);
  CommitResult result =
      CommitChecked(ctx, *cube, c.expected_sequence, {p.user, c.client_txn_id},
                    InSlice(*cube, target_slice), [&] {
                      return ctx.db.CopySlice(cube->name(), copy, {p.user, c.client_txn_id},
                                              AccessFor(ctx, p, access));
                    });
  return Answer(result);
}

HttpResponse Clear(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  const CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  const auto& cube = target.cube;
  const auto& access = target.access;
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"slice", "expected_sequence", "client_txn_id"});
  Slice slice{ChoiceOf(*cube, *access, body, "slice", true)};
  const Commit c = CommitOf(ctx, body);
  CommitResult result = CommitChecked(
      ctx, *cube, c.expected_sequence, {p.user, c.client_txn_id}, InSlice(*cube, slice), [&] {
        return ctx.db.ClearSlice(cube->name(), slice, {p.user, c.client_txn_id},
                                 AccessFor(ctx, p, access));
      });
  return Answer(result);
}

HttpResponse Allocate(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  const CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  const auto& cube = target.cube;
  const auto& access = target.access;
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"amount", "source", "move_source", "targets", "driver_cube",
                              "driver_members", "decimals", "expected_sequence", "client_txn_id"});
  Allocation a;
  if (Member(body, "amount")) a.amount = NumberMember(body, "amount", 0);
  if (const json* source = Member(body, "source"))
    a.source = CellOf(*cube, *access, *source, "source");
  a.move_source = BoolMember(body, "move_source", false);
  a.targets.members = ChoiceOf(*cube, *access, body, "targets", true);
  a.driver_cube = StringMember(body, "driver_cube", false);
  // A hidden driver cube is 404 like one that does not exist.
  const CubeAndAccess driver = a.driver_cube.empty() ? CubeAndAccess{cube, access}
                                                     : ReadableCubeOrThrow(ctx, p, a.driver_cube);
  a.driver_members = ChoiceOf(*driver.cube, *driver.access, body, "driver_members", false);
  a.decimals = DecimalsOf(body);
  const Commit c = CommitOf(ctx, body);
  CommitResult result = CommitChecked(
      ctx, *cube, c.expected_sequence, {p.user, c.client_txn_id}, InSlice(*cube, a.targets), [&] {
        return ctx.db.Allocate(cube->name(), a, {p.user, c.client_txn_id},
                               AccessFor(ctx, p, access));
      });
  return Answer(result);
}

json MethodsJson() {
  json methods = json::array();
  const SpreadMethod all[] = {SpreadMethod::kProportional,
                              SpreadMethod::kEqual,
                              SpreadMethod::kRepeat,
                              SpreadMethod::kPercentChange,
                              SpreadMethod::kStraightLine,
                              SpreadMethod::kGrowth,
                              SpreadMethod::kRelativeProportional,
                              SpreadMethod::kRelativePercent,
                              SpreadMethod::kEqualLeaves,
                              SpreadMethod::kRepeatLeaves,
                              SpreadMethod::kClear};
  for (SpreadMethod m : all) {
    json params = json::array();
    switch (m) {
      case SpreadMethod::kClear:
        break;
      case SpreadMethod::kStraightLine:
        params = {"value", "value2"};  // start and end
        break;
      case SpreadMethod::kGrowth:
        params = {"value", "value2"};  // start and growth percentage
        break;
      default:
        params = {"value"};
    }
    const bool relative =
        m == SpreadMethod::kRelativeProportional || m == SpreadMethod::kRelativePercent;
    methods.push_back(
        {{"code", SpreadMethodCode(m)},
         {"name", SpreadMethodName(m)},
         {"parameters", params},
         {"range", !IsLeafMethod(m)},
         {"reference", relative},
         {"all_leaves", m == SpreadMethod::kEqualLeaves || m == SpreadMethod::kRepeatLeaves}});
  }
  return {{"methods", methods}, {"actions", {"replace", "add", "subtract"}}};
}

void AddCommitRoute(Router& router, const char* pattern, const char* summary,
                    std::function<HttpResponse(HttpRequest&, const Principal&)> handler) {
  Route r{"POST", pattern, summary, true, false, {}, true, std::move(handler)};
  r.commits = true;
  router.Add(std::move(r));
}

}  // namespace

void AddWritebackRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/spread/methods",
              "The spreading methods, their codes and parameters",
              true,
              false,
              {},
              false,
              [](HttpRequest&, const Principal&) { return JsonResponse(200, MethodsJson()); }});
  AddCommitRoute(router, "/api/cubes/{cube}/spread",
                 "Spread a value onto a cell or a range (a method or TM1 shorthand), as one "
                 "transaction",
                 [&ctx](HttpRequest& req, const Principal& p) { return Spread(ctx, req, p); });
  AddCommitRoute(router, "/api/cubes/{cube}/copy",
                 "Copy a slice onto another (a version, a year), optionally scaled",
                 [&ctx](HttpRequest& req, const Principal& p) { return Copy(ctx, req, p); });
  AddCommitRoute(router, "/api/cubes/{cube}/clear", "Empty every leaf of a slice",
                 [&ctx](HttpRequest& req, const Principal& p) { return Clear(ctx, req, p); });
  AddCommitRoute(router, "/api/cubes/{cube}/allocate",
                 "Allocate an amount over target leaves in proportion to driver cells",
                 [&ctx](HttpRequest& req, const Principal& p) { return Allocate(ctx, req, p); });
}

}  // namespace quantatom::server
