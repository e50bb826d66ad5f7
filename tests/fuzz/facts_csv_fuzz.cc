// libFuzzer: LoadFactsText on arbitrary bytes into a small fixed cube. A
// failed load must leave the cube exactly as it was (docs/formats.md,
// "Errors and atomicity"); abort() otherwise.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string_view>
#include <vector>

#include "fuzz_model.h"
#include "quantatom/load.h"

namespace {

using namespace quantatom;
using fuzz::Check;
using fuzz::Dim;
using Atoms = std::map<std::vector<LeafOrdinal>, double>;

LoadOptions Quiet() {
  LoadOptions options;
  options.progress = false;
  return options;
}

Atoms AtomsOf(const Cube& cube) {
  Atoms atoms;
  cube.ForEachAtom([&](const AtomRef& a) {
    atoms.emplace(std::vector<LeafOrdinal>(a.leaves.begin(), a.leaves.end()), a.value);
  });
  Check(atoms.size() == cube.Stats().atoms);
  return atoms;
}

// Version x Entity x Time, with three atoms.
Cube& FixedCube() {
  static const std::shared_ptr<Cube> cube = [] {
    auto created = Cube::Create("Finance", fuzz::FinanceDimensions());
    Check(created.ok());
    auto loaded = LoadFactsText(**created,
                                "Version,Entity,Time,Value\nActual,East,Q1,1\n"
                                "Budget,\"Acme Co., Ltd.\",Q2,2.5\nActual,West,Q2,-4\n",
                                "seed", Quiet());
    Check(loaded.ok());
    return *created;
  }();
  return *cube;
}

// Puts the cube back to `atoms` after a successful load.
void Restore(Cube& cube, const Atoms& atoms) {
  WriteBatch batch;
  const auto& dims = cube.dimensions();
  auto coordinate = [&](const std::vector<LeafOrdinal>& leaves) {
    Coordinate c(dims.size());
    for (size_t d = 0; d < dims.size(); ++d) c[d] = dims[d]->leaf_member(leaves[d]);
    return c;
  };
  for (const auto& [leaves, value] : AtomsOf(cube))
    if (!atoms.count(leaves)) batch.Clear(coordinate(leaves));
  for (const auto& [leaves, value] : atoms) batch.Set(coordinate(leaves), value);
  Check(cube.Write(batch).ok());
  Check(AtomsOf(cube) == atoms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Cube& cube = FixedCube();
  static const Atoms original = AtomsOf(cube);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto report = LoadFactsText(cube, text, "fuzz.csv", Quiet());
  if (!report.ok()) {
    Check(AtomsOf(cube) == original);
    return 0;
  }
  Check(report->rows == report->atoms + report->duplicates);
  Check(report->bytes == size);
  for (const auto& [leaves, value] : AtomsOf(cube)) Check(std::isfinite(value));
  Restore(cube, original);
  return 0;
}
