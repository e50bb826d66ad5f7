// Facts: `<dim>,...,<dim>,Value` rows of leaf members and a number. Parsed
// in parallel chunks straight into packed keys, then handed to the cube in
// one all-or-nothing bulk load.
#include <tbb/parallel_for.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "load/column_resolver.h"
#include "load/csv.h"
#include "load/file.h"
#include "load/progress.h"
#include "quantatom/load.h"

namespace quantatom {

const char* RowProblemCode(RowProblem problem) {
  switch (problem) {
    case RowProblem::kMalformed:
      return "MALFORMED_CSV";
    case RowProblem::kFieldCount:
      return "WRONG_FIELD_COUNT";
    case RowProblem::kUnknownMember:
      return "UNKNOWN_MEMBER";
    case RowProblem::kNotLeaf:
      return "NOT_LEAF";
    case RowProblem::kBadValue:
      return "INVALID_VALUE";
    case RowProblem::kRefused:
      return "FORBIDDEN";
  }
  return "INVALID_ARGUMENT";
}

namespace {

constexpr size_t kChunkBytesMin = 4 << 20;
constexpr size_t kCancelCheckLines = 4096;

bool Cancelled(const LoadOptions& options) { return options.cancelled && options.cancelled(); }
constexpr size_t kFieldsMax = 16 + 1;  // kCubeDimensionsMax dimensions and the value

struct Header {
  std::vector<ColumnResolver> columns;  // in file order, then the value
  size_t value_column = 0;
  size_t body_offset = 0;
  size_t lines = 0;
};

Result<Header> ReadHeader(const Cube& cube, std::string_view text, std::string_view file,
                          const LoadOptions& options) {
  CsvReader csv(text, file);
  std::vector<CsvField> fields;
  Status status;
  if (!csv.Next(fields, status))
    return Status::Invalid(std::string(file) + ": empty file, expected a header");
  QA_RETURN_IF_ERROR(status);
  const size_t ndims = cube.dimensions().size();
  if (fields.size() != ndims + 1 || FoldCase(fields.back().text) != "value")
    return Status::Invalid(csv.Where(1) + ": header must name the " + std::to_string(ndims) +
                           " dimensions of cube '" + cube.name() + "' and then Value");
  Header h;
  std::vector<bool> seen(ndims, false);
  for (size_t i = 0; i < ndims; ++i) {
    auto d = cube.DimensionIndex(fields[i].text);
    if (!d)
      return Status::NotFound(csv.Where(fields[i].column) + ": cube '" + cube.name() +
                              "' has no dimension '" + fields[i].text + "'");
    if (seen[*d])
      return Status::Invalid(csv.Where(fields[i].column) + ": dimension '" + fields[i].text +
                             "' appears twice");
    seen[*d] = true;
    h.columns.emplace_back(*cube.dimensions()[*d], *d, options.member_visible);
  }
  h.value_column = ndims;
  h.body_offset = csv.offset();
  h.lines = csv.line();
  return h;
}

struct ChunkOutput {
  std::vector<uint64_t> keys;
  std::vector<double> values;
  size_t lines = 0;  // lines consumed (all of them unless it failed)
  // Lines within the chunk, 1-based. Without skip_bad_rows the first bad
  // row ends the chunk and is its only rejection.
  std::vector<RejectedRow> rejected;
  size_t rejected_count = 0;
};

// Splits one line into fields; quoted fields take the general reader.
bool SplitLine(std::string_view line, std::string_view* fields, size_t* columns, size_t expected,
               std::vector<CsvField>& quoted, size_t* count, std::string* error,
               size_t* error_column) {
  if (line.find('"') != std::string_view::npos) {
    CsvReader csv(line, "");
    Status s;
    csv.Next(quoted, s);
    if (!s.ok()) {
      *error = "malformed quoted field: " + csv.error_message();
      *error_column = csv.error_column();
      return false;
    }
    *count = quoted.size();
    for (size_t i = 0; i < std::min(quoted.size(), expected); ++i) {
      fields[i] = quoted[i].text;
      columns[i] = quoted[i].column;
    }
    return true;
  }
  size_t n = 0, start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    if (n < expected) {
      fields[n] = line.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      columns[n] = start + 1;
    }
    ++n;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  *count = n;
  return true;
}

class ChunkParser {
 public:
  ChunkParser(const Cube& cube, const Header& h, const LoadOptions& options)
      : cube_(cube), h_(h), options_(options), last_(h.columns.size()) {}

  // Stops early when a chunk before this one (index `self`) has failed, or
  // at a cancel (asked every kCancelCheckLines lines).
  void Parse(std::string_view chunk, size_t self, ChunkOutput& out,
             const std::atomic<size_t>& first_failed, Progress& progress) {
    out.keys.reserve(chunk.size() / 40);
    out.values.reserve(chunk.size() / 40);
    size_t pos = 0, since_report = 0;
    while (pos < chunk.size()) {
      size_t eol = chunk.find('\n', pos);
      if (eol == std::string_view::npos) eol = chunk.size();
      std::string_view line = chunk.substr(pos, eol - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++out.lines;
      if (!line.empty()) {
        std::optional<RejectedRow> bad = ParseLine(line, out);
        if (bad) {
          bad->line = out.lines;
          ++out.rejected_count;
          if (out.rejected.size() < std::max<size_t>(options_.rejected_rows_listed_max, 1))
            out.rejected.push_back(std::move(*bad));
          if (!options_.skip_bad_rows) return;
        }
      }
      pos = eol + 1;
      if (++since_report == kCancelCheckLines) {
        progress.Add(pos - reported_, out.keys.size() - rows_reported_);
        reported_ = pos, rows_reported_ = out.keys.size(), since_report = 0;
        if (first_failed.load(std::memory_order_relaxed) < self) return;
        if (Cancelled(options_)) {
          cancelled_ = true;
          return;
        }
      }
    }
    progress.Add(std::min(pos, chunk.size()) - reported_, out.keys.size() - rows_reported_);
  }
  bool cancelled() const { return cancelled_; }

 private:
  // Appends the row's atom, or says why it is bad.
  std::optional<RejectedRow> ParseLine(std::string_view line, ChunkOutput& out) {
    const size_t expected = h_.columns.size() + 1;
    std::string error;
    size_t count = 0;
    size_t error_column = 1;
    if (!SplitLine(line, fields_, columns_, expected, quoted_, &count, &error, &error_column))
      return Bad(error_column, RowProblem::kMalformed, error, "");
    if (count != expected)
      return Bad(1, RowProblem::kFieldCount,
                 "expected " + std::to_string(expected) + " fields, found " + std::to_string(count),
                 "");
    for (size_t i = 0; i + 1 < expected; ++i) {
      if (auto bad = Resolve(i, fields_[i])) return bad;
    }
    double v = 0;
    std::string_view text = fields_[expected - 1];
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v))
      return Bad(columns_[expected - 1], RowProblem::kBadValue,
                 "value '" + std::string(text) + "' is not a finite number", text);
    const size_t dims = expected - 1;
    if (options_.accept_cell && !options_.accept_cell({leaves_, dims}))
      return Bad(1, RowProblem::kRefused, "no write access to this cell", "");
    out.keys.push_back(cube_.PackLeaves(leaves_));
    out.values.push_back(v);
    return std::nullopt;
  }

  // Sets the leaf of column `i` from its text, or says why it cannot.
  std::optional<RejectedRow> Resolve(size_t i, std::string_view text) {
    Last& last = last_[i];
    const ColumnResolver& col = h_.columns[i];
    if (!(last.valid && text == std::string_view(last.text))) {
      ColumnResolver::Leaf found = col.FindLeaf(text);
      if (found.leaf == kNotALeaf)
        return Bad(columns_[i], found.problem, std::move(found.message), text);
      last.valid = true;
      last.text.assign(text);  // a copy: quoted fields live only for their line
      last.leaf = found.leaf;
    }
    leaves_[col.cube_dim] = last.leaf;
    return std::nullopt;
  }

  static RejectedRow Bad(size_t column, RowProblem problem, std::string message,
                         std::string_view member) {
    return {0, column, problem, std::move(message), std::string(member)};
  }

  struct Last {
    bool valid = false;
    std::string text;
    LeafOrdinal leaf = 0;
  };
  const Cube& cube_;
  const Header& h_;
  const LoadOptions& options_;
  std::vector<Last> last_;
  std::string_view fields_[kFieldsMax];
  size_t columns_[kFieldsMax] = {};
  std::vector<CsvField> quoted_;
  LeafOrdinal leaves_[kFieldsMax] = {};
  size_t reported_ = 0, rows_reported_ = 0;
  bool cancelled_ = false;
};

std::vector<std::string_view> SplitChunks(std::string_view body) {
  size_t chunks = std::clamp<size_t>(body.size() / kChunkBytesMin, 1, 256);
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 1; i <= chunks && start < body.size(); ++i) {
    size_t end = i == chunks ? body.size() : body.find('\n', body.size() * i / chunks);
    end = end == std::string_view::npos ? body.size() : std::max(end + 1, start);
    out.push_back(body.substr(start, end - start));
    start = end;
  }
  return out;
}

}  // namespace

Result<ParsedFacts> ParseFactsText(const Cube& cube, std::string_view text, std::string_view file,
                                   const LoadOptions& options) {
  QA_ASSIGN_OR_RETURN(Header header, ReadHeader(cube, text, file, options));
  std::vector<std::string_view> chunks = SplitChunks(text.substr(header.body_offset));
  std::vector<ChunkOutput> outputs(chunks.size());
  std::atomic<size_t> first_failed{SIZE_MAX};
  std::atomic<bool> cancelled{false};
  Progress progress(file, text.size(), options.progress, options.bytes_read);
  tbb::parallel_for(size_t{0}, chunks.size(), [&](size_t i) {
    // A chunk started after a cancel does not parse at all.
    if (cancelled.load(std::memory_order_relaxed) || Cancelled(options)) {
      cancelled = true;
      return;
    }
    ChunkParser parser(cube, header, options);
    parser.Parse(chunks[i], i, outputs[i], first_failed, progress);
    if (parser.cancelled()) cancelled = true;
    if (options.skip_bad_rows || outputs[i].rejected_count == 0) return;
    size_t seen = first_failed.load();
    while (i < seen && !first_failed.compare_exchange_weak(seen, i)) {
    }
  });
  progress.Finish();
  if (cancelled) return Status::Precondition(std::string(file) + ": the parse was cancelled");
  // Without skip_bad_rows the first failing chunk holds the first error;
  // every chunk before it ran to its end.
  ParsedFacts parsed;
  size_t line = header.lines, rows = 0;
  for (ChunkOutput& out : outputs) {
    for (RejectedRow& r : out.rejected) {
      r.line += line;
      if (!options.skip_bad_rows) return ParseError(file, r.line, r.column, r.message);
      if (parsed.rejected.size() < options.rejected_rows_listed_max)
        parsed.rejected.push_back(std::move(r));
    }
    parsed.rejected_count += out.rejected_count;
    line += out.lines;
    rows += out.keys.size();
  }
  parsed.bytes = text.size();
  parsed.atoms.keys.reserve(rows);
  parsed.atoms.values.reserve(rows);
  for (ChunkOutput& out : outputs) {
    parsed.atoms.keys.insert(parsed.atoms.keys.end(), out.keys.begin(), out.keys.end());
    parsed.atoms.values.insert(parsed.atoms.values.end(), out.values.begin(), out.values.end());
    std::vector<uint64_t>().swap(out.keys);
    std::vector<double>().swap(out.values);
  }
  return parsed;
}

Result<LoadReport> LoadFactsText(Cube& cube, std::string_view text, std::string_view file,
                                 const LoadOptions& options) {
  QA_ASSIGN_OR_RETURN(ParsedFacts parsed, ParseFactsText(cube, text, file, options));
  LoadReport report;
  report.bytes = parsed.bytes;
  report.rows = parsed.atoms.keys.size();
  QA_ASSIGN_OR_RETURN(Cube::BulkResult bulk, cube.BulkLoad(std::move(parsed.atoms)));
  report.atoms = bulk.atoms_written;
  report.duplicates = bulk.duplicates;
  return report;
}

Result<LoadReport> LoadFactsFile(Cube& cube, const std::string& path, const LoadOptions& options) {
  QA_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  return LoadFactsText(cube, file.text(), path, options);
}

}  // namespace quantatom
