#include "rules/point_eval.h"

#include <map>

#include "rules/elimination.h"

namespace quantatom::rules {
namespace {

// The atoms an elimination leaf takes at each row, summed and negated.
Result<Column> EliminationAt(const RuleSet& set, const CompiledRule& rule,
                             const std::vector<MemberId>& coordinates, CellReader& reader) {
  const Elimination& e = *rule.elimination;
  const auto& dims = set.schema().cubes[rule.cube].dims;
  auto cube = set.cube(rule.cube);
  if (!cube) return Status(StatusCode::kConflict, "the model changed while reading; read again");
  const size_t nd = dims.size(), rows = coordinates.size() / nd;
  Column out;
  out.Resize(rows);
  std::vector<LeafOrdinal> leaves(nd);
  std::vector<uint64_t> keys;
  std::vector<std::optional<double>> values;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t d = 0; d < nd; ++d) leaves[d] = dims[d]->leaf_ordinal(coordinates[r * nd + d]);
    keys.clear();
    for (LeafOrdinal source : e.SourcesOf(leaves[e.entity_dim], leaves[e.counterparty_dim])) {
      leaves[e.entity_dim] = source;
      keys.push_back(cube->PackLeaves(leaves.data()));
    }
    QA_RETURN_IF_ERROR(reader.Atoms(rule.cube, keys, values));
    for (const auto& v : values) {
      if (!v) continue;
      out.has[r] = 1;
      out.value[r] -= *v;
    }
  }
  return out;
}

}  // namespace

std::vector<std::optional<Coordinate>> ReferencedCells(const RuleSet& set, const CompiledRule& rule,
                                                       const CompiledRef& ref,
                                                       const std::vector<MemberId>& coordinates) {
  const size_t nd = set.schema().cubes[rule.cube].dims.size(), rows = coordinates.size() / nd;
  std::vector<std::optional<Coordinate>> out(rows);
  for (size_t r = 0; r < rows; ++r) {
    const MemberId* cell = coordinates.data() + r * nd;
    bool valid = true;
    for (size_t d = 0; d < nd && valid; ++d) valid = ref.valid[d].empty() || ref.valid[d][cell[d]];
    if (!valid) continue;
    Coordinate source(ref.maps.size());
    for (size_t s = 0; s < ref.maps.size() && valid; ++s) {
      const MemberMap& map = ref.maps[s];
      source[s] = map.from_cell ? map.Of(cell[map.target_dim]) : map.fixed;
      valid = source[s] != kNoMember;
    }
    if (valid) out[r] = std::move(source);
  }
  return out;
}

Result<Column> EvaluateAt(const RuleSet& set, const CompiledRule& rule,
                          const std::vector<MemberId>& coordinates, CellReader& reader) {
  const auto& dims = set.schema().cubes[rule.cube].dims;
  const size_t rows = coordinates.size() / dims.size();
  std::vector<Column> refs(rule.refs.size());
  if (rule.elimination) {
    QA_ASSIGN_OR_RETURN(refs[0], EliminationAt(set, rule, coordinates, reader));
  } else {
    for (size_t i = 0; i < rule.refs.size(); ++i) {
      const CompiledRef& ref = rule.refs[i];
      const auto& sdims = set.schema().cubes[ref.cube].dims;
      auto cube = set.cube(ref.cube);
      if (!cube)
        return Status(StatusCode::kConflict, "the model changed while reading; read again");
      // Leaf cells are read as atoms by key, the others as cells.
      std::vector<uint64_t> keys;
      std::vector<size_t> key_rows, cell_rows;
      std::vector<Coordinate> cells;
      std::vector<LeafOrdinal> leaves(sdims.size());
      auto sources = ReferencedCells(set, rule, ref, coordinates);
      for (size_t r = 0; r < rows; ++r) {
        if (!sources[r]) continue;
        bool leaf = true;
        for (size_t s = 0; s < sdims.size() && leaf; ++s) {
          leaves[s] = sdims[s]->leaf_ordinal((*sources[r])[s]);
          leaf = leaves[s] != kNotALeaf;
        }
        if (leaf) {
          keys.push_back(cube->PackLeaves(leaves.data()));
          key_rows.push_back(r);
        } else {
          cells.push_back(std::move(*sources[r]));
          cell_rows.push_back(r);
        }
      }
      Column& col = refs[i];
      col.Resize(rows);
      std::vector<std::optional<double>> values;
      QA_RETURN_IF_ERROR(reader.Atoms(ref.cube, keys, values));
      for (size_t k = 0; k < keys.size(); ++k)
        if (values[k]) col.has[key_rows[k]] = 1, col.value[key_rows[k]] = *values[k];
      if (cells.empty()) continue;
      // Many rows often read one consolidated cell (a total): read it once.
      std::map<Coordinate, size_t> distinct;
      std::vector<Coordinate> unique;
      std::vector<size_t> slot(cells.size());
      for (size_t k = 0; k < cells.size(); ++k) {
        auto [it, fresh] = distinct.emplace(cells[k], unique.size());
        if (fresh) unique.push_back(cells[k]);
        slot[k] = it->second;
      }
      QA_RETURN_IF_ERROR(reader.Cells(ref.cube, unique, values));
      for (size_t k = 0; k < cells.size(); ++k)
        if (values[slot[k]]) col.has[cell_rows[k]] = 1, col.value[cell_rows[k]] = *values[slot[k]];
    }
  }
  Frame frame;
  frame.rows = rows;
  frame.coordinates = &coordinates;
  frame.dims = &dims;
  return Evaluate(rule, frame, refs);
}

}  // namespace quantatom::rules
