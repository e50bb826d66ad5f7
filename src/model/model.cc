#include "quantatom/model.h"

namespace quantatom {
namespace {

template <typename T>
T FindByName(const std::vector<T>& items, std::string_view name) {
  std::string folded = FoldCase(name);
  for (const T& item : items)
    if (FoldCase(item->name()) == folded) return item;
  return nullptr;
}

}  // namespace

Status Model::AddDimension(std::shared_ptr<const Dimension> dim) {
  if (FindDimension(dim->name()))
    return Status::AlreadyExists("dimension '" + dim->name() + "' exists");
  dims_.push_back(std::move(dim));
  return Status::Ok();
}

Status Model::AddCube(std::shared_ptr<Cube> cube) {
  if (FindCube(cube->name())) return Status::AlreadyExists("cube '" + cube->name() + "' exists");
  cubes_.push_back(std::move(cube));
  return Status::Ok();
}

std::shared_ptr<const Dimension> Model::FindDimension(std::string_view name) const {
  return FindByName(dims_, name);
}

std::shared_ptr<Cube> Model::FindCube(std::string_view name) const {
  return FindByName(cubes_, name);
}

Result<std::shared_ptr<Cube>> Model::GetCube(std::string_view name) const {
  auto cube = FindCube(name);
  if (!cube) return Status::NotFound("unknown cube '" + std::string(name) + "'");
  return cube;
}

}  // namespace quantatom
