// The view JSON of docs/view.md.
#include <nlohmann/json.hpp>

#include "quantatom/view.h"

namespace quantatom {
namespace {

using nlohmann::json;

Status Bad(const std::string& path, const std::string& what) {
  return Status::Invalid("view: " + path + ": " + what);
}

Result<std::vector<std::string>> Terms(const json& j, const std::string& path) {
  if (j.is_string()) return std::vector<std::string>{j.get<std::string>()};
  if (!j.is_array() || j.empty())
    return Bad(path, "expected a member term or a non-empty array of them");
  std::vector<std::string> terms;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) return Bad(path + "[" + std::to_string(i) + "]", "expected a string");
    terms.push_back(j[i].get<std::string>());
  }
  return terms;
}

Result<AxisDimension> ParseAxisDimension(const json& j, const std::string& path) {
  if (!j.is_object()) return Bad(path, "expected an object with 'dimension' and 'members'");
  AxisDimension axis;
  for (auto& [key, value] : j.items()) {
    if (key == "dimension") {
      if (!value.is_string()) return Bad(path + ".dimension", "expected a string");
      axis.dimension = value.get<std::string>();
    } else if (key == "members") {
      QA_ASSIGN_OR_RETURN(axis.members, Terms(value, path + ".members"));
    } else if (key == "order") {
      if (value == "parents_first") {
        axis.order = HierarchyOrder::kParentsFirst;
      } else if (value == "parents_last") {
        axis.order = HierarchyOrder::kParentsLast;
      } else {
        return Bad(path + ".order", "expected \"parents_first\" or \"parents_last\"");
      }
    } else {
      return Bad(path + "." + key, "unknown field");
    }
  }
  if (axis.dimension.empty()) return Bad(path + ".dimension", "missing");
  if (axis.members.empty()) return Bad(path + ".members", "missing");
  return axis;
}

Result<std::vector<AxisDimension>> ParseAxis(const json& j, const std::string& path) {
  std::vector<AxisDimension> axis;
  if (j.is_object()) {
    QA_ASSIGN_OR_RETURN(AxisDimension one, ParseAxisDimension(j, path));
    axis.push_back(std::move(one));
    return axis;
  }
  if (!j.is_array() || j.empty())
    return Bad(path, "expected an object or a non-empty array of objects");
  for (size_t i = 0; i < j.size(); ++i) {
    QA_ASSIGN_OR_RETURN(AxisDimension one,
                        ParseAxisDimension(j[i], path + "[" + std::to_string(i) + "]"));
    axis.push_back(std::move(one));
  }
  return axis;
}

Status ParseSuppress(const json& j, ViewSpec& view) {
  if (j.is_boolean()) {
    view.suppress_empty_rows = view.suppress_empty_columns = j.get<bool>();
    return Status::Ok();
  }
  if (!j.is_object())
    return Bad("suppress_empty", "expected a boolean or {\"rows\": bool, \"columns\": bool}");
  for (auto& [key, value] : j.items()) {
    if (!value.is_boolean()) return Bad("suppress_empty." + key, "expected a boolean");
    if (key == "rows") {
      view.suppress_empty_rows = value.get<bool>();
    } else if (key == "columns") {
      view.suppress_empty_columns = value.get<bool>();
    } else {
      return Bad("suppress_empty." + key, "unknown field");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ViewSpec> ParseViewJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    try {  // parse again only to learn where it failed
      json unused = json::parse(text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
      return Status::Invalid(std::string("view: malformed JSON: ") + e.what());
    }
    return Status::Invalid("view: malformed JSON");
  }
  if (!j.is_object()) return Bad("(top)", "expected an object");
  ViewSpec view;
  bool has_rows = false, has_columns = false;
  for (auto& [key, value] : j.items()) {
    if (key == "cube") {
      if (!value.is_string()) return Bad("cube", "expected a string");
      view.cube = value.get<std::string>();
    } else if (key == "rows") {
      QA_ASSIGN_OR_RETURN(view.rows, ParseAxis(value, "rows"));
      has_rows = true;
    } else if (key == "columns") {
      QA_ASSIGN_OR_RETURN(view.columns, ParseAxis(value, "columns"));
      has_columns = true;
    } else if (key == "context") {
      if (!value.is_object()) return Bad("context", "expected an object of dimension: member");
      for (auto& [dim, member] : value.items()) {
        if (!member.is_string()) return Bad("context." + dim, "expected a member name");
        view.context.emplace_back(dim, member.get<std::string>());
      }
    } else if (key == "suppress_empty") {
      QA_RETURN_IF_ERROR(ParseSuppress(value, view));
    } else {
      return Bad(key, "unknown field");
    }
  }
  if (view.cube.empty()) return Bad("cube", "missing");
  if (!has_rows) return Bad("rows", "missing");
  if (!has_columns) return Bad("columns", "missing");
  return view;
}

}  // namespace quantatom
