// Resident memory of this process, for the bytes-per-atom figures.
#pragma once

#include <cstddef>

namespace quantatom {

// Returns freed heap pages to the system first, so the figure is what the
// process really holds.
size_t ResidentBytes();
size_t PeakResidentBytes();

}  // namespace quantatom
