// Snapshots: the whole model at one sequence number, zstd-compressed, so
// opening needs only the log after it (docs/log-format.md).
//
// snapshot/<sequence, 20 digits>.snap holds, after zstd (with its content
// checksum): magic "QASNAP" 0 1, sequence u64, hash of that transaction
// (32 bytes), then framed records as in the log: a type byte and either an
// encoded transaction (structure changes as logged, then one load per cube
// with every atom) or the client transaction ids as JSON.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "quantatom/database.h"
#include "quantatom/env.h"
#include "quantatom/model.h"
#include "quantatom/transaction.h"

namespace quantatom {

struct SnapshotState {
  uint64_t sequence = 0;
  Hash hash{};
  // Structure changes (IsStructureChange) as logged, in order, without the
  // deltas of the atoms they removed (the loads after them hold what is left).
  std::vector<Transaction> structure;
  std::unordered_map<std::string, CommitResult> client_ids;
};

// Writes `model` (whose structure came from state.structure) durably:
// temporary file, fsync, rename, fsync of the directory. Returns its bytes.
Result<uint64_t> WriteSnapshot(Env* env, const std::string& snapshot_dir, const Model& model,
                               const SnapshotState& state, int zstd_level = 3);

struct LoadedSnapshot {
  SnapshotState state;
  std::string file;  // "" when no snapshot was found
  std::vector<std::string> warnings;
};

// Applies the newest readable snapshot to `model` (which must be empty).
// A damaged newest snapshot is skipped with a warning in favour of an older
// one (or none); the caller then needs the log from that point on.
// Snapshots after `max_sequence` are ignored (time travel to before them).
Result<LoadedSnapshot> LoadLatestSnapshot(Env* env, const std::string& snapshot_dir, Model& model,
                                          uint64_t max_sequence = UINT64_MAX);

std::string SnapshotName(uint64_t sequence);

}  // namespace quantatom
