// Evaluates a compiled expression over many cells at once: each node is a
// column of values (a value and a presence flag per cell), computed from
// the columns of its arguments in one loop. References come in as columns
// their caller gathered (from a scan or from point reads).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "quantatom/dimension.h"
#include "rules/compiled.h"
#include "store/key_layout.h"

namespace quantatom::rules {

// A number, condition (0 or 1) or text per cell. `has` is 0 for an empty
// number; conditions and texts are never empty (a missing text is "").
struct Column {
  std::vector<double> value;
  std::vector<uint8_t> has;
  std::vector<const std::string*> text;  // text nodes only
  size_t size() const { return has.size(); }
  void Resize(size_t n) {
    value.assign(n, 0);
    has.assign(n, 0);
  }
};

// The cells being computed: per cell its member of each dimension of the
// rule's cube, either as coordinates (row-major) or as storage keys.
struct Frame {
  size_t rows = 0;
  const std::vector<MemberId>* coordinates = nullptr;  // rows x dims
  const uint64_t* keys = nullptr;
  const KeyLayout* layout = nullptr;
  const std::vector<std::shared_ptr<const Dimension>>* dims = nullptr;

  MemberId At(size_t row, size_t dim) const {
    if (coordinates) return (*coordinates)[row * dims->size() + dim];
    return (*dims)[dim]->leaf_member(layout->Extract(keys[row], dim));
  }
};

// The rule's root over the frame; `refs` holds a column per reference of
// the rule. Results that are not finite numbers are empty.
Column Evaluate(const CompiledRule& rule, const Frame& frame, const std::vector<Column>& refs);

}  // namespace quantatom::rules
