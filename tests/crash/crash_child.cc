// The process the crash test kills: commits random write batches to a data
// directory forever, printing each batch before it commits ("B") and each
// acknowledgement after ("A <sequence>"), flushed, so the parent knows what
// was promised when it pulls the plug.
#include <cstdio>
#include <cstdlib>
#include <random>

#include "crash/crash_model.h"
#include "quantatom/database.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: quantatom_crash_child DIR SEED\n");
    return 2;
  }
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
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  for (uint64_t n = 0;; ++n) {
    quantatom::crash::Batch batch = quantatom::crash::RandomBatch(rng, n);
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
