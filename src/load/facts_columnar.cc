// Columnar JSON facts, read with nlohmann's SAX interface: a million cells
// are a few vectors of leaf ordinals and doubles, never a million objects.
#include <cmath>
#include <nlohmann/json.hpp>

#include "load/column_resolver.h"
#include "quantatom/load.h"

namespace quantatom {
namespace {

using nlohmann::json;

// One entry that cannot be part of a cell, kept only for the first cells.
struct BadEntry {
  size_t index;
  RejectedRow why;
};

// Where the reader is: which top-level member, which column.
enum class In { kTop, kDimensions, kColumns, kColumn, kMembers, kDictionary, kValues, kDone };

class ColumnarReader : public nlohmann::json_sax<json> {
 public:
  ColumnarReader(const Cube& cube, const LoadOptions& options)
      : cube_(cube), listed_max_(std::max<size_t>(options.rejected_rows_listed_max, 1)) {
    for (size_t d = 0; d < cube.dimensions().size(); ++d)
      resolvers_.emplace_back(*cube.dimensions()[d], d, options.member_visible);
    columns_.resize(resolvers_.size());
    bad_.resize(resolvers_.size() + 1);  // the last: values
    seen_.resize(resolvers_.size(), false);
    has_dictionary_.resize(resolvers_.size(), false);
    indexed_.resize(resolvers_.size(), false);
    dictionary_.resize(resolvers_.size());
  }

  bool null() override { return Value(std::nullopt, "null"); }
  bool boolean(bool) override { return Value(std::nullopt, "a boolean"); }
  bool number_integer(number_integer_t v) override { return Value(static_cast<double>(v), ""); }
  bool number_unsigned(number_unsigned_t v) override {
    if (in_ == In::kColumn) return Index(v);
    return Value(static_cast<double>(v), "");
  }
  bool number_float(number_float_t v, const string_t&) override { return Value(v, ""); }
  bool binary(binary_t&) override { return Fail("unexpected binary value"); }

  bool string(string_t& text) override {
    if (in_ == In::kDimensions) {
      auto d = cube_.DimensionIndex(text);
      if (!d)
        return Fail("'dimensions': cube '" + cube_.name() + "' has no dimension '" + text + "'");
      listed_dims_.push_back(*d);
      return true;
    }
    if (in_ == In::kColumn) return Member(text);
    if (in_ == In::kDictionary) {
      dictionary_[column_].push_back(resolvers_[column_].FindLeaf(text));
      dictionary_[column_].back().message += '\0' + text;  // the name, after the message
      return true;
    }
    return Value(std::nullopt, "a string");
  }

  bool start_object(std::size_t) override {
    if (in_ == In::kTop && !started_) return started_ = true;
    if (in_ == In::kTop && (key_ == "columns" || key_ == "members")) {
      in_ = key_ == "columns" ? In::kColumns : In::kMembers;
      return true;
    }
    return Fail(Where() + ": unexpected object");
  }

  bool key(string_t& k) override {
    if (in_ == In::kColumns || in_ == In::kMembers) {
      const std::string field = in_ == In::kColumns ? "'columns'" : "'members'";
      auto d = cube_.DimensionIndex(k);
      if (!d) return Fail(field + ": cube '" + cube_.name() + "' has no dimension '" + k + "'");
      std::vector<bool>& seen = in_ == In::kColumns ? seen_ : has_dictionary_;
      if (seen[*d]) return Fail(field + ": dimension '" + k + "' appears twice");
      seen[*d] = true;
      column_ = *d;
      return true;
    }
    if (k != "dimensions" && k != "columns" && k != "members" && k != "values")
      return Fail("unknown field '" + k + "' (expected dimensions, members, columns and values)");
    key_ = k;
    return true;
  }

  bool end_object() override {
    in_ = in_ == In::kColumns || in_ == In::kMembers ? In::kTop : In::kDone;
    return true;
  }

  bool start_array(std::size_t) override {
    if (in_ == In::kTop && key_ == "dimensions") {
      in_ = In::kDimensions;
    } else if (in_ == In::kTop && key_ == "values") {
      in_ = In::kValues;
    } else if (in_ == In::kColumns) {
      in_ = In::kColumn;
    } else if (in_ == In::kMembers) {
      in_ = In::kDictionary;
    } else {
      return Fail(Where() + ": unexpected array");
    }
    return true;
  }

  bool end_array() override {
    in_ = in_ == In::kColumn ? In::kColumns : in_ == In::kDictionary ? In::kMembers : In::kTop;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    if (error_.empty()) {
      std::string what = e.what();
      if (size_t p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
      error_ = "malformed JSON at byte " + std::to_string(position) + ": " + what;
    }
    return false;
  }

  const std::string& error() const { return error_; }

  // The cells, once the whole text was read.
  Result<ParsedFacts> Cells(const LoadOptions& options) {
    QA_RETURN_IF_ERROR(CheckShape());
    for (size_t d = 0; d < columns_.size(); ++d)
      if (indexed_[d]) QA_RETURN_IF_ERROR(Translate(d));
    const size_t n = values_.size(), dims = columns_.size();
    ParsedFacts parsed;
    parsed.atoms.keys.reserve(n);
    parsed.atoms.values.reserve(n);
    std::vector<size_t> next_bad(dims + 1, 0);
    LeafOrdinal leaves[64];
    for (size_t i = 0; i < n; ++i) {
      const RejectedRow* why = nullptr;
      for (size_t d = 0; d < dims && !why; ++d) {
        leaves[d] = columns_[d][i];
        if (leaves[d] == kNotALeaf) why = BadAt(d, i, next_bad);
      }
      if (!why && !std::isfinite(values_[i])) why = BadAt(dims, i, next_bad);
      static const RejectedRow kRefused{0, 0, RowProblem::kRefused, "no write access to this cell",
                                        ""};
      if (!why && options.accept_cell && !options.accept_cell({leaves, dims})) why = &kRefused;
      if (!why) {
        parsed.atoms.keys.push_back(cube_.PackLeaves(leaves));
        parsed.atoms.values.push_back(values_[i]);
        continue;
      }
      if (!options.skip_bad_rows)
        return Status::Invalid("cell " + std::to_string(i) + ": " + why->message);
      ++parsed.rejected_count;
      if (parsed.rejected.size() < options.rejected_rows_listed_max) {
        parsed.rejected.push_back(*why);
        parsed.rejected.back().line = i;
      }
    }
    return parsed;
  }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  std::string Where() const {
    if (in_ == In::kColumn)
      return "'columns." + cube_.dimensions()[column_]->name() + "'[" +
             std::to_string(columns_[column_].size()) + "]";
    if (in_ == In::kValues) return "'values'[" + std::to_string(values_.size()) + "]";
    return in_ == In::kTop ? "'" + key_ + "'" : "the body";
  }

  // An index into the column's "members" list, translated once all is read.
  bool Index(uint64_t index) {
    std::vector<LeafOrdinal>& column = columns_[column_];
    if (!column.empty() && !indexed_[column_])
      return Fail(Where() + ": a column holds member names or indices, not both");
    indexed_[column_] = true;
    column.push_back(static_cast<LeafOrdinal>(std::min<uint64_t>(index, kNotALeaf)));
    return true;
  }

  // Indices of column d to leaves through its "members" list; entries
  // naming a bad member are bad entries.
  Status Translate(size_t d) {
    const std::string name = cube_.dimensions()[d]->name();
    if (!has_dictionary_[d])
      return Status::Invalid("'columns." + name +
                             "' holds indices but 'members' has no list for '" + name + "'");
    const std::vector<ColumnResolver::Leaf>& dictionary = dictionary_[d];
    for (size_t i = 0; i < columns_[d].size(); ++i) {
      LeafOrdinal& entry = columns_[d][i];
      if (entry >= dictionary.size())
        return Status::Invalid("'columns." + name + "'[" + std::to_string(i) + "]: index " +
                               std::to_string(entry) + " is past the " +
                               std::to_string(dictionary.size()) + " names of 'members." + name +
                               "'");
      const ColumnResolver::Leaf& found = dictionary[entry];
      entry = found.leaf;
      if (entry == kNotALeaf && bad_[d].size() < listed_max_) {
        size_t zero = found.message.find('\0');
        bad_[d].push_back(
            {i,
             {0, 0, found.problem, found.message.substr(0, zero), found.message.substr(zero + 1)}});
      }
    }
    return Status::Ok();
  }

  bool Member(const std::string& text) {
    if (indexed_[column_])
      return Fail(Where() + ": a column holds member names or indices, not both");
    std::vector<LeafOrdinal>& column = columns_[column_];
    Last& last = last_[column_ % kLastMax];
    if (last.dim == column_ && last.text == text) {
      column.push_back(last.leaf);
      return true;
    }
    ColumnResolver::Leaf found = resolvers_[column_].FindLeaf(text);
    if (found.leaf == kNotALeaf && bad_[column_].size() < listed_max_)
      bad_[column_].push_back({column.size(), {0, 0, found.problem, found.message, text}});
    last = {column_, text, found.leaf};
    column.push_back(found.leaf);
    return true;
  }

  bool Value(std::optional<double> v, const char* wrong) {
    if (in_ == In::kColumn)
      return Fail(Where() + ": expected a member name, found " + (v ? "a number" : wrong));
    if (in_ != In::kValues) return Fail(Where() + ": unexpected value");
    if (!v || !std::isfinite(*v)) {
      if (bad_.back().size() < listed_max_)
        bad_.back().push_back(
            {values_.size(),
             {0, 0, RowProblem::kBadValue,
              std::string("value is ") + (v ? "not finite" : wrong) + ", expected a finite number",
              ""}});
      values_.push_back(NAN);
      return true;
    }
    values_.push_back(*v);
    return true;
  }

  Status CheckShape() const {
    for (size_t d = 0; d < seen_.size(); ++d)
      if (!seen_[d])
        return Status::Invalid("'columns' has no column for dimension '" +
                               cube_.dimensions()[d]->name() + "'");
    for (size_t d = 0; d < columns_.size(); ++d)
      if (columns_[d].size() != values_.size())
        return Status::Invalid("'columns." + cube_.dimensions()[d]->name() + "' has " +
                               std::to_string(columns_[d].size()) + " entries, 'values' has " +
                               std::to_string(values_.size()));
    if (!listed_dims_.empty()) {
      std::vector<bool> listed(columns_.size(), false);
      for (size_t d : listed_dims_) listed[d] = true;
      if (listed_dims_.size() != columns_.size() || listed != seen_)
        return Status::Invalid("'dimensions' must name each dimension of cube '" + cube_.name() +
                               "' once, as 'columns' does");
    }
    return Status::Ok();
  }

  // Why entry i of column d (dims: values) is bad. Only the first
  // listed_max bad entries of a column are kept, which covers the first
  // listed_max rejected cells; later ones get a generic reason.
  const RejectedRow* BadAt(size_t d, size_t i, std::vector<size_t>& next) {
    const std::vector<BadEntry>& list = bad_[d];
    while (next[d] < list.size() && list[next[d]].index < i) ++next[d];
    if (next[d] < list.size() && list[next[d]].index == i) return &list[next[d]].why;
    static const RejectedRow kMore{0, 0, RowProblem::kUnknownMember, "a bad entry", ""};
    return &kMore;
  }

  struct Last {
    size_t dim = SIZE_MAX;
    std::string text;
    LeafOrdinal leaf = kNotALeaf;
  };
  static constexpr size_t kLastMax = 16;

  const Cube& cube_;
  const size_t listed_max_;
  std::vector<ColumnResolver> resolvers_;
  std::vector<std::vector<LeafOrdinal>> columns_;  // per cube dimension; kNotALeaf: bad
  std::vector<double> values_;                     // NaN: bad
  std::vector<std::vector<BadEntry>> bad_;         // per column, then values
  std::vector<bool> seen_;
  // "members": per dimension, its list of names as leaves (message: the
  // problem, then '\0' and the name), and whether the column uses it.
  std::vector<bool> has_dictionary_, indexed_;
  std::vector<std::vector<ColumnResolver::Leaf>> dictionary_;
  std::vector<size_t> listed_dims_;
  Last last_[kLastMax];
  In in_ = In::kTop;
  bool started_ = false;
  std::string key_;
  size_t column_ = 0;
  std::string error_;
};

}  // namespace

Result<ParsedFacts> ParseFactsColumnar(const Cube& cube, std::string_view text,
                                       const LoadOptions& options) {
  ColumnarReader reader(cube, options);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &reader);
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("malformed JSON: ") + e.what());
  }
  if (!ok) return Status::Invalid(reader.error().empty() ? "malformed JSON" : reader.error());
  QA_ASSIGN_OR_RETURN(ParsedFacts parsed, reader.Cells(options));
  parsed.bytes = text.size();
  return parsed;
}

}  // namespace quantatom
