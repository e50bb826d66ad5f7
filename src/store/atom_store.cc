#include "store/atom_store.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>

namespace quantatom {

uint64_t AtomStore::NextVersion() {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

const Partition* AtomStore::FindPartition(uint64_t id) const {
  auto it = std::lower_bound(partitions_.begin(), partitions_.end(), id,
                             [](const Partition& p, uint64_t v) { return p.id < v; });
  return it != partitions_.end() && it->id == id ? &*it : nullptr;
}

std::optional<double> AtomStore::Get(uint64_t key) const {
  const Partition* p = FindPartition(key >> inner_bits_);
  if (p == nullptr) return std::nullopt;
  uint32_t inner = static_cast<uint32_t>(key & ((uint64_t{1} << inner_bits_) - 1));
  auto it = std::lower_bound(p->keys.begin(), p->keys.end(), inner);
  if (it == p->keys.end() || *it != inner) return std::nullopt;
  return p->values[it - p->keys.begin()];
}

void AtomStore::GetSorted(std::span<const uint64_t> keys,
                          std::vector<std::optional<double>>& out) const {
  out.assign(keys.size(), std::nullopt);
  const uint64_t inner_mask = (uint64_t{1} << inner_bits_) - 1;
  auto p = partitions_.begin();
  size_t at = 0;  // where the last key was found in *p
  for (size_t k = 0; k < keys.size(); ++k) {
    const uint64_t id = keys[k] >> inner_bits_;
    if (p == partitions_.end() || p->id != id) {
      p = std::lower_bound(p, partitions_.end(), id,
                           [](const Partition& q, uint64_t v) { return q.id < v; });
      at = 0;
      if (p == partitions_.end()) return;
      if (p->id != id) continue;
    }
    const uint32_t inner = static_cast<uint32_t>(keys[k] & inner_mask);
    at = std::lower_bound(p->keys.begin() + at, p->keys.end(), inner) - p->keys.begin();
    if (at < p->keys.size() && p->keys[at] == inner) out[k] = p->values[at];
  }
}

Partition& AtomStore::PartitionFor(uint64_t id) {
  auto it = std::lower_bound(partitions_.begin(), partitions_.end(), id,
                             [](const Partition& p, uint64_t v) { return p.id < v; });
  if (it == partitions_.end() || it->id != id) {
    it = partitions_.insert(it, Partition{});
    it->id = id;
  }
  return *it;
}

void AtomStore::Apply(std::span<const AtomChange> changes,
                      std::vector<std::optional<double>>* old_values) {
  if (old_values) old_values->clear();
  version_ = NextVersion();
  bool emptied = false;  // only then is the partition list scanned
  size_t begin = 0;
  while (begin < changes.size()) {
    uint64_t id = changes[begin].key >> inner_bits_;
    size_t end = begin + 1;
    while (end < changes.size() && (changes[end].key >> inner_bits_) == id) ++end;
    Partition& p = PartitionFor(id);
    MergeInto(p, changes.subspan(begin, end - begin), old_values);
    emptied |= p.keys.empty();
    begin = end;
  }
  if (emptied) DropEmptyPartitions();
}

size_t AtomStore::Overwritten(const Partition& p, size_t from, const AtomChange& change) const {
  const uint32_t inner = static_cast<uint32_t>(change.key & ((uint64_t{1} << inner_bits_) - 1));
  auto it = std::lower_bound(p.keys.begin() + from, p.keys.end(), inner);
  return it == p.keys.end() || *it != inner || change.erase ? SIZE_MAX
                                                            : size_t(it - p.keys.begin());
}

// Overwrites values when every change hits an existing atom: the common edit
// (and a spread's scaling of thousands), done without allocating. Returns
// false (and changes nothing) otherwise.
bool AtomStore::UpdateInPlace(Partition& p, std::span<const AtomChange> changes,
                              std::vector<std::optional<double>>* old_values) {
  // First every change is found, then applied: a miss changes nothing.
  size_t at = 0;
  for (size_t c = 0; c < changes.size(); ++c)
    if ((at = Overwritten(p, at, changes[c])) == SIZE_MAX) return false;
  at = 0;
  for (size_t c = 0; c < changes.size(); ++c) {
    at = Overwritten(p, at, changes[c]);
    if (old_values) old_values->push_back(p.values[at]);
    p.values[at] = changes[c].value;
  }
  return true;
}

// One merge pass that rebuilds the arrays at their exact size.
void AtomStore::MergeInto(Partition& p, std::span<const AtomChange> changes,
                          std::vector<std::optional<double>>* old_values) {
  if (UpdateInPlace(p, changes, old_values)) return;
  const uint64_t inner_mask = (uint64_t{1} << inner_bits_) - 1;
  std::vector<uint32_t> keys;
  std::vector<double> values;
  keys.reserve(p.keys.size() + changes.size());
  values.reserve(p.keys.size() + changes.size());
  size_t i = 0;
  for (const AtomChange& c : changes) {
    uint32_t inner = static_cast<uint32_t>(c.key & inner_mask);
    size_t next = std::lower_bound(p.keys.begin() + i, p.keys.end(), inner) - p.keys.begin();
    keys.insert(keys.end(), p.keys.begin() + i, p.keys.begin() + next);
    values.insert(values.end(), p.values.begin() + i, p.values.begin() + next);
    i = next;
    bool present = i < p.keys.size() && p.keys[i] == inner;
    if (old_values)
      old_values->push_back(present ? std::optional<double>(p.values[i]) : std::nullopt);
    if (present) ++i;
    if (!c.erase) {
      keys.push_back(inner);
      values.push_back(c.value);
    }
    atom_count_ = atom_count_ + (c.erase ? 0 : 1) - (present ? 1 : 0);
  }
  keys.insert(keys.end(), p.keys.begin() + i, p.keys.end());
  values.insert(values.end(), p.values.begin() + i, p.values.end());
  keys.shrink_to_fit();
  values.shrink_to_fit();
  p.keys.swap(keys);
  p.values.swap(values);
}

void AtomStore::DropEmptyPartitions() {
  std::erase_if(partitions_, [](const Partition& p) { return p.keys.empty(); });
}

void AtomStore::AdoptPartitions(std::vector<Partition> partitions) {
  version_ = NextVersion();
  for (Partition& p : partitions) atom_count_ += p.keys.size();
  partitions_.insert(partitions_.end(), std::make_move_iterator(partitions.begin()),
                     std::make_move_iterator(partitions.end()));
  std::sort(partitions_.begin(), partitions_.end(),
            [](const Partition& a, const Partition& b) { return a.id < b.id; });
}

std::optional<AtomStore::Located> AtomStore::Locate(std::span<const AtomChange> changes) const {
  // The runs of changes sharing a partition, searched in parallel.
  std::vector<size_t> runs{0};
  for (size_t i = 1; i < changes.size(); ++i)
    if ((changes[i].key >> inner_bits_) != (changes[i - 1].key >> inner_bits_)) runs.push_back(i);
  runs.push_back(changes.size());
  Located out{version_, std::vector<double*>(changes.size())};
  std::atomic<bool> missed = false;
  tbb::parallel_for(size_t{0}, runs.size() - 1, [&](size_t r) {
    if (missed.load(std::memory_order_relaxed) || runs[r] == changes.size()) return;
    const Partition* p = FindPartition(changes[runs[r]].key >> inner_bits_);
    if (p == nullptr) return missed = true, void();
    size_t at = 0;
    for (size_t c = runs[r]; c < runs[r + 1]; ++c) {
      if ((at = Overwritten(*p, at, changes[c])) == SIZE_MAX) return missed = true, void();
      // The values are not changed through it before ApplyLocated.
      out.values[c] = const_cast<double*>(&p->values[at]);
    }
  });
  if (missed) return std::nullopt;
  return out;
}

bool AtomStore::ApplyLocated(const Located& located, std::span<const AtomChange> changes,
                             std::vector<std::optional<double>>* old_values) {
  if (located.version != version_ || located.values.size() != changes.size()) return false;
  version_ = NextVersion();
  if (old_values) old_values->assign(located.values.size(), std::nullopt);
  for (size_t c = 0; c < changes.size(); ++c) {
    if (old_values) (*old_values)[c] = *located.values[c];
    *located.values[c] = changes[c].value;
  }
  return true;
}

size_t AtomStore::bytes() const {
  size_t total = partitions_.capacity() * sizeof(Partition);
  for (const Partition& p : partitions_)
    total += p.keys.capacity() * sizeof(uint32_t) + p.values.capacity() * sizeof(double);
  return total;
}

}  // namespace quantatom
