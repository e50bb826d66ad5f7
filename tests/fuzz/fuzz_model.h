// What the fuzz targets share: a check that aborts (libFuzzer reports it)
// and small dimensions parsed from CSV text.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/load.h"

namespace quantatom::fuzz {

inline void Check(bool ok) {
  if (!ok) std::abort();
}

inline std::shared_ptr<const Dimension> Dim(std::string name, std::string_view csv) {
  auto dim = ParseDimensionCsv(csv, std::move(name), "fuzz");
  Check(dim.ok());
  return *dim;
}

// Version x Entity x Time: aliases, a member name holding a comma and a
// negative weight.
inline std::vector<std::shared_ptr<const Dimension>> FinanceDimensions() {
  return {Dim("Version", "member,parent,weight\nActual,,\nBudget,,\n"),
          Dim("Entity",
              "member,parent,weight,alias\nTotal,,,\nEast,Total,1,E\n"
              "\"Acme Co., Ltd.\",Total,1,ACME\nWest,Total,-1,\n"),
          Dim("Time", "member,parent,weight\nFY,,\nQ1,FY,1\nQ2,FY,1\n")};
}

}  // namespace quantatom::fuzz
