// The log as audit trail: cell history, time travel and undo.
#include <unordered_map>

#include "db/database_impl.h"
#include "db/rebuild.h"
#include "rules/install.h"

namespace quantatom {
namespace {

// Every transaction of the log, oldest first (including those a snapshot covers).
Status ForEachLogged(const Database::Impl& impl,
                     const std::function<Status(const Transaction&)>& fn) {
  ReplayOptions options;
  options.repair_torn_tail = false;
  options.require_from_snapshot = false;  // a truncated log has a shorter history
  const uint64_t visible = impl.visible_sequence;
  return impl.log
      ->Replay(options, [&](const Transaction& t,
                            const Hash&) { return t.sequence <= visible ? fn(t) : Status::Ok(); })
      .status();
}

// The weight of `leaf_members` in `cell`, or nullopt when not beneath it.
// An atom logged at a member that is no longer a leaf (its data removed
// when it got children) is in its own cell with weight 1.
std::optional<double> WeightIn(const Cube& cube, const Coordinate& cell,
                               std::span<const MemberId> leaf_members) {
  double weight = 1;
  for (size_t d = 0; d < cell.size(); ++d) {
    const Dimension& dim = *cube.dimensions()[d];
    if (leaf_members[d] >= dim.size()) return std::nullopt;
    if (cell[d] == leaf_members[d]) continue;
    auto w = dim.WeightOf(cell[d], dim.leaf_ordinal(leaf_members[d]));
    if (!w) return std::nullopt;
    weight *= *w;
  }
  return weight;
}

}  // namespace

Result<std::vector<CellChange>> Database::CellHistory(const std::string& cube_name,
                                                      const Coordinate& cell) const {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  QA_RETURN_IF_ERROR(cube->ReadCell(cell).status());  // checks the coordinate
  // Transactions before the cube's creation wrote to an earlier cube of its name.
  const uint64_t created = CubeCreatedSequence(cube_name);
  const std::string folded = FoldCase(cube->name());
  std::vector<CellChange> out;
  QA_RETURN_IF_ERROR(ForEachLogged(*impl_, [&](const Transaction& t) {
    if (t.sequence < created) return Status::Ok();
    ForEachCubeDeltas(t, [&](const std::string& name, const AtomDeltas& deltas) {
      if (FoldCase(name) != folded || deltas.dims() != cell.size()) return;
      for (size_t i = 0; i < deltas.size(); ++i) {
        auto atom = deltas.coordinate(i);
        auto weight = WeightIn(*cube, cell, atom);
        if (!weight) continue;
        out.push_back({t.sequence, t.time_us, t.user, t.kind, Coordinate(atom.begin(), atom.end()),
                       deltas.old_value(i), deltas.new_value(i), *weight});
      }
    });
    return Status::Ok();
  }));
  return out;
}

Result<Grid> Database::QueryAsOf(const ViewSpec& view, uint64_t sequence) const {
  if (sequence > impl_->visible_sequence)
    return Status::Invalid("sequence " + std::to_string(sequence) +
                           " is after the last committed one (" +
                           std::to_string(impl_->visible_sequence) + ")");
  // Rebuilt aside from the newest snapshot at or before `sequence` plus the log.
  QA_ASSIGN_OR_RETURN(
      Rebuilt past, RebuildModel(impl_->env, impl_->dir, *impl_->log, sequence, /*repair=*/false));
  if (past.state.sequence != sequence)
    return Status::NotFound("the log no longer holds sequence " + std::to_string(sequence) +
                            " (truncated)");
  QA_ASSIGN_OR_RETURN(auto cube, past.model.GetCube(view.cube));
  return cube->Query(view);
}

Result<uint64_t> Database::SequenceAt(int64_t time_us) const {
  uint64_t found = 0;
  QA_RETURN_IF_ERROR(ForEachLogged(*impl_, [&](const Transaction& t) {
    if (t.time_us <= time_us) found = t.sequence;
    return Status::Ok();
  }));
  return found;
}

Result<CommitResult> Database::Undo(uint64_t sequence, const CommitContext& ctx) {
  std::optional<Transaction> target;
  QA_RETURN_IF_ERROR(ForEachLogged(*impl_, [&](const Transaction& t) {
    if (t.sequence == sequence) target = t;
    return Status::Ok();
  }));
  if (!target)
    return Status::NotFound("no transaction " + std::to_string(sequence) + " in the log");
  if (IsStructureChange(target->kind))
    return Status::Precondition("transaction " + std::to_string(sequence) +
                                " changed the structure; only data changes can be undone");
  if (IsPrivateChange(target->kind))
    return Status::Precondition("transaction " + std::to_string(sequence) +
                                " changed holds or a sandbox; only data changes can be undone");
  if (target->sequence < CubeCreatedSequence(target->cube))
    return Status::NotFound("transaction " + std::to_string(sequence) +
                            " changed an earlier cube named '" + target->cube + "', deleted since");
  auto original = std::make_shared<Transaction>(std::move(*target));
  auto request = std::make_unique<CommitRequest>();
  request->context = ctx;
  Impl* impl = impl_.get();
  request->prepare = [impl, original](Transaction& txn, Overlay& overlay) {
    // The cube as it is now: its members may have changed since.
    auto cube = impl->LookupCube(original->cube);
    if (!cube) return Status::NotFound("unknown cube '" + original->cube + "'");
    const AtomDeltas& d = original->deltas;
    if (d.size() > 0 && d.dims() != cube->dimensions().size())
      return Status::NotFound("transaction " + std::to_string(original->sequence) +
                              " changed an earlier cube named '" + original->cube + "'");
    std::vector<uint64_t> keys;
    std::vector<LeafOrdinal> leaves(d.dims());
    for (size_t i = 0; i < d.size(); ++i) {
      auto c = d.coordinate(i);
      for (size_t k = 0; k < c.size(); ++k) {
        const Dimension& dim = *cube->dimensions()[k];
        if (c[k] >= dim.size() || !dim.is_leaf(c[k]))
          return Status::Precondition(
              "cannot undo transaction " + std::to_string(original->sequence) + ": member '" +
              (c[k] < dim.size() ? dim.member_name(c[k]) : std::to_string(c[k])) +
              "' of dimension '" + dim.name() + "' " +
              (c[k] < dim.size() && dim.deleted(c[k]) ? "was deleted" : "is no longer a leaf") +
              " since");
        leaves[k] = dim.leaf_ordinal(c[k]);
      }
      keys.push_back(cube->PackLeaves(leaves.data()));
    }
    QA_RETURN_IF_ERROR(rules::RefuseRuleCells(
        *cube, keys, "undoing transaction " + std::to_string(original->sequence)));
    auto current = cube->ReadAtoms(keys);
    auto& pending = overlay[cube->name()];
    txn.kind = OperationKind::kUndo;
    txn.cube = cube->name();
    txn.parameters = "{\"undoes\": " + std::to_string(original->sequence) + "}";
    txn.deltas = AtomDeltas(d.dims());
    std::string conflicts;
    for (size_t i = 0; i < d.size(); ++i) {
      auto it = pending.find(keys[i]);
      std::optional<double> now = it != pending.end() ? it->second : current[i];
      if (now != d.new_value(i)) {
        std::string cell;
        for (size_t k = 0; k < d.dims(); ++k)
          cell += (k ? "," : "") + cube->dimensions()[k]->member_name(d.coordinate(i)[k]);
        if (conflicts.size() < 400) conflicts += (conflicts.empty() ? "" : "; ") + cell;
        continue;
      }
      txn.deltas.Add(d.coordinate(i).data(), now, d.old_value(i));
    }
    if (!conflicts.empty())
      return Status::Precondition("cannot undo transaction " + std::to_string(original->sequence) +
                                  ": changed since by later transactions: " + conflicts);
    for (size_t i = 0; i < d.size(); ++i) pending[keys[i]] = d.old_value(i);
    return Status::Ok();
  };
  return impl_->Submit(std::move(request));
}

}  // namespace quantatom
