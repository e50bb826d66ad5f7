// Users' held cells and sandboxes, kept beside the model.
#include "quantatom/dimension.h"
#include "quantatom/sandbox.h"

namespace quantatom {

std::vector<Coordinate> Workspaces::Holds(std::string_view user, std::string_view cube) const {
  auto it = holds_.find({std::string(user), FoldCase(cube)});
  return it == holds_.end() ? std::vector<Coordinate>() : it->second.cells;
}

void Workspaces::SetHolds(std::string_view user, std::string_view cube,
                          std::vector<Coordinate> cells) {
  std::pair<std::string, std::string> key{std::string(user), FoldCase(cube)};
  if (cells.empty()) {
    holds_.erase(key);
    return;
  }
  holds_[key] = {std::string(user), std::string(cube), std::move(cells)};
}

const Sandbox* Workspaces::FindSandbox(std::string_view owner, std::string_view name) const {
  auto it = sandboxes_.find({std::string(owner), FoldCase(name)});
  return it == sandboxes_.end() ? nullptr : &it->second;
}

Sandbox& Workspaces::OpenSandbox(std::string_view owner, std::string_view name,
                                 std::string_view cube, uint64_t base_sequence) {
  auto [it, added] = sandboxes_.try_emplace({std::string(owner), FoldCase(name)});
  if (added) {
    it->second.owner = owner;
    it->second.name = name;
    it->second.cube = cube;
    it->second.base_sequence = base_sequence;
  }
  return it->second;
}

bool Workspaces::RemoveSandbox(std::string_view owner, std::string_view name) {
  return sandboxes_.erase({std::string(owner), FoldCase(name)}) > 0;
}

std::vector<const Sandbox*> Workspaces::SandboxesOf(std::string_view owner) const {
  std::vector<const Sandbox*> out;
  for (const auto& [key, s] : sandboxes_)
    if (key.first == owner) out.push_back(&s);
  return out;
}

void Workspaces::DropCube(std::string_view cube) {
  const std::string folded = FoldCase(cube);
  std::erase_if(holds_, [&](const auto& h) { return h.first.second == folded; });
  std::erase_if(sandboxes_, [&](const auto& s) { return FoldCase(s.second.cube) == folded; });
}

std::vector<Workspaces::HoldList> Workspaces::AllHolds() const {
  std::vector<HoldList> out;
  for (const auto& [key, h] : holds_) out.push_back(h);
  return out;
}

std::vector<const Sandbox*> Workspaces::AllSandboxes() const {
  std::vector<const Sandbox*> out;
  for (const auto& [key, s] : sandboxes_) out.push_back(&s);
  return out;
}

}  // namespace quantatom
