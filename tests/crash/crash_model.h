// The small model the crash tests write to, and its batches.
#pragma once

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "quantatom/database.h"

namespace quantatom::crash {

inline constexpr const char* kCube = "C";
inline constexpr int kRows = 8, kCols = 4;

// One write: row and column leaf index, a value or nullopt (clear).
struct Cell {
  int row, col;
  std::optional<double> value;
};
using Batch = std::vector<Cell>;
using State = std::map<std::pair<int, int>, double>;

Status EnsureModel(Database& db);
Batch RandomBatch(std::mt19937_64& rng, uint64_t n);
// A batch on rows picked from `rows` (structure mode: rows come and go).
Batch RandomBatchAmong(std::mt19937_64& rng, uint64_t n, const std::vector<int>& rows);
std::string Format(const Batch& batch);            // "r,c=v r,c=- ..."
std::optional<Batch> Parse(const std::string& s);  // inverse of Format
WriteBatch ToWriteBatch(const Database& db, const Batch& batch);
void ApplyTo(State& state, const Batch& batch);
// Weight of row leaf r under the Total row member (alternating +1/-1).
double RowWeight(int r);

// Structure mode: row r<k> (k >= kRows) added under Total with RowWeight(k),
// or deleted with its data. Printed as "M+ k" and "M- k".
Result<CommitResult> AddRow(Database& db, int row);
Result<CommitResult> DeleteRow(Database& db, int row);
// The rows the Row dimension has now (r0.. and the added ones).
std::vector<int> Rows(const Database& db);

}  // namespace quantatom::crash
