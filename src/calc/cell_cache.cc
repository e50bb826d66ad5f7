#include "calc/cell_cache.h"

#include <algorithm>
#include <mutex>

namespace quantatom {

CellKey CellKey::Of(std::span<const MemberId> coordinate) {
  CellKey key;
  key.size = static_cast<uint8_t>(coordinate.size());
  std::copy(coordinate.begin(), coordinate.end(), key.members.begin());
  return key;
}

size_t CellKeyHash::operator()(const CellKey& k) const {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ k.size;
  for (size_t i = 0; i < k.size; ++i) {
    h ^= k.members[i];
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  return static_cast<size_t>(h);
}

size_t CellCache::LookupAll(std::span<const CellKey> keys,
                            std::span<std::optional<CellAggregate>> out) const {
  std::shared_lock lock(mu_);
  size_t found = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = cells_.find(keys[i]);
    if (it == cells_.end()) continue;
    out[i] = it->second;
    ++found;
  }
  return found;
}

void CellCache::InsertAll(std::span<const CellKey> keys, std::span<const CellAggregate> values) {
  std::unique_lock lock(mu_);
  if (cells_.size() + keys.size() > cells_max_) cells_.clear();
  if (keys.size() > cells_max_) return;
  for (size_t i = 0; i < keys.size(); ++i) cells_.insert_or_assign(keys[i], values[i]);
}

void CellCache::ApplyDelta(const std::vector<std::shared_ptr<const Dimension>>& dims,
                           std::span<const LeafOrdinal> leaves, double delta, int atoms_delta) {
  std::unique_lock lock(mu_);
  for (auto& [key, agg] : cells_) {
    double weight = 1;
    bool covered = true;
    for (size_t d = 0; d < key.size && covered; ++d) {
      const Dimension& dim = *dims[d];
      MemberId m = key.members[d];
      if (dim.is_leaf(m)) {
        covered = dim.leaf_ordinal(m) == leaves[d];
      } else {
        std::optional<double> w = dim.WeightOf(m, leaves[d]);
        covered = w.has_value();
        if (covered) weight *= *w;
      }
    }
    if (!covered) continue;
    agg.atoms += atoms_delta;
    agg.sum = agg.atoms == 0 ? 0 : agg.sum + weight * delta;
  }
}

void CellCache::Clear() {
  std::unique_lock lock(mu_);
  cells_.clear();
}

size_t CellCache::size() const {
  std::shared_lock lock(mu_);
  return cells_.size();
}

}  // namespace quantatom
