#include "quantatom/dimension.h"

#include <algorithm>

namespace quantatom {

std::string FoldCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<MemberId> Dimension::Find(std::string_view name_or_alias) const {
  auto it = lookup_.find(FoldCase(name_or_alias));
  if (it == lookup_.end()) return std::nullopt;
  return it->second;
}

std::span<const WeightedLink> Dimension::children(MemberId m) const {
  return {child_links_.data() + child_begin_[m], child_begin_[m + 1] - child_begin_[m]};
}

std::span<const WeightedLink> Dimension::parents(MemberId m) const {
  return {parent_links_.data() + parent_begin_[m], parent_begin_[m + 1] - parent_begin_[m]};
}

std::span<const LeafWeight> Dimension::leaf_weights(MemberId m) const {
  return {leaf_weights_.data() + leaf_weight_begin_[m],
          leaf_weight_begin_[m + 1] - leaf_weight_begin_[m]};
}

std::optional<double> Dimension::WeightOf(MemberId m, LeafOrdinal leaf) const {
  auto leaves = leaf_weights(m);
  auto it = std::lower_bound(leaves.begin(), leaves.end(), leaf,
                             [](const LeafWeight& lw, LeafOrdinal l) { return lw.leaf < l; });
  if (it == leaves.end() || it->leaf != leaf) return std::nullopt;
  return it->weight;
}

std::span<const std::string> Dimension::aliases(MemberId m) const { return aliases_[m]; }

}  // namespace quantatom
