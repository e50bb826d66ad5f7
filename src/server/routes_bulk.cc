// Bulk writes of millions of cells (CSV or columnar JSON) as one logged
// load, all-or-nothing or skipping and reporting bad cells; and exports of
// leaf atoms streamed piece by piece from a copy taken at one sequence.
#include <algorithm>
#include <charconv>

#include "load/csv.h"
#include "quantatom/load.h"
#include "server/access_guard.h"
#include "server/jobs.h"
#include "server/structure_answers.h"

namespace quantatom::server {
namespace {

using security::Access;

enum class BodyFormat { kCsv, kColumnar };

BodyFormat FormatOf(const HttpRequest& req) {
  std::string type = FoldCase(req.content_type.substr(0, req.content_type.find(';')));
  type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
  if (type == "text/csv") return BodyFormat::kCsv;
  if (type == "application/json") return BodyFormat::kColumnar;
  throw ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                 "Content-Type must be text/csv or application/json (columnar), not '" +
                     req.content_type + "'");
}

bool SkipAndReport(const HttpRequest& req) {
  auto it = req.query.find("mode");
  if (it == req.query.end() || it->second == "all-or-nothing") return false;
  if (it->second == "skip-and-report") return true;
  throw ApiError(400, "INVALID_ARGUMENT",
                 "query parameter 'mode': expected all-or-nothing or skip-and-report");
}

int HttpStatusOf(RowProblem problem) {
  switch (problem) {
    case RowProblem::kUnknownMember:
      return 404;
    case RowProblem::kNotLeaf:
      return 422;
    case RowProblem::kRefused:
      return 403;
    default:
      return 400;
  }
}

// Where a rejected cell is: line and column of a CSV body, index of a
// columnar one.
json Rejection(const RejectedRow& r, BodyFormat format) {
  json out = format == BodyFormat::kCsv ? json{{"line", r.line}, {"column", r.column}}
                                        : json{{"index", r.line}};
  out["code"] = RowProblemCode(r.problem);
  out["message"] = r.message;
  if (!r.member.empty()) out["member"] = r.member;
  return out;
}

std::string Where(const RejectedRow& r, BodyFormat format) {
  return format == BodyFormat::kCsv
             ? "line " + std::to_string(r.line) + ", column " + std::to_string(r.column)
             : "cell " + std::to_string(r.line);
}

ApiError BodyError(const Status& status, BodyFormat format) {
  ApiError e = ErrorOf(status);
  if (status.code() == StatusCode::kInvalidArgument)
    e.code = format == BodyFormat::kCsv                       ? "MALFORMED_CSV"
             : status.message().starts_with("malformed JSON") ? "MALFORMED_JSON"
                                                              : "INVALID_ARGUMENT";
  return e;
}

// Only cells the principal may write are accepted.
std::function<bool(std::span<const LeafOrdinal>)> WritableCells(
    std::shared_ptr<Cube> cube, std::shared_ptr<const security::CubeAccess> access) {
  if (access->unrestricted()) return nullptr;
  return [cube, access](std::span<const LeafOrdinal> leaves) {
    MemberId members[64];
    for (size_t d = 0; d < leaves.size(); ++d)
      members[d] = cube->dimensions()[d]->leaf_member(leaves[d]);
    return access->Cell({members, leaves.size()}) == Access::kWrite;
  };
}

ParsedFacts ParseBody(const ServerContext& ctx, std::string_view body, BodyFormat format,
                      const CubeAndAccess& target, std::atomic<size_t>* bytes_read,
                      JobControl* control) {
  LoadOptions options;
  options.progress = false;
  options.skip_bad_rows = true;  // all-or-nothing refuses below, listing them all
  options.rejected_rows_listed_max = ctx.limits.bulk_rejections_listed_max;
  options.accept_cell = WritableCells(target.cube, target.access);
  // A member the writer cannot see is unknown, as one that does not exist.
  options.member_visible = MemberFilter(target.access);
  options.bytes_read = bytes_read;
  // A job's CSV parse stops at a cancel (a columnar one runs to its end).
  if (control) options.cancelled = [control] { return control->CancelRequested(); };
  Result<ParsedFacts> parsed = format == BodyFormat::kCsv
                                   ? ParseFactsText(*target.cube, body, "body", options)
                                   : ParseFactsColumnar(*target.cube, body, options);
  if (control && control->CancelRequested()) throw JobCancelled{};
  if (!parsed.ok()) throw BodyError(parsed.status(), format);
  const size_t cells = parsed->atoms.keys.size() + parsed->rejected_count;
  if (cells > ctx.limits.bulk_cells_max)
    throw ApiError(413, "TOO_MANY_CELLS",
                   std::to_string(cells) + " cells, at most " +
                       std::to_string(ctx.limits.bulk_cells_max) + " per bulk write");
  return std::move(*parsed);
}

json Rejections(const ParsedFacts& parsed, BodyFormat format) {
  json out = json::array();
  for (const RejectedRow& r : parsed.rejected) out.push_back(Rejection(r, format));
  return out;
}

// A bulk write as read from its request, so that a job can run it later.
struct BulkRequest {
  std::string cube, body, source;
  BodyFormat format = BodyFormat::kCsv;
  bool skip = false;
  std::optional<uint64_t> expected;
  std::string txn_id;
};

BulkRequest ReadBulkRequest(const ServerContext& ctx, HttpRequest& req) {
  BulkRequest b;
  b.cube = req.path_params.at("cube");
  b.format = FormatOf(req);
  b.skip = SkipAndReport(req);
  if (req.query.count("expected_sequence")) b.expected = UnsignedQuery(req, "expected_sequence", 0);
  b.txn_id = req.query.count("client_txn_id") ? req.query.at("client_txn_id") : "";
  if (b.txn_id.size() > ctx.limits.client_txn_id_bytes_max)
    throw ApiError(400, "INVALID_ARGUMENT", "'client_txn_id': too long");
  b.source = req.method + " " + req.path;
  b.body = std::move(req.body);
  return b;
}

// Parses and commits; with a job's `control`, reports its phases and stops
// (JobCancelled) on a cancel that comes before the commit.
json RunBulkWrite(ServerContext& ctx, const Principal& p, BulkRequest& b, JobControl* control) {
  CubeAndAccess target = ReadableCubeOrThrow(ctx, p, b.cube);
  std::atomic<size_t> parsed_bytes{0};
  if (control) control->Phase("parsing", 0, 0.5, &parsed_bytes, b.body.size());
  ParsedFacts parsed = ParseBody(ctx, b.body, b.format, target, &parsed_bytes, control);
  json rejected = Rejections(parsed, b.format);
  if (!b.skip && parsed.rejected_count > 0) {
    const RejectedRow& first = parsed.rejected.front();
    throw ApiError(HttpStatusOf(first.problem), RowProblemCode(first.problem),
                   Where(first, b.format) + ": " + first.message + "; " +
                       std::to_string(parsed.rejected_count) +
                       " cells rejected, nothing was written",
                   {{"cells_rejected", parsed.rejected_count}, {"rejected", rejected}});
  }
  const size_t cells_written = parsed.atoms.keys.size();
  json answer = {{"cells_written", cells_written},
                 {"cells_rejected", parsed.rejected_count},
                 {"rejected", rejected},
                 {"rejected_omitted", parsed.rejected_count - parsed.rejected.size()}};
  if (control) {
    control->Phase("committing", 0.5);
    if (!control->PassPointOfNoReturn()) throw JobCancelled{};
  }
  if (cells_written == 0) {
    answer.update(
        {{"sequence", ctx.db.last_sequence()}, {"atoms_changed", 0}, {"replayed", false}});
    return answer;
  }
  std::vector<uint64_t> keys;  // sorted, for the conflict check
  if (b.expected) {
    keys = parsed.atoms.keys;
    std::sort(keys.begin(), keys.end());
  }
  const Cube& cube = *target.cube;
  auto written = [&](std::span<const MemberId> c) {
    LeafOrdinal leaves[64];
    for (size_t d = 0; d < c.size(); ++d) {
      const Dimension& dim = *cube.dimensions()[d];
      if (c[d] >= dim.size() || !dim.is_leaf(c[d])) return false;
      leaves[d] = dim.leaf_ordinal(c[d]);
    }
    return std::binary_search(keys.begin(), keys.end(), cube.PackLeaves(leaves));
  };
  Cube::BulkResult folded;
  CommitResult result = CommitChecked(ctx, cube, b.expected, {p.user, b.txn_id}, written, [&] {
    return ctx.db.LoadAtoms(cube.name(), std::move(parsed.atoms), b.source, {p.user, b.txn_id},
                            &folded);
  });
  answer.update({{"sequence", result.sequence},
                 {"atoms_changed", result.atoms_changed},
                 {"duplicates", folded.duplicates},
                 {"replayed", result.replayed}});
  return answer;
}

// ?async=true: 202 with a job that parses and commits; else the answer.
HttpResponse BulkWrite(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  const bool async = BoolQuery(req, "async", false);
  auto b = std::make_shared<BulkRequest>(ReadBulkRequest(ctx, req));
  if (!async) return JsonResponse(200, RunBulkWrite(ctx, p, *b, nullptr));
  json job = ctx.jobs->Submit("bulk_write", p.user, [&ctx, p, b](JobControl& control) {
    return RunBulkWrite(ctx, p, *b, &control);
  });
  HttpResponse out = JsonResponse(202, job);
  out.headers.push_back({"Location", "/api/jobs/" + job["id"].get<std::string>()});
  return out;
}

// `where=Region:East,Month:Q1`: per dimension, the leaves beneath the
// members named for it (several for one dimension: their union). Members
// the principal cannot see are unknown.
std::vector<std::vector<bool>> LeavesWhere(const HttpRequest& req, const CubeAndAccess& target) {
  const Cube& cube = *target.cube;
  std::vector<std::vector<bool>> keep(cube.dimensions().size());
  auto it = req.query.find("where");
  if (it == req.query.end() || it->second.empty()) return keep;
  CsvReader csv(it->second, "where");
  std::vector<CsvField> fields;
  Status status;
  csv.Next(fields, status);
  ThrowIfError(status);
  for (const CsvField& f : fields) {
    size_t colon = f.text.find(':');
    if (colon == std::string::npos)
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'where': expected Dimension:Member, found '" + f.text + "'");
    std::string dim_name = f.text.substr(0, colon), member = f.text.substr(colon + 1);
    auto d = cube.DimensionIndex(dim_name);
    if (!d)
      throw ApiError(404, "NOT_FOUND",
                     "'where': cube '" + cube.name() + "' has no dimension '" + dim_name + "'");
    const Dimension& dim = *cube.dimensions()[*d];
    auto m = dim.Find(member);
    if (!m || !target.access->MemberVisible(*d, *m))
      throw ApiError(404, "NOT_FOUND",
                     "'where': unknown member '" + member + "' of dimension '" + dim.name() + "'");
    keep[*d].resize(dim.leaf_count(), false);
    for (const LeafWeight& lw : dim.leaf_weights(*m)) keep[*d][lw.leaf] = true;
  }
  return keep;
}

// Drops atoms that are zero or that the principal may not read, in place.
void KeepReadable(Cube::AtomsCopy& atoms, const Cube& cube, const security::CubeAccess& access) {
  const size_t dims = cube.dimensions().size();
  LeafOrdinal leaves[64];
  MemberId members[64];
  size_t kept = 0;
  for (size_t i = 0; i < atoms.keys.size(); ++i) {
    if (atoms.values[i] == 0) continue;
    if (!access.AllReadable()) {
      cube.UnpackKey(atoms.keys[i], leaves);
      for (size_t d = 0; d < dims; ++d) members[d] = cube.dimensions()[d]->leaf_member(leaves[d]);
      if (access.Cell({members, dims}) < Access::kRead) continue;
    }
    atoms.keys[kept] = atoms.keys[i];
    atoms.values[kept++] = atoms.values[i];
  }
  atoms.keys.resize(kept);
  atoms.values.resize(kept);
}

std::string CsvText(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? "\"\"" : std::string(1, c);
  return out + "\"";
}

void AppendNumber(std::string& out, double v) {
  char buf[32];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// The export's body, produced a piece of about kPieceBytes at a time.
class ExportStream {
 public:
  static constexpr size_t kPieceBytes = 1 << 20;

  ExportStream(std::shared_ptr<Cube> cube, Cube::AtomsCopy atoms, bool csv)
      : cube_(std::move(cube)), atoms_(std::move(atoms)), csv_(csv) {
    for (const auto& dim : cube_->dimensions()) {
      std::vector<std::string> names(dim->leaf_count());
      for (LeafOrdinal l = 0; l < names.size(); ++l) {
        const std::string& name = dim->member_name(dim->leaf_member(l));
        names[l] =
            csv ? CsvText(name) : json(name).dump(-1, ' ', false, json::error_handler_t::replace);
      }
      names_.push_back(std::move(names));
    }
  }

  bool Next(std::string& out) {
    out.reserve(kPieceBytes + 4096);
    return csv_ ? NextCsv(out) : NextColumnar(out);
  }

 private:
  bool NextCsv(std::string& out) {
    const auto& dims = cube_->dimensions();
    if (part_ == 0) {
      for (const auto& d : dims) out += CsvText(d->name()) + ",";
      out += "Value\n";
      part_ = 1;
    }
    LeafOrdinal leaves[64];
    for (; next_ < atoms_.keys.size() && out.size() < kPieceBytes; ++next_) {
      cube_->UnpackKey(atoms_.keys[next_], leaves);
      for (size_t d = 0; d < dims.size(); ++d) {
        out += names_[d][leaves[d]];
        out += ',';
      }
      AppendNumber(out, atoms_.values[next_]);
      out += '\n';
    }
    return next_ < atoms_.keys.size();
  }

  // {"dimensions": [...], "columns": {"D1": [...], ...}, "values": [...]}:
  // part 0 the start, part d+1 the column of dimension d, then the values.
  bool NextColumnar(std::string& out) {
    const auto& dims = cube_->dimensions();
    if (part_ == 0) {
      json names = json::array();
      for (const auto& d : dims) names.push_back(d->name());
      out += "{\"dimensions\":" + names.dump(-1, ' ', false, json::error_handler_t::replace) +
             ",\"columns\":{";
      part_ = 1;
      next_ = 0;
    }
    LeafOrdinal leaves[64];
    while (out.size() < kPieceBytes) {
      const size_t d = part_ - 1;
      const bool values = d == dims.size();
      if (next_ == 0) {
        if (values) {
          out += "},\"values\":[";
        } else {
          if (d > 0) out += ',';
          out += json(dims[d]->name()).dump(-1, ' ', false, json::error_handler_t::replace) + ":[";
        }
      }
      for (; next_ < atoms_.keys.size() && out.size() < kPieceBytes; ++next_) {
        if (next_ > 0) out += ',';
        if (values) {
          AppendNumber(out, atoms_.values[next_]);
        } else {
          cube_->UnpackKey(atoms_.keys[next_], leaves);
          out += names_[d][leaves[d]];
        }
      }
      if (next_ < atoms_.keys.size()) return true;
      out += values ? "]}" : "]";
      if (values) return false;
      ++part_;
      next_ = 0;
    }
    return true;
  }

  std::shared_ptr<Cube> cube_;
  Cube::AtomsCopy atoms_;
  const bool csv_;
  std::vector<std::vector<std::string>> names_;  // per dimension, per leaf: quoted for the format
  size_t part_ = 0, next_ = 0;
};

HttpResponse Export(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  auto format = req.query.count("format") ? req.query.at("format") : "csv";
  if (format != "csv" && format != "columnar")
    throw ApiError(400, "INVALID_ARGUMENT", "query parameter 'format': expected csv or columnar");
  std::vector<std::vector<bool>> keep = LeavesWhere(req, target);
  uint64_t sequence = 0;
  Cube::AtomsCopy atoms;
  ctx.db.ReadAtSequence([&](uint64_t s) {
    sequence = s;
    atoms = target.cube->CopyAtoms(keep);
  });
  KeepReadable(atoms, *target.cube, *target.access);
  HttpResponse out;
  out.content_type = format == "csv" ? "text/csv" : "application/json";
  out.headers.push_back({"X-Quantatom-Sequence", std::to_string(sequence)});
  out.headers.push_back({"X-Quantatom-Cells", std::to_string(atoms.keys.size())});
  auto stream = std::make_shared<ExportStream>(target.cube, std::move(atoms), format == "csv");
  out.stream = [stream](std::string& piece) { return stream->Next(piece); };
  return out;
}

}  // namespace

void AddBulkRoutes(Router& router, ServerContext& ctx) {
  Route bulk{"POST",
             "/api/cubes/{cube}/cells/bulk",
             "Write many leaf cells from a CSV (text/csv) or columnar JSON (application/json) "
             "body as one durable load; mode all-or-nothing (default) or skip-and-report; "
             "async=true answers 202 with a job",
             true,
             false,
             {"mode", "expected_sequence", "client_txn_id", "async"},
             true,
             [&ctx](HttpRequest& req, const Principal& p) { return BulkWrite(ctx, req, p); }};
  bulk.bulk_body = true;
  bulk.commits = true;  // seconds of parsing and a commit: reads must not queue behind it
  router.Add(std::move(bulk));
  router.Add({"GET",
              "/api/cubes/{cube}/cells/export",
              "Stream the non-zero leaf cells you may read, as of one sequence "
              "(X-Quantatom-Sequence), as CSV or columnar JSON; where=Dim:Member,... narrows it",
              true,
              false,
              {"format", "where"},
              false,
              [&ctx](HttpRequest& req, const Principal& p) { return Export(ctx, req, p); }});
}

}  // namespace quantatom::server
