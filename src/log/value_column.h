// A column of values (f64) as the log stores it. Planning numbers are mostly
// decimals with a few places (2782.31), so a column whose values are
// integers at some scale 10^s is stored as those integers at the narrowest
// width: a third of the bytes, and zstd compresses integers several times
// faster than the noisy low bits of doubles. Values that are not (a sum
// like 0.1 + 0.2) are exceptions kept whole. Decoding gives back every
// value bit for bit.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>

namespace quantatom {

// Appends the column of `values` to `out`.
void EncodeValueColumn(std::span<const double> values, std::string& out);

// Reads a column of `n` values into `out` through `read` (which fills its
// buffer with the next bytes, false when there are none). False with
// `error` set when the bytes are not such a column.
using ReadBytes = std::function<bool(void* buffer, size_t bytes)>;
bool DecodeValueColumn(const ReadBytes& read, size_t n, double* out, std::string& error);

}  // namespace quantatom
