#include "crash/crash_model.h"

#include <sstream>

namespace quantatom::crash {

double RowWeight(int r) { return r % 2 ? -1.0 : 1.0; }

Status EnsureModel(Database& db) {
  // Each piece only if missing: a kill may land between any two of them.
  std::string rows = "member,parent,weight\nTotal,,\n";
  for (int r = 0; r < kRows; ++r)
    rows += "r" + std::to_string(r) + ",Total," + (r % 2 ? "-1" : "1") + "\n";
  std::string cols = "member,parent,weight\n";
  for (int c = 0; c < kCols; ++c) cols += "c" + std::to_string(c) + ",,\n";
  if (!db.FindDimension("Row")) QA_RETURN_IF_ERROR(db.CreateDimension("Row", rows, {}).status());
  if (!db.FindDimension("Col")) QA_RETURN_IF_ERROR(db.CreateDimension("Col", cols, {}).status());
  if (!db.FindCube(kCube)) QA_RETURN_IF_ERROR(db.CreateCube(kCube, {"Row", "Col"}, {}).status());
  return Status::Ok();
}

Batch RandomBatchAmong(std::mt19937_64& rng, uint64_t n, const std::vector<int>& rows) {
  Batch batch = RandomBatch(rng, n);
  for (Cell& c : batch) c.row = rows[rng() % rows.size()];
  return batch;
}

Result<CommitResult> AddRow(Database& db, int row) {
  MemberChange c;
  c.kind = MemberChange::Kind::kAdd;
  c.dimension = "Row";
  c.member = "r" + std::to_string(row);
  c.parents = {{"Total", RowWeight(row)}};
  return db.ChangeMember(c, {"child", ""});
}

Result<CommitResult> DeleteRow(Database& db, int row) {
  MemberChange c;
  c.kind = MemberChange::Kind::kDelete;
  c.dimension = "Row";
  c.member = "r" + std::to_string(row);
  c.delete_data = true;
  return db.ChangeMember(c, {"child", ""});
}

std::vector<int> Rows(const Database& db) {
  auto dim = db.FindDimension("Row");
  std::vector<int> rows;
  for (MemberId m = 0; m < dim->size(); ++m)
    if (!dim->deleted(m) && dim->is_leaf(m))
      rows.push_back(std::stoi(dim->member_name(m).substr(1)));
  return rows;
}

Batch RandomBatch(std::mt19937_64& rng, uint64_t n) {
  Batch batch;
  size_t cells = 1 + rng() % 4;
  for (size_t i = 0; i < cells; ++i) {
    Cell c{static_cast<int>(rng() % kRows), static_cast<int>(rng() % kCols), std::nullopt};
    if (rng() % 5) c.value = static_cast<double>(n * 10 + i) + 0.25;
    batch.push_back(c);
  }
  return batch;
}

std::string Format(const Batch& batch) {
  std::string s;
  for (const Cell& c : batch) {
    s += (s.empty() ? "" : " ") + std::to_string(c.row) + "," + std::to_string(c.col) + "=";
    if (c.value) {
      std::ostringstream v;
      v.precision(17);
      v << *c.value;
      s += v.str();
    } else {
      s += "-";
    }
  }
  return s;
}

std::optional<Batch> Parse(const std::string& s) {
  Batch batch;
  std::istringstream in(s);
  std::string item;
  while (in >> item) {
    Cell c{};
    size_t comma = item.find(','), eq = item.find('=');
    if (comma == std::string::npos || eq == std::string::npos) return std::nullopt;
    c.row = std::stoi(item.substr(0, comma));
    c.col = std::stoi(item.substr(comma + 1, eq - comma - 1));
    std::string v = item.substr(eq + 1);
    if (v != "-") c.value = std::stod(v);
    batch.push_back(c);
  }
  return batch;
}

WriteBatch ToWriteBatch(const Database& db, const Batch& batch) {
  auto rows = db.FindDimension("Row");
  auto cols = db.FindDimension("Col");
  WriteBatch out;
  for (const Cell& c : batch) {
    Coordinate coord{*rows->Find("r" + std::to_string(c.row)),
                     *cols->Find("c" + std::to_string(c.col))};
    if (c.value) {
      out.Set(coord, *c.value);
    } else {
      out.Clear(coord);
    }
  }
  return out;
}

void ApplyTo(State& state, const Batch& batch) {
  for (const Cell& c : batch) {
    if (c.value) {
      state[{c.row, c.col}] = *c.value;
    } else {
      state.erase({c.row, c.col});
    }
  }
}

}  // namespace quantatom::crash
