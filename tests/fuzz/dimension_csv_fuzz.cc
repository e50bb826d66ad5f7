// libFuzzer: ParseDimensionCsv on arbitrary bytes. A rejection is fine; a
// crash, a sanitizer report or an accepted dimension that breaks its own
// invariants is not.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "quantatom/load.h"
#include "view/selection.h"

namespace {

using namespace quantatom;

void Check(bool ok) {
  if (!ok) std::abort();
}

// What every accepted dimension guarantees (quantatom/dimension.h).
void CheckInvariants(const Dimension& dim) {
  Check(dim.size() > 0 ? !dim.roots().empty() : dim.roots().empty());
  for (MemberId m = 0; m < dim.size(); ++m) {
    Check(dim.Find(dim.member_name(m)) == m);
    for (const std::string& alias : dim.aliases(m)) Check(dim.Find(alias) == m);
    Check(dim.is_leaf(m) == dim.children(m).empty());
    Check(dim.is_leaf(m) ? dim.level(m) == 0 : dim.level(m) > 0);
    Check(dim.parents(m).empty() == (dim.depth(m) == 0));
    auto leaves = dim.leaf_weights(m);
    Check(!leaves.empty());
    for (size_t i = 0; i < leaves.size(); ++i) {
      Check(leaves[i].leaf < dim.leaf_count());
      Check(i == 0 || leaves[i - 1].leaf < leaves[i].leaf);
      Check(dim.WeightOf(m, leaves[i].leaf) == leaves[i].weight);
    }
    if (dim.is_leaf(m)) Check(dim.leaf_member(dim.leaf_ordinal(m)) == m);
  }
}

void Select(const Dimension& dim, std::vector<std::string> terms) {
  for (HierarchyOrder order : {HierarchyOrder::kParentsFirst, HierarchyOrder::kParentsLast}) {
    auto members = EvaluateSelection(dim, terms, order);
    if (!members.ok()) continue;
    for (const HeaderMember& h : *members) Check(h.id < dim.size() && h.depth >= 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto dim = ParseDimensionCsv(text, "Fuzz", "fuzz.csv");
  if (!dim.ok()) {
    Check(!dim.status().message().empty());
    return 0;
  }
  CheckInvariants(**dim);
  if ((*dim)->size() == 0) return 0;  // a header alone is an empty dimension
  const std::string first = (*dim)->member_name((*dim)->roots()[0]);
  Select(**dim,
         {"members()", "level(0)", "leaves(" + first + ")", "descendants(" + first + ", 1)"});
  return 0;
}
