// The process the crash test kills: commits random write batches to a data
// directory forever, printing each batch before it commits ("B") and each
// acknowledgement after ("A <sequence>"), flushed, so the parent knows what
// was promised when it pulls the plug. With a third argument "structure" it
// also adds rows ("M+ k") and deletes them with their data ("M- k"), each
// one transaction.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "crash/crash_model.h"
#include "quantatom/database.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: quantatom_crash_child DIR SEED [structure]\n");
    return 2;
  }
  const bool structure = argc == 4 && std::string(argv[3]) == "structure";
  auto db = quantatom::Database::Open(argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  quantatom::Status made = quantatom::crash::EnsureModel(**db);
  if (!made.ok()) {
    std::fprintf(stderr, "model: %s\n", made.ToString().c_str());
    return 1;
  }
  std::printf("S %llu\n", static_cast<unsigned long long>((*db)->last_sequence()));
  std::fflush(stdout);
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  std::mt19937_64 rng(seed);
  std::vector<int> rows = quantatom::crash::Rows(**db);
  // Added rows get numbers of their own per run: r<kRows + run * 100000 + n>.
  const int first_added = quantatom::crash::kRows + static_cast<int>(seed % 20000) * 100000;
  for (uint64_t n = 0;; ++n) {
    if (structure && rng() % 4 == 0) {
      std::vector<int> added;
      for (int r : rows)
        if (r >= quantatom::crash::kRows) added.push_back(r);
      const bool add = added.empty() || rng() % 2;
      const int row = add ? first_added + static_cast<int>(n) : added[rng() % added.size()];
      std::printf("M%c %d\n", add ? '+' : '-', row);
      std::fflush(stdout);
      auto r = add ? quantatom::crash::AddRow(**db, row) : quantatom::crash::DeleteRow(**db, row);
      if (!r.ok()) {
        std::fprintf(stderr, "structure: %s\n", r.status().ToString().c_str());
        return 1;
      }
      if (add)
        rows.push_back(row);
      else
        std::erase(rows, row);
      std::printf("A %llu\n", static_cast<unsigned long long>(r->sequence));
      std::fflush(stdout);
      continue;
    }
    quantatom::crash::Batch batch = structure ? quantatom::crash::RandomBatchAmong(rng, n, rows)
                                              : quantatom::crash::RandomBatch(rng, n);
    std::printf("B %s\n", quantatom::crash::Format(batch).c_str());
    std::fflush(stdout);
    auto r = (*db)->Write(quantatom::crash::kCube, quantatom::crash::ToWriteBatch(**db, batch),
                          {"child", ""});
    if (!r.ok()) {
      std::fprintf(stderr, "write: %s\n", r.status().ToString().c_str());
      return 1;
    }
    std::printf("A %llu\n", static_cast<unsigned long long>(r->sequence));
    std::fflush(stdout);
  }
}
