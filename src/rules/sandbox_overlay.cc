#include "rules/sandbox_overlay.h"

#include "model/cube_impl.h"
#include "rules/recalc.h"

namespace quantatom::rules {

Result<std::vector<SandboxCell>> OverlayWithRules(const RuleSet& set, const Cube& cube,
                                                  std::span<const SandboxCell> cells) {
  std::vector<SandboxCell> overlay(cells.begin(), cells.end());
  const std::optional<size_t> index = set.schema().Find(cube.name());
  if (!index || set.cube(*index).get() != &cube) return overlay;  // no rule reads or computes it
  const auto& dims = cube.dimensions();
  std::vector<uint64_t> keys;
  keys.reserve(cells.size());
  for (const SandboxCell& c : cells) keys.push_back(cube.impl().KeyOf(c.cell));
  const std::vector<std::optional<double>> base = cube.ReadAtoms(keys);
  LeafOrdinal leaves[kCubeDimensionsMax];
  AtomDeltas deltas(dims.size());
  for (size_t i = 0; i < cells.size(); ++i)
    if (base[i] != cells[i].value) deltas.Add(cells[i].cell.data(), base[i], cells[i].value);
  QA_ASSIGN_OR_RETURN(std::vector<DerivedChange> derived,
                      DerivedChangesOf(set, {{*index, &deltas}}, *index));
  for (const DerivedChange& change : derived) {
    cube.UnpackKey(change.key, leaves);
    Coordinate cell(dims.size());
    for (size_t d = 0; d < dims.size(); ++d) cell[d] = dims[d]->leaf_member(leaves[d]);
    overlay.push_back({std::move(cell), change.value});
  }
  return overlay;
}

}  // namespace quantatom::rules
