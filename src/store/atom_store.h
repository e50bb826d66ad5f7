// Sparse leaf atoms in columnar partitions.
//
// A partition holds the atoms sharing the high (partition) bits of their
// key: sorted 32-bit inner keys beside their values, 12 bytes an atom, no
// per-atom heap objects. Partitions are kept in key order.
//
// REQUIRES: external synchronization (the cube's reader/writer lock).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace quantatom {

struct Partition {
  uint64_t id = 0;             // the partition bits of every key in it
  std::vector<uint32_t> keys;  // inner keys, ascending, unique
  std::vector<double> values;  // values[i] belongs to keys[i]
};

// One change to one atom: a new value, or erase (the atom becomes empty).
struct AtomChange {
  uint64_t key;
  double value;
  bool erase;
};

class AtomStore {
 public:
  explicit AtomStore(int inner_bits) : inner_bits_(inner_bits) {}

  std::optional<double> Get(uint64_t key) const;
  // Get for many keys, ascending: one walk through the partitions.
  void GetSorted(std::span<const uint64_t> keys, std::vector<std::optional<double>>& out) const;

  // `changes` sorted by key, keys unique. When `old_values` is given it
  // receives the value each key had before (nullopt: it was empty).
  void Apply(std::span<const AtomChange> changes,
             std::vector<std::optional<double>>* old_values = nullptr);

  // Adds whole partitions built elsewhere (ids absent from the store).
  void AdoptPartitions(std::vector<Partition> partitions);

  // Where each of `changes` (sorted, unique keys) will write, when every one
  // overwrites an atom that exists. Finding them is most of an update's
  // work and only reads, so it can run beside something else (a
  // transaction's log write) and leave the writer's lock a short store.
  struct Located {
    uint64_t version = 0;         // the store's version it was found in
    std::vector<double*> values;  // values[i]: the atom changes[i] overwrites
  };
  // nullopt when a change adds or erases an atom (Apply must merge).
  std::optional<Located> Locate(std::span<const AtomChange> changes) const;
  // Apply for the changes `located` was found for. Returns false, changing
  // nothing, when the store changed since.
  bool ApplyLocated(const Located& located, std::span<const AtomChange> changes,
                    std::vector<std::optional<double>>* old_values = nullptr);

  const std::vector<Partition>& partitions() const { return partitions_; }
  const Partition* FindPartition(uint64_t id) const;
  size_t atom_count() const { return atom_count_; }
  size_t bytes() const;
  uint64_t Key(const Partition& p, size_t i) const { return (p.id << inner_bits_) | p.keys[i]; }

 private:
  Partition& PartitionFor(uint64_t id);
  // The index in `p`, from `from` on, of the atom `change` overwrites;
  // SIZE_MAX when it adds or erases one.
  size_t Overwritten(const Partition& p, size_t from, const AtomChange& change) const;
  bool UpdateInPlace(Partition& p, std::span<const AtomChange> changes,
                     std::vector<std::optional<double>>* old_values);
  void MergeInto(Partition& p, std::span<const AtomChange> changes,
                 std::vector<std::optional<double>>* old_values);
  void DropEmptyPartitions();

  int inner_bits_;
  std::vector<Partition> partitions_;  // ascending id
  // Unique across stores and changes, so that a Located can tell it is
  // stale even when another store was assigned over this one.
  static uint64_t NextVersion();
  size_t atom_count_ = 0;
  uint64_t version_ = NextVersion();
};

}  // namespace quantatom
