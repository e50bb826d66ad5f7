// libFuzzer: the bulk-write body parsers on arbitrary bytes into a small
// fixed cube: ParseFactsColumnar, and ParseFactsText skipping bad rows.
// Either fails as a whole or accounts for every cell it read: the atoms it
// took are finite values at leaves of the cube, the cells it rejected are
// counted, and no more are listed than asked; abort() otherwise.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_model.h"
#include "quantatom/load.h"

namespace {

using namespace quantatom;
using fuzz::Check;

// Version x Entity x Time.
const Cube& FixedCube() {
  static const std::shared_ptr<Cube> cube = [] {
    auto created = Cube::Create("Finance", fuzz::FinanceDimensions());
    Check(created.ok());
    return *created;
  }();
  return *cube;
}

void CheckParsed(const Cube& cube, const Result<ParsedFacts>& parsed, const LoadOptions& options) {
  if (!parsed.ok()) return;
  Check(parsed->atoms.keys.size() == parsed->atoms.values.size());
  Check(parsed->rejected.size() <= options.rejected_rows_listed_max);
  Check(parsed->rejected.size() <= parsed->rejected_count);
  LeafOrdinal leaves[3];
  for (size_t i = 0; i < parsed->atoms.keys.size(); ++i) {
    Check(std::isfinite(parsed->atoms.values[i]));
    cube.UnpackKey(parsed->atoms.keys[i], leaves);
    for (size_t d = 0; d < 3; ++d) Check(leaves[d] < cube.dimensions()[d]->leaf_count());
    // Leaf 0 of Version (Actual) is refused below.
    Check(leaves[0] != 0);
  }
  for (const RejectedRow& r : parsed->rejected) Check(!r.message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Cube& cube = FixedCube();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadOptions options;
  options.progress = false;
  options.skip_bad_rows = true;
  options.rejected_rows_listed_max = 4;
  options.accept_cell = [](std::span<const LeafOrdinal> leaves) { return leaves[0] != 0; };
  CheckParsed(cube, ParseFactsColumnar(cube, text, options), options);
  CheckParsed(cube, ParseFactsText(cube, text, "fuzz.csv", options), options);
  return 0;
}
