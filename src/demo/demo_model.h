// The demo model: a readable planning model shaped like planbench scale S
// (bench/WORKLOAD.md), written in the model directory format of
// docs/formats.md. It has legal entities such as "Acme Inc. (Boston)",
// products such as "ProBook 14", the planbench P&L, aliases, string and
// numeric attributes and an alternate product hierarchy with shared members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "quantatom/status.h"

namespace quantatom {

struct DemoOptions {
  // Same seed, same bytes on every platform (no std:: distributions, no libm
  // calls on the value path). The seed changes facts and Headcount only.
  uint64_t seed = 1;
  // Legal entities in each of the 40 countries, 1..1000. The default 5 gives
  // 200 entities and about 1 M atoms, like planbench S.
  int entities_per_country = 5;
};

struct DemoReport {
  size_t atoms = 0;  // rows written to cubes/Finance.csv, one per atom
};

// Writes dir/dims/{Version,Time,Entity,Account,Product}.csv,
// dir/cubes/Finance.csv and dir/rules/Finance.rules (a leaf rule computing
// Sales Commissions, a consolidated rule computing Gross Margin %),
// creating directories as needed and replacing files
// of those names. Errors: kLimitExceeded for entities_per_country out of
// range; kIoError naming the path when a directory or file cannot be
// created or written (files already written are left in place).
Result<DemoReport> WriteDemoModel(const std::string& dir, const DemoOptions& options);

}  // namespace quantatom
