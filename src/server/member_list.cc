#include "server/member_list.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

#include "quantatom/dimension.h"

namespace quantatom::server {
namespace {

using nlohmann::json;

// A bad member list; turned into the Status MemberListCsv returns.
struct Refusal {
  Status status;
  static Refusal Invalid(std::string message) { return {Status::Invalid(std::move(message))}; }
};

void Known(const json& object, const std::string& where, std::initializer_list<const char*> known) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
      throw Refusal::Invalid(where + ": unknown field '" + key + "'");
  }
}

std::string Text(const json& object, const char* name, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string())
    throw Refusal::Invalid(where + "." + name + ": a string is required");
  return it->get<std::string>();
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? "\"\"" : std::string(1, c);
  return out + "\"";
}

std::string Number(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

struct JsonMember {
  std::string name;
  std::vector<std::pair<std::string, double>> parents;
  std::vector<std::string> aliases;
  std::vector<std::pair<std::string, json>> attributes;  // strings or numbers
};

double WeightOf(const json& link, const std::string& where) {
  auto w = link.find("weight");
  if (w == link.end()) return 1;
  if (!w->is_number()) throw Refusal::Invalid(where + ".weight: a number");
  return w->get<double>();
}

std::vector<JsonMember> ParseMembers(const json& members, size_t members_max) {
  if (!members.is_array() || members.empty())
    throw Refusal::Invalid("'members': a non-empty array expected");
  if (members.size() > members_max)
    throw Refusal{Status::Limit("'members': at most " + std::to_string(members_max))};
  std::vector<JsonMember> out;
  for (size_t i = 0; i < members.size(); ++i) {
    const json& m = members[i];
    const std::string where = "members[" + std::to_string(i) + "]";
    if (!m.is_object()) throw Refusal::Invalid(where + ": an object expected");
    Known(m, where, {"name", "parents", "aliases", "attributes"});
    JsonMember member{Text(m, "name", where), {}, {}, {}};
    if (member.name.empty()) throw Refusal::Invalid(where + ".name: empty");
    if (auto parents = m.find("parents"); parents != m.end()) {
      if (!parents->is_array()) throw Refusal::Invalid(where + ".parents: an array expected");
      for (size_t k = 0; k < parents->size(); ++k) {
        const json& link = (*parents)[k];
        const std::string at = where + ".parents[" + std::to_string(k) + "]";
        if (!link.is_object()) throw Refusal::Invalid(at + ": {\"name\", \"weight\"} expected");
        Known(link, at, {"name", "weight"});
        member.parents.emplace_back(Text(link, "name", at), WeightOf(link, at));
      }
    }
    if (auto aliases = m.find("aliases"); aliases != m.end()) {
      if (!aliases->is_array())
        throw Refusal::Invalid(where + ".aliases: an array of names expected");
      for (const json& a : *aliases) {
        if (!a.is_string() || a.get_ref<const std::string&>().empty())
          throw Refusal::Invalid(where + ".aliases: non-empty names expected");
        member.aliases.push_back(a);
      }
    }
    if (auto attributes = m.find("attributes"); attributes != m.end()) {
      if (!attributes->is_object())
        throw Refusal::Invalid(where + ".attributes: an object expected");
      for (auto& [name, value] : attributes->items()) {
        if (!value.is_string() && !value.is_number())
          throw Refusal::Invalid(where + ".attributes." + name + ": a string or a number expected");
        member.attributes.emplace_back(name, value);
      }
    }
    out.push_back(std::move(member));
  }
  return out;
}

// The member list as the dimension CSV: one row per parent link (a root
// has one without), aliases and attributes on a member's first row.
std::string MembersToCsv(const std::vector<JsonMember>& members) {
  size_t alias_columns = 0;
  std::map<std::string, bool> numeric;  // attribute -> holds numbers
  std::vector<std::string> attributes;  // in first-seen order
  for (const JsonMember& m : members) {
    alias_columns = std::max(alias_columns, m.aliases.size());
    for (const auto& [name, value] : m.attributes) {
      auto [it, fresh] = numeric.try_emplace(name, value.is_number());
      if (fresh) attributes.push_back(name);
      if (it->second != value.is_number())
        throw Refusal::Invalid("attribute '" + name + "' holds both strings and numbers");
    }
  }
  std::string csv = "member,parent,weight";
  for (size_t i = 0; i < alias_columns; ++i) csv += ",alias";
  for (const std::string& a : attributes)
    csv += "," + CsvField((numeric[a] ? "num:" : "attr:") + a);
  csv += "\n";
  for (const JsonMember& m : members) {
    const size_t rows = std::max<size_t>(1, m.parents.size());
    for (size_t r = 0; r < rows; ++r) {
      csv += CsvField(m.name);
      if (m.parents.empty())
        csv += ",,";
      else
        csv += "," + CsvField(m.parents[r].first) + "," + Number(m.parents[r].second);
      for (size_t i = 0; i < alias_columns; ++i)
        csv += "," + (r == 0 && i < m.aliases.size() ? CsvField(m.aliases[i]) : "");
      for (const std::string& a : attributes) {
        csv += ",";
        if (r != 0) continue;
        for (const auto& [name, value] : m.attributes)
          if (name == a)
            csv += value.is_number() ? Number(value.get<double>())
                                     : CsvField(value.get<std::string>());
      }
      csv += "\n";
    }
  }
  return csv;
}

}  // namespace

Result<std::string> MemberListCsv(const json& members, size_t members_max) {
  try {
    return MembersToCsv(ParseMembers(members, members_max));
  } catch (const Refusal& r) {
    return r.status;
  }
}

}  // namespace quantatom::server
