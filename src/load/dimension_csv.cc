// dims/<Dimension>.csv: member,parent,weight[,alias...][,attr:X...][,num:X...]
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "load/csv.h"
#include "load/file.h"
#include "quantatom/load.h"

namespace quantatom {
namespace {

enum class ColumnKind { kMember, kParent, kWeight, kAlias, kText, kNumber };

struct Column {
  ColumnKind kind;
  std::string attribute;
};

Result<std::vector<Column>> ParseHeader(const std::vector<CsvField>& header, const CsvReader& csv) {
  static const char* kFixed[] = {"member", "parent", "weight"};
  std::vector<Column> columns;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name = FoldCase(header[i].text);
    if (i < 3) {
      if (name != kFixed[i])
        return Status::Invalid(csv.Where(header[i].column) + ": header column " +
                               std::to_string(i + 1) + " must be '" + kFixed[i] + "', found '" +
                               header[i].text + "'");
      columns.push_back({static_cast<ColumnKind>(i), ""});
    } else if (name == "alias") {
      columns.push_back({ColumnKind::kAlias, ""});
    } else if (name.starts_with("attr:") && name.size() > 5) {
      columns.push_back({ColumnKind::kText, header[i].text.substr(5)});
    } else if (name.starts_with("num:") && name.size() > 4) {
      columns.push_back({ColumnKind::kNumber, header[i].text.substr(4)});
    } else {
      return Status::Invalid(csv.Where(header[i].column) + ": unknown header column '" +
                             header[i].text + "' (expected alias, attr:NAME or num:NAME)");
    }
  }
  if (columns.size() < 3)
    return Status::Invalid(csv.Where(1) + ": header must start with member,parent,weight");
  return columns;
}

Result<double> ParseNumber(const CsvField& f, const CsvReader& csv, const char* what) {
  double v = 0;
  const char* end = f.text.data() + f.text.size();
  auto [ptr, ec] = std::from_chars(f.text.data(), end, v);
  if (ec != std::errc() || ptr != end || f.text.empty())
    return Status::Invalid(csv.Where(f.column) + ": " + what + " '" + f.text + "' is not a number");
  if (!std::isfinite(v))
    return Status::Invalid(csv.Where(f.column) + ": " + what + " '" + f.text + "' is not finite");
  return v;
}

struct ParentRef {
  std::string parent;
  size_t line, column;
};

Status ApplyRow(DimensionBuilder& b, const std::vector<Column>& columns,
                const std::vector<CsvField>& row, const CsvReader& csv,
                std::vector<ParentRef>& parents) {
  const std::string& member = row[0].text;
  if (member.empty()) return Status::Invalid(csv.Where(row[0].column) + ": empty member name");
  if (row[1].text.empty()) {
    if (!row[2].text.empty())
      return Status::Invalid(csv.Where(row[2].column) + ": member '" + member +
                             "' has a weight but no parent");
    b.AddLink(member, "", 0);
  } else {
    double weight = 1;
    if (!row[2].text.empty()) {
      auto w = ParseNumber(row[2], csv, "weight");
      if (!w.ok())
        return Status(w.status().code(), w.status().message() + " (member '" + member + "')");
      weight = *w;
    }
    b.AddLink(member, row[1].text, weight);
    parents.push_back({row[1].text, csv.line(), row[1].column});
  }
  for (size_t i = 3; i < columns.size(); ++i) {
    const CsvField& f = row[i];
    if (f.text.empty()) continue;
    switch (columns[i].kind) {
      case ColumnKind::kAlias:
        b.AddAlias(member, f.text);
        break;
      case ColumnKind::kText:
        b.SetAttribute(member, columns[i].attribute, f.text);
        break;
      case ColumnKind::kNumber: {
        QA_ASSIGN_OR_RETURN(
            double v,
            ParseNumber(
                f, csv,
                ("member '" + member + "': num:" + columns[i].attribute + " value").c_str()));
        b.SetAttribute(member, columns[i].attribute, v);
        break;
      }
      default:
        break;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const Dimension>> ParseDimensionCsv(std::string_view text,
                                                           std::string dimension_name,
                                                           std::string_view file) {
  CsvReader csv(text, file);
  std::vector<CsvField> row;
  Status status;
  if (!csv.Next(row, status))
    return Status::Invalid(std::string(file) + ": empty file, expected a header");
  QA_RETURN_IF_ERROR(status);
  QA_ASSIGN_OR_RETURN(std::vector<Column> columns, ParseHeader(row, csv));
  DimensionBuilder builder(dimension_name);
  std::unordered_set<std::string> members;
  std::vector<ParentRef> parents;
  while (csv.Next(row, status)) {
    QA_RETURN_IF_ERROR(status);
    if (row.size() != columns.size())
      return Status::Invalid(csv.Where(1) + ": expected " + std::to_string(columns.size()) +
                             " fields, found " + std::to_string(row.size()));
    QA_RETURN_IF_ERROR(ApplyRow(builder, columns, row, csv, parents));
    members.insert(FoldCase(row[0].text));
  }
  for (const ParentRef& p : parents)
    if (!members.count(FoldCase(p.parent)))
      return Status::NotFound(std::string(file) + ":" + std::to_string(p.line) + ":" +
                              std::to_string(p.column) + ": unknown parent '" + p.parent + "'");
  auto dim = std::move(builder).Build();
  if (!dim.ok())
    return Status(dim.status().code(), std::string(file) + ": " + dim.status().message());
  return dim;
}

Result<std::shared_ptr<const Dimension>> LoadDimensionFile(const std::string& path) {
  QA_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  std::string stem = path.substr(path.find_last_of('/') + 1);
  stem = stem.substr(0, stem.rfind('.'));
  return ParseDimensionCsv(file.text(), stem, path);
}

}  // namespace quantatom
