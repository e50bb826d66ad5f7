// Users' workspaces: holds and sandboxes, and offline edits merged back.
// Every change is a logged transaction; a sandbox commit is planned on the
// commit thread against the base as it is right then.
#include <cmath>

#include "db/database_impl.h"
#include "db/workspace_log.h"
#include "writeback/merge_plan.h"

namespace quantatom {
namespace {

std::unique_ptr<CommitRequest> Alone(const CommitContext& ctx,
                                     std::function<Status(Transaction&, Overlay&)> prepare) {
  auto r = std::make_unique<CommitRequest>();
  r->context = ctx;
  r->alone = true;  // reads the model as it is: nothing of its group may be pending
  r->prepare = std::move(prepare);
  return r;
}

Status CheckCell(const Cube& cube, const Coordinate& c, bool leaf, const char* what) {
  const auto& dims = cube.dimensions();
  if (c.size() != dims.size())
    return Status::Invalid(std::string(what) + " of cube '" + cube.name() + "' needs " +
                           std::to_string(dims.size()) + " members");
  for (size_t d = 0; d < dims.size(); ++d) {
    if (c[d] >= dims[d]->size())
      return Status::NotFound(std::string(what) + ": member id " + std::to_string(c[d]) +
                              " is not in dimension '" + dims[d]->name() + "'");
    if (leaf && !dims[d]->is_leaf(c[d]))
      return Status::Precondition(std::string(what) + ": '" + dims[d]->member_name(c[d]) +
                                  "' is consolidated; only leaf cells can be written");
  }
  return Status::Ok();
}

// Per storage key of `cube` changed after `base`: its value then (the old
// value of the first change). Deltas at members that are no longer leaves
// cannot touch a sandbox cell and are skipped.
Result<std::unordered_map<uint64_t, std::optional<double>>> ChangedSince(const Database& db,
                                                                         const Cube& cube,
                                                                         uint64_t base) {
  std::unordered_map<uint64_t, std::optional<double>> out;
  const auto& dims = cube.dimensions();
  const std::string name = FoldCase(cube.name());
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (uint64_t seen = base;;) {
    QA_ASSIGN_OR_RETURN(std::vector<Transaction> txns, db.ChangesSince(seen, 1024));
    if (txns.empty()) break;
    for (const Transaction& t : txns) {
      seen = t.sequence;
      ForEachCubeDeltas(t, [&](const std::string& cube_name, const AtomDeltas& d) {
        if (FoldCase(cube_name) != name || d.dims() != dims.size()) return;
        for (size_t i = 0; i < d.size(); ++i) {
          auto c = d.coordinate(i);
          bool leaf = true;
          for (size_t k = 0; k < dims.size() && leaf; ++k) {
            leaf = c[k] < dims[k]->size() && dims[k]->is_leaf(c[k]);
            if (leaf) leaves[k] = dims[k]->leaf_ordinal(c[k]);
          }
          if (leaf) out.try_emplace(cube.PackLeaves(leaves), d.old_value(i));
        }
      });
    }
  }
  return out;
}

}  // namespace

Result<CommitResult> Database::SetHolds(const std::string& cube_name, std::vector<Coordinate> cells,
                                        const CommitContext& ctx) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  for (const Coordinate& c : cells) QA_RETURN_IF_ERROR(CheckCell(*cube, c, false, "a held cell"));
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  return impl_->Submit(Alone(ctx, [cube, cells, user = ctx.user](Transaction& txn, Overlay&) {
    txn.kind = OperationKind::kSetHolds;
    txn.parameters = SetHoldsParameters(user, cube->name(), cells);
    return Status::Ok();
  }));
}

std::vector<Coordinate> Database::Holds(const std::string& user, const std::string& cube) const {
  std::shared_lock lock(impl_->structure_mu);
  return impl_->model.workspaces().Holds(user, cube);
}

Result<CommitResult> Database::WriteSandbox(const std::string& sandbox,
                                            const std::string& cube_name, const WriteBatch& batch,
                                            const CommitContext& ctx) {
  if (sandbox.empty()) return Status::Invalid("a sandbox needs a name");
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  for (const auto& e : batch.entries()) {
    QA_RETURN_IF_ERROR(CheckCell(*cube, e.coordinate, true, "a sandbox cell"));
    if (e.value && !std::isfinite(*e.value))
      return Status::Invalid("a sandbox value must be a finite number");
  }
  Impl* impl = impl_.get();
  return impl->Submit(Alone(
      ctx, [impl, cube, &batch, sandbox, owner = ctx.user](Transaction& txn, Overlay&) -> Status {
        std::shared_lock lock(impl->structure_mu);
        const Sandbox* s = impl->model.workspaces().FindSandbox(owner, sandbox);
        if (s && FoldCase(s->cube) != FoldCase(cube->name()))
          return Status::Invalid("sandbox '" + sandbox + "' is over cube '" + s->cube + "', not '" +
                                 cube->name() + "'");
        const uint64_t base = s ? s->base_sequence : impl->visible_sequence.load();
        txn.kind = OperationKind::kSandboxWrite;
        txn.parameters = SandboxParameters(owner, s ? s->name : sandbox, cube->name(), base);
        txn.deltas = AtomDeltas(cube->dimensions().size());
        for (const auto& e : batch.entries()) {
          std::optional<double> before;
          if (s)
            if (auto it = s->cells.find(e.coordinate); it != s->cells.end()) before = it->second;
          txn.deltas.Add(e.coordinate.data(), before, e.value);
        }
        return Status::Ok();
      }));
}

std::optional<Sandbox> Database::FindSandbox(const std::string& owner,
                                             const std::string& sandbox) const {
  std::shared_lock lock(impl_->structure_mu);
  const Sandbox* s = impl_->model.workspaces().FindSandbox(owner, sandbox);
  return s ? std::optional<Sandbox>(*s) : std::nullopt;
}

std::vector<SandboxInfo> Database::Sandboxes(const std::string& owner) const {
  std::shared_lock lock(impl_->structure_mu);
  std::vector<SandboxInfo> out;
  for (const Sandbox* s : impl_->model.workspaces().SandboxesOf(owner))
    out.push_back({s->owner, s->name, s->cube, s->base_sequence, s->cells.size()});
  return out;
}

Result<Grid> Database::QuerySandbox(const std::string& owner, const std::string& sandbox,
                                    const ViewSpec& view) const {
  std::optional<Sandbox> s = FindSandbox(owner, sandbox);
  if (!s) return Status::NotFound("no sandbox '" + sandbox + "'");
  auto cube = impl_->LookupCube(s->cube);
  if (!cube) return Status::NotFound("unknown cube '" + s->cube + "'");
  if (FoldCase(view.cube) != FoldCase(cube->name()))
    return Status::Invalid("sandbox '" + sandbox + "' is over cube '" + cube->name() + "'");
  std::vector<SandboxCell> cells;
  cells.reserve(s->cells.size());
  for (auto& [c, v] : s->cells) cells.push_back({c, v});
  return cube->QueryWith(view, cells);
}

Result<CommitResult> Database::DiscardSandbox(const std::string& sandbox,
                                              const CommitContext& ctx) {
  if (!FindSandbox(ctx.user, sandbox)) return Status::NotFound("no sandbox '" + sandbox + "'");
  return impl_->Submit(Alone(ctx, [sandbox, owner = ctx.user](Transaction& txn, Overlay&) {
    txn.kind = OperationKind::kSandboxDiscard;
    txn.parameters = SandboxParameters(owner, sandbox, "", 0);
    return Status::Ok();
  }));
}

namespace {

struct PendingMerge {
  std::shared_ptr<Cube> cube;
  std::string owner, sandbox;  // sandbox "" for offline edits
  uint64_t base = 0;
  std::vector<SandboxCell> cells;
  ConflictPolicy policy;
  WritebackAccess access;
  MergeReport report;  // filled on the commit thread
};

// Plans and commits a merge on the commit thread: the conflicts and the
// changes are computed against the base right before the commit.
Result<MergeReport> SubmitMerge(Database::Impl& impl, const Database& db,
                                std::shared_ptr<PendingMerge> pending, const CommitContext& ctx) {
  auto done = impl.Submit(Alone(ctx, [&db, pending](Transaction& txn, Overlay&) -> Status {
    PendingMerge& m = *pending;
    MergeInput input{m.cells, {}};
    QA_ASSIGN_OR_RETURN(input.changed_since, ChangedSince(db, *m.cube, m.base));
    QA_ASSIGN_OR_RETURN(MergePlan plan, PlanMerge(*m.cube, input, m.policy));
    m.report.conflicts = std::move(plan.conflicts);
    m.report.refused = plan.refused;
    if (plan.refused)
      return Status::Precondition(std::to_string(m.report.conflicts.size()) +
                                  " cell(s) changed in the base since sequence " +
                                  std::to_string(m.base) + "; nothing was committed");
    QA_RETURN_IF_ERROR(CheckWritable(*m.cube, plan.changes, m.access.writable, "the commit"));
    m.report.cells_applied = plan.changes.size();
    txn.kind = OperationKind::kSandboxCommit;
    txn.cube = m.cube->name();
    txn.parameters =
        SandboxCommitParameters(m.owner, m.sandbox, m.base, ConflictPolicyName(m.policy),
                                plan.changes.size(), m.report.conflicts.size());
    txn.deltas = DeltasOf(*m.cube, plan.changes);
    return Status::Ok();
  }));
  if (!done.ok()) {
    if (pending->report.refused) return pending->report;
    return done.status();
  }
  pending->report.sequence = done->sequence;
  return pending->report;
}

}  // namespace

Result<MergeReport> Database::CommitSandbox(const std::string& sandbox, ConflictPolicy policy,
                                            const CommitContext& ctx,
                                            const WritebackAccess& access) {
  std::optional<Sandbox> s = FindSandbox(ctx.user, sandbox);
  if (!s) return Status::NotFound("no sandbox '" + sandbox + "'");
  auto cube = impl_->LookupCube(s->cube);
  if (!cube) return Status::NotFound("unknown cube '" + s->cube + "'");
  auto pending = std::make_shared<PendingMerge>();
  pending->cube = cube;
  pending->owner = ctx.user;
  pending->sandbox = s->name;
  pending->base = s->base_sequence;
  for (auto& [c, v] : s->cells) pending->cells.push_back({c, v});
  pending->policy = policy;
  pending->access = access;
  return SubmitMerge(*impl_, *this, pending, ctx);
}

Result<MergeReport> Database::MergeEdits(const std::string& cube_name, uint64_t base_sequence,
                                         std::vector<SandboxCell> edits, ConflictPolicy policy,
                                         const CommitContext& ctx, const WritebackAccess& access) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  if (base_sequence > last_sequence())
    return Status::Invalid("base sequence " + std::to_string(base_sequence) +
                           " is after the last committed one");
  std::map<Coordinate, std::optional<double>> last;  // an edit of a cell twice: the last wins
  for (SandboxCell& e : edits) {
    QA_RETURN_IF_ERROR(CheckCell(*cube, e.cell, true, "an edited cell"));
    if (e.value && !std::isfinite(*e.value))
      return Status::Invalid("an edited value must be a finite number");
    last[e.cell] = e.value;
  }
  auto pending = std::make_shared<PendingMerge>();
  pending->cube = cube;
  pending->owner = ctx.user;
  pending->base = base_sequence;
  for (auto& [c, v] : last) pending->cells.push_back({c, v});
  pending->policy = policy;
  pending->access = access;
  return SubmitMerge(*impl_, *this, pending, ctx);
}

}  // namespace quantatom
