// A model: named dimensions and the cubes built over them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/dimension.h"
#include "quantatom/status.h"

namespace quantatom {

// REQUIRES: external synchronization for AddDimension/AddCube; lookups are
// safe to run concurrently with each other.
class Model {
 public:
  Status AddDimension(std::shared_ptr<const Dimension> dim);
  Status AddCube(std::shared_ptr<Cube> cube);

  // By name, case-insensitive; nullptr when unknown.
  std::shared_ptr<const Dimension> FindDimension(std::string_view name) const;
  std::shared_ptr<Cube> FindCube(std::string_view name) const;
  Result<std::shared_ptr<Cube>> GetCube(std::string_view name) const;

  const std::vector<std::shared_ptr<const Dimension>>& dimensions() const { return dims_; }
  const std::vector<std::shared_ptr<Cube>>& cubes() const { return cubes_; }

 private:
  std::vector<std::shared_ptr<const Dimension>> dims_;
  std::vector<std::shared_ptr<Cube>> cubes_;
};

}  // namespace quantatom
