// A cube: an ordered list of dimensions and its sparse leaf atoms.
//
// Thread safety: every const method may run concurrently with any other
// call. Readers see each write batch entirely or not at all.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/sandbox.h"
#include "quantatom/status.h"
#include "quantatom/transaction.h"
#include "quantatom/view.h"
#include "quantatom/write_batch.h"

namespace quantatom {

struct CubeOptions {
  // Consolidated cells remembered between reads and kept current by
  // weighted deltas on every write. The cache is emptied when it is full.
  size_t cache_cells_max = 1 << 20;
  // A batch larger than this drops the cache instead of updating it cell
  // by cell (cheaper for bulk changes).
  size_t cache_delta_changes_max = 4096;
  // Grid limits: a larger view is refused with kLimitExceeded.
  size_t view_cells_max = 4'000'000;
  // Storage layout: the smallest dimensions form the partition key while at
  // least this many key bits stay inside each partition (tests lower it to
  // exercise partition pruning on tiny cubes).
  int partition_inner_bits_min = 10;
  // A grid first sums atoms per combination of the axis leaves; past this
  // many combinations it adds each atom straight into its cells instead.
  size_t stage_slots_max = size_t{1} << 22;
};

struct CubeStats {
  size_t atoms = 0;  // stored atoms (written or loaded)
  size_t partitions = 0;
  size_t atom_bytes = 0;  // key and value arrays, capacity included
  size_t cached_cells = 0;
  // Atoms computed by leaf rules (quantatom/rules.h), kept beside the
  // stored ones in the same layout; never logged.
  size_t derived_atoms = 0;
  size_t derived_bytes = 0;
};

// An atom as seen by ForEachAtom: leaf ordinals in cube dimension order.
struct AtomRef {
  std::span<const LeafOrdinal> leaves;
  double value;
};

class Cube {
 public:
  // Fails when a dimension repeats, or the leaf coordinates need more than
  // 64 bits (the product of leaf counts exceeds 2^64).
  static Result<std::shared_ptr<Cube>> Create(std::string name,
                                              std::vector<std::shared_ptr<const Dimension>> dims,
                                              CubeOptions options = {});
  ~Cube();

  const std::string& name() const;
  const std::vector<std::shared_ptr<const Dimension>>& dimensions() const;
  // Index of a dimension in this cube, by name (case-insensitive).
  std::optional<size_t> DimensionIndex(std::string_view name) const;

  // Member names or aliases, one per dimension in cube order.
  Result<Coordinate> Resolve(std::span<const std::string> names) const;

  // Any cell, leaf or consolidated; nullopt when no atom lies beneath it.
  // Reads see the atoms leaf rules derive exactly like stored ones, and the
  // cells of consolidated rules as their rule computes them.
  Result<std::optional<double>> ReadCell(const Coordinate& c) const;

  // Any cells, leaf or consolidated, under one consistent read; the
  // consolidated ones missing from the cache are computed in one pass.
  Result<std::vector<std::optional<double>>> ReadCells(const std::vector<Coordinate>& cells) const;

  // Applies every entry or none: all members must be leaves and values
  // finite, and no cell computed by a rule (kFailedPrecondition naming the
  // cell and the rule), else the batch is rejected naming the first
  // offending entry. It does not recompute what rules derive from the
  // cells: with rules, write through a Database or WriteWithRules
  // (quantatom/rules.h).
  Status Write(const WriteBatch& batch);

  // Adds atoms in bulk (summing duplicate coordinates within the batch,
  // replacing existing atoms at those coordinates). Keys come from
  // PackLeaves. All-or-nothing.
  struct BulkAtoms {
    std::vector<uint64_t> keys;
    std::vector<double> values;
  };
  struct BulkResult {
    size_t atoms_written = 0;  // distinct coordinates
    size_t duplicates = 0;     // input rows folded into another
  };
  Result<BulkResult> BulkLoad(BulkAtoms atoms);
  // Packs leaf ordinals (cube dimension order) into a storage key.
  uint64_t PackLeaves(const LeafOrdinal* leaves) const;
  // The leaf ordinals (cube dimension order) of a storage key.
  void UnpackKey(uint64_t key, LeafOrdinal* leaves) const;

  Result<Grid> Query(const ViewSpec& view) const;
  // The view as it reads with `cells` (leaf cells, each once) holding
  // those values instead of the cube's: a sandbox's overlay. On a cube with
  // leaf rules, `cells` include the derived atoms they change (the
  // database computes them: rules::DerivedChangesOf).
  Result<Grid> QueryWith(const ViewSpec& view, std::span<const SandboxCell> cells) const;
  // QueryWith in two steps, so that a reader can keep the first: what the
  // overlay adds to each cell of the view's grid (row-major, before empty
  // rows and columns are suppressed), valid while no overlay cell changes
  // in the cube; and the view with it added.
  struct GridDelta {
    std::vector<double> sums;
    std::vector<int64_t> atoms;
  };
  Result<GridDelta> OverlayDelta(const ViewSpec& view, std::span<const SandboxCell> cells) const;
  Result<Grid> QueryAdjusted(const ViewSpec& view, const GridDelta& delta) const;
  // The errors Query would give for `view` (its dimensions, members and the
  // grid's size), without reading a cell.
  Status CheckView(const ViewSpec& view) const;

  // The pieces a logged commit is made of (the database uses them):
  // storage keys of a batch's entries, in order, after checking every entry
  // as Write does;
  Result<std::vector<uint64_t>> KeysOf(const WriteBatch& batch) const;
  // current atom values (stored or derived by a leaf rule);
  std::vector<std::optional<double>> ReadAtoms(std::span<const uint64_t> keys) const;
  // and applying the new values of deltas, all or nothing.
  Status ApplyDeltas(const AtomDeltas& deltas);

  // A load in two steps, so that a database can log it in between.
  // PrepareLoad checks the rows (as BulkLoad does) and folds duplicates
  // into partitions aside, changing nothing. The prepared load is the
  // load's deltas in key order, a chunk at a time; old values are read from
  // the cube as chunks are filled, so fill them right before ApplyLoad with
  // no change in between. ApplyLoad puts every atom in and consumes them.
  class PreparedLoad;
  Result<std::unique_ptr<PreparedLoad>> PrepareLoad(BulkAtoms atoms) const;
  void ApplyLoad(PreparedLoad& load);
  // Every stored atom as the deltas of a load into an empty cube, in key order.
  // REQUIRES: no change to the cube while the source is used (a model
  // rebuilt aside for a snapshot).
  std::unique_ptr<DeltaSource> AtomsAsDeltas() const;

  // Atoms copied aside under one consistent read, keys ascending: those
  // whose leaf of each dimension d is flagged in keep[d] (an empty vector
  // keeps every leaf of its dimension). 16 bytes an atom; a reader of the
  // copy holds no lock on the cube. Atoms derived by leaf rules are copied
  // too unless `stored_only`.
  struct AtomsCopy {
    std::vector<uint64_t> keys;  // storage keys, see UnpackKey
    std::vector<double> values;
  };
  AtomsCopy CopyAtoms(std::span<const std::vector<bool>> keep, bool stored_only = false) const;

  // An atom beneath a cell, with its weight in that cell: the product over
  // the dimensions of the leaf's weight under the cell's member.
  struct WeightedAtom {
    uint64_t key;
    double value;
    double weight;
  };
  // Every atom beneath `cell` (leaf or consolidated), derived ones too,
  // under one consistent read, keys ascending. Reads only the partitions
  // the cell can reach.
  Result<std::vector<WeightedAtom>> AtomsBeneath(const Coordinate& cell) const;
  // This cube over new versions of its dimensions (the same dimensions in
  // the same order, member ids kept, as a structure change makes them):
  // every atom moves to its members' leaf ordinals in `dims`. An atom at a
  // member that is no longer a leaf is left out and counted in `dropped`
  // when it is given; without it, such an atom fails the call, naming the
  // member. Same name and options; this cube is left as it was. Stored
  // atoms only: the rules derive the others again.
  Result<std::shared_ptr<Cube>> WithDimensions(std::vector<std::shared_ptr<const Dimension>> dims,
                                               size_t* dropped = nullptr) const;

  // Visits every stored atom under a consistent read; order unspecified.
  void ForEachAtom(const std::function<void(const AtomRef&)>& fn) const;
  CubeStats Stats() const;
  // Forgets every cached consolidated cell (benchmarks use it to measure
  // cold reads); later reads recompute and cache again.
  void ClearCache() const;

  struct Impl;
  // The inside, for the engine's own modules (src/model/cube_impl.h).
  Impl& impl() const { return *impl_; }

 private:
  explicit Cube(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Cube::PreparedLoad final : public DeltaSource {
 public:
  ~PreparedLoad() override;
  const BulkResult& result() const;
  size_t dims() const override;
  size_t size() const override;
  void Fill(size_t begin, size_t end, Chunk& chunk) const override;

 private:
  friend class Cube;
  struct State;
  explicit PreparedLoad(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace quantatom
