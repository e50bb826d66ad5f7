#include "db/structure_log.h"

#include <nlohmann/json.hpp>

namespace quantatom {
namespace {

using nlohmann::json;

Result<std::string> Dump(const json& j) {
  try {
    return j.dump();
  } catch (const json::exception&) {
    return Status::Invalid("a name or text is not valid UTF-8");
  }
}

Status Bad(const Transaction& txn, const std::string& what) {
  return Status::Corruption("transaction " + std::to_string(txn.sequence) + ": bad " +
                            OperationKindName(txn.kind) + " parameters (" + what + ")");
}

// Parses the parameters and runs `read` on them; any JSON error (a missing
// member, a wrong type) is corruption of the log.
template <typename T, typename Read>
Result<T> Parse(const Transaction& txn, Read read) {
  json p = json::parse(txn.parameters, nullptr, false);
  if (p.is_discarded() || !p.is_object()) return Bad(txn, "not a JSON object");
  try {
    return read(p);
  } catch (const json::exception& e) {
    return Bad(txn, e.what());
  }
}

json AttributeJson(const std::optional<AttributeValue>& v) {
  if (!v) return nullptr;
  if (const auto* text = std::get_if<std::string>(&*v)) return *text;
  return std::get<double>(*v);
}

std::optional<AttributeValue> AttributeOf(const json& j) {
  if (j.is_null()) return std::nullopt;
  if (j.is_string()) return AttributeValue(j.get<std::string>());
  return AttributeValue(j.get<double>());
}

}  // namespace

Result<std::string> CreateDimensionParameters(const std::string& name, const std::string& csv) {
  return Dump({{"name", name}, {"csv", csv}});
}

Result<std::string> CreateCubeParameters(const std::string& name,
                                         const std::vector<std::string>& dimensions) {
  return Dump({{"name", name}, {"dimensions", dimensions}});
}

Result<std::string> DeleteParameters(const std::string& name) { return Dump({{"name", name}}); }

Result<std::string> SaveViewParameters(const std::string& cube, const std::string& name,
                                       const std::string& view) {
  return Dump({{"cube", cube}, {"name", name}, {"view", view}});
}

Result<std::string> DeleteViewParameters(const std::string& cube, const std::string& name) {
  return Dump({{"cube", cube}, {"name", name}});
}

OperationKind MemberChangeOperation(MemberChange::Kind kind) {
  switch (kind) {
    case MemberChange::Kind::kAdd:
      return OperationKind::kAddMember;
    case MemberChange::Kind::kUpdate:
      return OperationKind::kUpdateMember;
    case MemberChange::Kind::kMove:
      return OperationKind::kMoveMember;
    case MemberChange::Kind::kDelete:
      return OperationKind::kDeleteMember;
  }
  return OperationKind::kAddMember;
}

Result<std::string> MemberChangeParameters(const MemberChange& c) {
  json p = {{"dimension", c.dimension}, {"member", c.member}, {"delete_data", c.delete_data}};
  json parents = json::array(), attributes = json::array();
  for (const ParentLink& link : c.parents)
    parents.push_back({{"parent", link.parent}, {"weight", link.weight}});
  for (const auto& [name, value] : c.attributes)
    attributes.push_back(json::array({name, AttributeJson(value)}));
  p["parents"] = parents;
  p["attributes"] = attributes;
  if (c.aliases) p["aliases"] = *c.aliases;
  if (c.new_name) p["name"] = *c.new_name;
  p["children"] = c.children == ChildrenOfDeleted::kOrphan ? "orphan" : "reparent";
  return Dump(p);
}

Result<MemberChange> MemberChangeOf(const Transaction& txn) {
  MemberChange c;
  switch (txn.kind) {
    case OperationKind::kAddMember:
      c.kind = MemberChange::Kind::kAdd;
      break;
    case OperationKind::kUpdateMember:
      c.kind = MemberChange::Kind::kUpdate;
      break;
    case OperationKind::kMoveMember:
      c.kind = MemberChange::Kind::kMove;
      break;
    case OperationKind::kDeleteMember:
      c.kind = MemberChange::Kind::kDelete;
      break;
    default:
      return Bad(txn, "not a member change");
  }
  return Parse<MemberChange>(txn, [&](const json& p) {
    c.dimension = p.at("dimension").get<std::string>();
    c.member = p.at("member").get<std::string>();
    c.delete_data = p.at("delete_data").get<bool>();
    for (const json& link : p.at("parents"))
      c.parents.push_back({link.at("parent").get<std::string>(), link.at("weight").get<double>()});
    for (const json& a : p.at("attributes"))
      c.attributes.emplace_back(a.at(0).get<std::string>(), AttributeOf(a.at(1)));
    if (p.contains("aliases")) c.aliases = p["aliases"].get<std::vector<std::string>>();
    if (p.contains("name")) c.new_name = p["name"].get<std::string>();
    c.children =
        p.at("children") == "orphan" ? ChildrenOfDeleted::kOrphan : ChildrenOfDeleted::kReparent;
    return c;
  });
}

Result<CreateDimensionArgs> CreateDimensionOf(const Transaction& txn) {
  return Parse<CreateDimensionArgs>(txn, [](const json& p) {
    return CreateDimensionArgs{p.at("name").get<std::string>(), p.at("csv").get<std::string>()};
  });
}

Result<CreateCubeArgs> CreateCubeOf(const Transaction& txn) {
  return Parse<CreateCubeArgs>(txn, [](const json& p) {
    return CreateCubeArgs{p.at("name").get<std::string>(),
                          p.at("dimensions").get<std::vector<std::string>>()};
  });
}

Result<std::string> DeletedNameOf(const Transaction& txn) {
  return Parse<std::string>(txn, [](const json& p) { return p.at("name").get<std::string>(); });
}

Result<ViewArgs> ViewOf(const Transaction& txn) {
  return Parse<ViewArgs>(txn, [](const json& p) {
    return ViewArgs{p.at("cube").get<std::string>(), p.at("name").get<std::string>(),
                    p.value("view", std::string())};
  });
}

}  // namespace quantatom
