// Loading dimensions and facts from the planbench CSV format
// (docs/formats.md). Every load is all-or-nothing: on any error the model
// and cube stay as they were and the Status names file, line and column.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "quantatom/cube.h"
#include "quantatom/dimension.h"
#include "quantatom/model.h"
#include "quantatom/status.h"

namespace quantatom {

// Why a fact row was not taken.
enum class RowProblem : uint8_t {
  kMalformed,      // a malformed quoted field
  kFieldCount,     // not one field per dimension and the value
  kUnknownMember,  // no such member (name or alias) in the column's dimension
  kNotLeaf,        // a consolidated member
  kBadValue,       // the value is empty or not a finite number
  kRefused,        // LoadOptions::accept_cell said no
};
// "MALFORMED_CSV", "WRONG_FIELD_COUNT", "UNKNOWN_MEMBER", "NOT_LEAF",
// "INVALID_VALUE", "FORBIDDEN": the codes the server answers with.
const char* RowProblemCode(RowProblem problem);

struct RejectedRow {
  size_t line = 0;    // 1-based line of the text (the header is line 1)
  size_t column = 0;  // 1-based byte column of the offending field
  RowProblem problem = RowProblem::kMalformed;
  std::string message;  // without file, line and column
  std::string member;   // the offending field's text, "" for none
};

struct LoadOptions {
  // Cube name for a model directory's top-level facts.csv.
  std::string facts_cube = "planbench";
  // Progress on stderr for loads over a second; only when it is a terminal.
  bool progress = true;
  // ParseFactsText: when set, the bytes of the text parsed so far are
  // added to it as the parse goes (from its threads), for a watcher.
  std::atomic<size_t>* bytes_read = nullptr;
  // ParseFactsText: asked from the parse's threads every 4,096 lines; once
  // it says true the parse stops and fails (kFailedPrecondition, "cancelled").
  std::function<bool()> cancelled;
  // ParseFactsText only. false: the first bad row fails the whole parse.
  // true: bad rows are skipped and reported in ParsedFacts (the parse then
  // fails only for a bad header).
  bool skip_bad_rows = false;
  size_t rejected_rows_listed_max = 100;  // with skip_bad_rows; the rest are counted
  // When set, a row whose cell (leaf ordinals in cube dimension order) it
  // refuses is a bad row (RowProblem::kRefused).
  std::function<bool(std::span<const LeafOrdinal>)> accept_cell;
  // When set, a member it refuses (cube dimension index, member) is unknown
  // to the parse (RowProblem::kUnknownMember), as if it did not exist: a
  // writer's grants hide it.
  std::function<bool(size_t dimension, MemberId member)> member_visible;
};

struct LoadReport {
  size_t rows = 0;        // fact rows read
  size_t atoms = 0;       // distinct atoms written
  size_t duplicates = 0;  // rows summed into an earlier row's atom
  size_t bytes = 0;       // input bytes
};

// `text` is the whole CSV (header member,parent,weight[,alias...][,attr...]);
// `file` names it in error messages.
Result<std::shared_ptr<const Dimension>> ParseDimensionCsv(std::string_view text,
                                                           std::string dimension_name,
                                                           std::string_view file);
Result<std::shared_ptr<const Dimension>> LoadDimensionFile(const std::string& path);

// Facts parsed but not yet applied: packed keys (Cube::PackLeaves) and
// values, duplicates not yet summed.
struct ParsedFacts {
  Cube::BulkAtoms atoms;
  size_t bytes = 0;
  std::vector<RejectedRow> rejected;  // with skip_bad_rows: the first ones, by line
  size_t rejected_count = 0;          // every skipped row
};
Result<ParsedFacts> ParseFactsText(const Cube& cube, std::string_view text, std::string_view file,
                                   const LoadOptions& options = {});

// Columnar JSON facts: {"dimensions": [names] (optional), "columns": {dim:
// [member names], ...}, "values": [numbers]}, every cube dimension a column
// and every column as long as "values"; cell i is entry i of each. A column
// may instead hold indices into a list of names for its dimension given in
// "members": {dim: [names], ...} (smaller and faster to read). Parsed
// with a SAX reader, no document tree. Rejected cells carry their 0-based
// index in RejectedRow::line and column 0. Structural errors (not this
// shape, malformed JSON: with its byte offset) fail the whole parse.
Result<ParsedFacts> ParseFactsColumnar(const Cube& cube, std::string_view text,
                                       const LoadOptions& options = {});

// Facts: header `<dim>,...,<dim>,Value` naming the cube's dimensions.
Result<LoadReport> LoadFactsText(Cube& cube, std::string_view text, std::string_view file,
                                 const LoadOptions& options = {});
Result<LoadReport> LoadFactsFile(Cube& cube, const std::string& path,
                                 const LoadOptions& options = {});

// A model directory: dims/<Dimension>.csv, then facts.csv (cube
// options.facts_cube) and/or cubes/<Cube>.csv.
Result<std::unique_ptr<Model>> LoadModelDirectory(const std::string& dir,
                                                  const LoadOptions& options = {},
                                                  LoadReport* report = nullptr);

}  // namespace quantatom
