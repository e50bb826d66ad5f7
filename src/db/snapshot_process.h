// Taking a snapshot in a process of its own (DatabaseOptions::snapshot_program).
//
// A snapshot rebuilds the whole model from the previous snapshot and the
// log. Inside the serving process that work shares its memory map and
// allocator with the commit thread: mapping and unmapping hundreds of
// megabytes holds the process's mmap lock while a commit's malloc waits to
// grow its heap (seen with perf: 24 ms). A child process shares neither,
// runs in the idle scheduling class from its first instruction, and gives
// its memory back at once when it exits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "quantatom/status.h"

namespace quantatom {

// The child runs `PROGRAM snapshot-worker DIR SEQUENCE` (the quantatom
// command line), which prints the snapshot's bytes on its last line.
inline constexpr char kSnapshotWorkerCommand[] = "snapshot-worker";

// Runs `program` to write the snapshot of `dir` at `sequence` and waits for
// it. Returns the snapshot's bytes, or the child's own words when it fails.
Result<uint64_t> RunSnapshotProgram(const std::string& program, const std::string& dir,
                                    uint64_t sequence);

// The bytes a successful child printed last; nullopt when it printed none.
std::optional<uint64_t> SnapshotWorkerBytes(const std::string& output);

}  // namespace quantatom
