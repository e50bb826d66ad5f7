// Rebuilds a model from a data directory: the newest readable snapshot,
// then the log after it. Opening, snapshotting and verifying all use it.
#pragma once

#include <string>

#include "db/snapshot.h"
#include "log/log_store.h"

namespace quantatom {

struct Rebuilt {
  Model model;
  SnapshotState state;             // as of the last transaction applied
  LogEnd log_end;                  // where the log ends (all of it, beyond up_to too)
  std::string snapshot;            // the snapshot file used, "" for none
  uint64_t snapshot_sequence = 0;  // the transactions it holds end here; 0 for none
  std::vector<std::string> warnings;
};

// Applies transactions up to `up_to` (all of them by default). With
// `repair`, a torn log tail is cut off.
// Without `use_snapshot` the whole log is replayed from its start.
// `dir` is the data directory (its snapshots), `log` its log. The rules are
// installed and what they derive computed once, at the end (not logged,
// derived atoms are a function of the rest), unless `with_rules` is false
// (a snapshot keeps no derived atoms).
Result<Rebuilt> RebuildModel(Env* env, const std::string& dir, const LogStore& log,
                             uint64_t up_to = UINT64_MAX, bool repair = true,
                             bool use_snapshot = true, bool with_rules = true);

}  // namespace quantatom
