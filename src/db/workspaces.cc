// Users' workspaces: holds and sandboxes, and offline edits merged back.
// Every change is a logged transaction; a sandbox commit is planned on the
// commit thread against the base as it is right then.
#include <cmath>
#include <unordered_set>

#include "db/database_impl.h"
#include "db/workspace_log.h"
#include "model/cube_impl.h"
#include "rules/install.h"
#include "rules/sandbox_overlay.h"
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

// What ForEachLeafChange does with a transaction's deltas of the cube.
enum class Deltas { kVisit, kSkip, kStop };

// Calls `deltas_of(txn, d)` for each transaction after `since` that changed
// `cube` (d: its deltas there, in order) and, when it answers kVisit and d
// has the cube's dimensions, `leaf(txn, d, i, key)` for each delta at leaf
// members (deltas at members that are no longer leaves are skipped) until
// one returns false.
template <class DeltasOf, class Leaf>
Status ForEachLeafChange(const Database& db, const Cube& cube, uint64_t since, size_t page,
                         DeltasOf&& deltas_of, Leaf&& leaf) {
  const auto& dims = cube.dimensions();
  const std::string name = FoldCase(cube.name());
  LeafOrdinal leaves[kCubeDimensionsMax];
  bool stop = false;
  for (uint64_t seen = since; !stop;) {
    QA_ASSIGN_OR_RETURN(std::vector<Transaction> txns, db.ChangesSince(seen, page));
    if (txns.empty()) break;
    for (const Transaction& t : txns) {
      seen = t.sequence;
      ForEachCubeDeltas(t, [&](const std::string& cube_name, const AtomDeltas& d) {
        if (stop || FoldCase(cube_name) != name) return;
        const Deltas what = deltas_of(t, d);
        stop = what == Deltas::kStop;
        if (what != Deltas::kVisit || d.dims() != dims.size()) return;
        for (size_t i = 0; i < d.size() && !stop; ++i) {
          auto c = d.coordinate(i);
          bool is_leaf = true;
          for (size_t k = 0; k < dims.size() && is_leaf; ++k) {
            is_leaf = c[k] < dims[k]->size() && dims[k]->is_leaf(c[k]);
            if (is_leaf) leaves[k] = dims[k]->leaf_ordinal(c[k]);
          }
          if (is_leaf) stop = !leaf(t, d, i, cube.PackLeaves(leaves));
        }
      });
      if (stop) break;
    }
  }
  return Status::Ok();
}

// Per storage key of `cube` changed after `base`: its value then (the old
// value of the first change).
Result<std::unordered_map<uint64_t, MergeInput::BaseChange>> ChangedSince(const Database& db,
                                                                          const Cube& cube,
                                                                          uint64_t base) {
  std::unordered_map<uint64_t, MergeInput::BaseChange> out;
  QA_RETURN_IF_ERROR(ForEachLeafChange(
      db, cube, base, 1024, [](const Transaction&, const AtomDeltas&) { return Deltas::kVisit; },
      [&](const Transaction& t, const AtomDeltas& d, size_t i, uint64_t key) {
        auto [it, first] = out.try_emplace(key);
        if (first) it->second.before = d.old_value(i);
        it->second.sequence = t.sequence;
        it->second.user = t.user;
        return true;
      }));
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
        // Cells rules compute are refused as a write's are.
        QA_RETURN_IF_ERROR(cube->KeysOf(batch).status());
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

namespace {

// A view as text, for cache keys: every field that changes its grid.
std::string ViewKey(const ViewSpec& v) {
  std::string key = FoldCase(v.cube);
  auto axis = [&](const std::vector<AxisDimension>& a) {
    key += '\x1e';
    for (const AxisDimension& d : a) {
      key += FoldCase(d.dimension) + '\x1d' + char('0' + static_cast<int>(d.order));
      for (const std::string& m : d.members) key += '\x1f' + m;
      key += '\x1d';
    }
  };
  axis(v.rows);
  axis(v.columns);
  key += '\x1e';
  for (const auto& [d, m] : v.context) key += FoldCase(d) + '\x1f' + m + '\x1d';
  key += v.suppress_empty_rows ? 'R' : 'r';
  key += v.suppress_empty_columns ? 'C' : 'c';
  return key;
}

}  // namespace

struct Database::Impl::SandboxReads {
  std::mutex mu;               // one read at a time per sandbox
  const Cube* cube = nullptr;  // the cube the keys belong to (a structure change replaces it)
  uint64_t changed_at = UINT64_MAX;
  std::vector<SandboxCell> cells;
  std::unordered_set<uint64_t> keys;  // storage keys of `cells`
  struct Adjust {
    uint64_t sequence;  // valid as of here
    Cube::GridDelta delta;
  };
  static constexpr size_t kViewsMax = 64;
  std::unordered_map<std::string, Adjust> by_view;
};

namespace {

// Whether a transaction after `since` (up to what is visible) changed one
// of `keys` in `cube`. Past `deltas_max` deltas, assume it did.
Result<bool> Touched(const Database& db, const Cube& cube, const std::unordered_set<uint64_t>& keys,
                     uint64_t since) {
  constexpr size_t kDeltasMax = 100'000;
  size_t scanned = 0;
  bool touched = false;
  QA_RETURN_IF_ERROR(ForEachLeafChange(
      db, cube, since, 256,
      [&](const Transaction&, const AtomDeltas& d) {
        const bool decodable = d.dims() == cube.dimensions().size();
        if ((scanned += d.size()) <= kDeltasMax && decodable) return Deltas::kVisit;
        touched = true;
        return Deltas::kStop;
      },
      [&](const Transaction&, const AtomDeltas&, size_t, uint64_t key) {
        touched = keys.count(key) > 0;
        return !touched;
      }));
  return touched;
}

}  // namespace

Result<Grid> Database::QuerySandbox(const std::string& owner, const std::string& sandbox,
                                    const ViewSpec& view) const {
  std::shared_ptr<Cube> cube;
  uint64_t changed_at = 0;
  {
    std::shared_lock lock(impl_->structure_mu);
    const Sandbox* s = impl_->model.workspaces().FindSandbox(owner, sandbox);
    if (!s) return Status::NotFound("no sandbox '" + sandbox + "'");
    cube = impl_->model.FindCube(s->cube);
    if (!cube) return Status::NotFound("unknown cube '" + s->cube + "'");
    changed_at = s->changed_at;
  }
  if (FoldCase(view.cube) != FoldCase(cube->name()))
    return Status::Invalid("sandbox '" + sandbox + "' is over cube '" + cube->name() + "'");
  std::shared_ptr<Impl::SandboxReads> reads;
  {
    std::lock_guard lock(impl_->sandbox_reads_mu);
    auto& slot = impl_->sandbox_reads[owner + '\0' + FoldCase(sandbox)];
    if (!slot) slot = std::make_shared<Impl::SandboxReads>();
    reads = slot;
  }
  std::lock_guard lock(reads->mu);
  if (reads->changed_at != changed_at || reads->cube != cube.get()) {
    std::shared_lock structure(impl_->structure_mu);
    const Sandbox* s = impl_->model.workspaces().FindSandbox(owner, sandbox);
    if (!s) return Status::NotFound("no sandbox '" + sandbox + "'");
    reads->cells.clear();
    reads->keys.clear();
    LeafOrdinal leaves[kCubeDimensionsMax];
    for (const auto& [c, v] : s->cells) {
      reads->cells.push_back({c, v});
      for (size_t d = 0; d < c.size(); ++d) leaves[d] = cube->dimensions()[d]->leaf_ordinal(c[d]);
      reads->keys.insert(cube->PackLeaves(leaves));
    }
    reads->changed_at = s->changed_at;
    reads->cube = cube.get();
    reads->by_view.clear();
  }
  Result<Grid> out = Status::Invalid("not read");
  if (cube->impl().Rules()) {
    // What the rules compute follows the sandbox's cells and any base cell
    // they read: computed for each read, under one state of the base.
    std::shared_ptr<const rules::RuleSet> set;
    {
      std::shared_lock structure(impl_->structure_mu);
      set = impl_->model.rule_set();
    }
    ReadAtSequence([&](uint64_t) {
      auto overlay = set ? rules::OverlayWithRules(*set, *cube, reads->cells)
                         : Result<std::vector<SandboxCell>>(reads->cells);
      out = overlay.ok() ? cube->QueryWith(view, *overlay) : Result<Grid>(overlay.status());
    });
    return out;
  }
  // A view that filters member names per reader is not kept: the filter is
  // not part of the key.
  const std::string key = view.member_visible ? "" : ViewKey(view);
  ReadAtSequence([&](uint64_t at) {
    auto it = key.empty() ? reads->by_view.end() : reads->by_view.find(key);
    if (it != reads->by_view.end() && it->second.sequence != at) {
      auto touched = Touched(*this, *cube, reads->keys, it->second.sequence);
      if (!touched.ok() || *touched)
        reads->by_view.erase(it), it = reads->by_view.end();
      else
        it->second.sequence = at;
    }
    if (it == reads->by_view.end()) {
      auto delta = cube->OverlayDelta(view, reads->cells);
      if (!delta.ok()) {
        out = delta.status();
        return;
      }
      if (key.empty()) {
        out = cube->QueryAdjusted(view, *delta);
        return;
      }
      if (reads->by_view.size() >= Impl::SandboxReads::kViewsMax) reads->by_view.clear();
      it = reads->by_view.emplace(key, Impl::SandboxReads::Adjust{at, std::move(*delta)}).first;
    }
    out = cube->QueryAdjusted(view, it->second.delta);
  });
  return out;
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
    std::vector<uint64_t> keys;
    keys.reserve(plan.changes.size());
    for (const LeafChange& c : plan.changes) keys.push_back(c.key);
    QA_RETURN_IF_ERROR(rules::RefuseRuleCells(*m.cube, keys, "the commit"));
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
