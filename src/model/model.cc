#include "quantatom/model.h"

#include <algorithm>

namespace quantatom {
namespace {

template <typename T>
T FindByName(const std::vector<T>& items, std::string_view name) {
  std::string folded = FoldCase(name);
  for (const T& item : items)
    if (FoldCase(item->name()) == folded) return item;
  return nullptr;
}

template <typename T>
Status ReplaceByName(std::vector<T>& items, T replacement, const char* what) {
  std::string folded = FoldCase(replacement->name());
  for (T& item : items) {
    if (FoldCase(item->name()) != folded) continue;
    item = std::move(replacement);
    return Status::Ok();
  }
  return Status::NotFound(std::string("unknown ") + what + " '" + replacement->name() + "'");
}

template <typename T>
Status RemoveByName(std::vector<T>& items, std::string_view name, const char* what) {
  std::string folded = FoldCase(name);
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const T& item) { return FoldCase(item->name()) == folded; });
  if (it == items.end())
    return Status::NotFound(std::string("unknown ") + what + " '" + std::string(name) + "'");
  items.erase(it);
  return Status::Ok();
}

}  // namespace

Status Model::AddDimension(std::shared_ptr<const Dimension> dim) {
  if (FindDimension(dim->name()))
    return Status::AlreadyExists("dimension '" + dim->name() + "' exists");
  dims_.push_back(std::move(dim));
  return Status::Ok();
}

Status Model::AddCube(std::shared_ptr<Cube> cube, uint64_t created_sequence) {
  if (FindCube(cube->name())) return Status::AlreadyExists("cube '" + cube->name() + "' exists");
  cube_created_[FoldCase(cube->name())] = created_sequence;
  views_.erase(FoldCase(cube->name()));
  rules_.erase(FoldCase(cube->name()));
  cubes_.push_back(std::move(cube));
  return Status::Ok();
}

Status Model::ReplaceDimension(std::shared_ptr<const Dimension> dim) {
  return ReplaceByName(dims_, std::move(dim), "dimension");
}

Status Model::ReplaceCube(std::shared_ptr<Cube> cube) {
  return ReplaceByName(cubes_, std::move(cube), "cube");
}

Status Model::RemoveDimension(std::string_view name) {
  return RemoveByName(dims_, name, "dimension");
}

Status Model::RemoveCube(std::string_view name) {
  QA_RETURN_IF_ERROR(RemoveByName(cubes_, name, "cube"));
  cube_created_.erase(FoldCase(name));
  views_.erase(FoldCase(name));
  workspaces_.DropCube(name);
  rules_.erase(FoldCase(name));
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

uint64_t Model::CubeCreatedSequence(std::string_view name) const {
  auto it = cube_created_.find(FoldCase(name));
  return it == cube_created_.end() ? 0 : it->second;
}

Status Model::SetView(std::string_view cube, SavedView view) {
  if (!FindCube(cube)) return Status::NotFound("unknown cube '" + std::string(cube) + "'");
  views_[FoldCase(cube)][FoldCase(view.name)] = std::move(view);
  return Status::Ok();
}

Status Model::RemoveView(std::string_view cube, std::string_view name) {
  auto it = views_.find(FoldCase(cube));
  if (it == views_.end() || !it->second.erase(FoldCase(name)))
    return Status::NotFound("cube '" + std::string(cube) + "' has no view '" + std::string(name) +
                            "'");
  if (it->second.empty()) views_.erase(it);
  return Status::Ok();
}

std::vector<SavedView> Model::Views(std::string_view cube) const {
  std::vector<SavedView> out;
  auto it = views_.find(FoldCase(cube));
  if (it == views_.end()) return out;
  for (const auto& [folded, view] : it->second) out.push_back(view);
  return out;
}

Status Model::SetRulesText(CubeRules rules) {
  auto cube = FindCube(rules.cube);
  if (!cube) return Status::NotFound("unknown cube '" + rules.cube + "'");
  rules.cube = cube->name();
  if (rules.text.empty()) {
    rules_.erase(FoldCase(rules.cube));
  } else {
    rules_[FoldCase(rules.cube)] = std::move(rules);
  }
  return Status::Ok();
}

std::optional<CubeRules> Model::RulesText(std::string_view cube) const {
  auto it = rules_.find(FoldCase(cube));
  if (it == rules_.end()) return std::nullopt;
  return it->second;
}

std::vector<CubeRules> Model::AllRulesText() const {
  std::vector<CubeRules> out;
  for (const auto& cube : cubes_)
    if (auto r = RulesText(cube->name())) out.push_back(std::move(*r));
  return out;
}

}  // namespace quantatom
