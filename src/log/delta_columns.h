// The atom deltas of a transaction as a block of columns (docs/log-format.md):
// per dimension the member ids at the narrowest width that holds them, then
// the flags, the old values present and the new values present (as value
// columns: decimals as integers). Columns of
// like numbers compress well, so a large block (a load, a snapshot) goes
// through zstd; a small one (an edit) stays raw for latency.
#pragma once

#include <string>
#include <string_view>

#include "quantatom/status.h"
#include "quantatom/transaction.h"

namespace quantatom {

// Appends the block: a byte (0 raw, 1 zstd), for zstd the varint size of
// the raw columns (padded to 6 bytes) and a zstd frame of them, else the raw
// columns.
// The deltas come from `source` a chunk at a time.
void EncodeDeltaBlock(const DeltaSource& source, std::string& out);
void EncodeDeltaBlock(const AtomDeltas& deltas, std::string& out);

// Decodes a block that is exactly `data`, holding `count` deltas of `dims`
// members each. kCorruption, saying what is wrong, for anything else.
// Format 2 (the log's transaction format) stored values as plain f64; the
// encoder writes format 3, value columns (value_column.h).
Result<AtomDeltas> DecodeDeltaBlock(std::string_view data, size_t dims, size_t count,
                                    int format_version = 3);

}  // namespace quantatom
