#include "quantatom/database.h"

#include <pthread.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "db/apply.h"
#include "db/database_impl.h"
#include "db/rebuild.h"
#include "db/structure_change.h"
#include "load/file.h"

namespace quantatom {

std::shared_ptr<Cube> Database::Impl::LookupCube(std::string_view name) const {
  std::shared_lock lock(structure_mu);
  return model.FindCube(name);
}

namespace {

// A snapshot that was being written when the process died never got its
// name; its temporary file is garbage.
Status RemoveUnfinishedSnapshots(Env* env, const std::string& snapshot_dir) {
  if (!env->FileExists(snapshot_dir)) return Status::Ok();
  QA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDirectory(snapshot_dir));
  for (const std::string& n : names)
    if (n.size() > 9 && n.ends_with(".snap.tmp"))
      QA_RETURN_IF_ERROR(env->RemoveFile(snapshot_dir + "/" + n));
  return Status::Ok();
}

std::string ParentDirectory(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  size_t slash = dir.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : dir.substr(0, slash);
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, DatabaseOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->env = options.env ? options.env : Env::Default();
  impl->options = options;
  Env* env = impl->env;
  if (!options.snapshot_program.empty() && env != Env::Default())
    return Status::Invalid("a snapshot program works on the real file system only");
  if (!env->FileExists(dir) && !options.create_if_missing)
    return Status::NotFound(dir + ": no such data directory");
  // Created now or by an earlier open whose sync failed: the names of the
  // data directory and its log must be durable before anything is logged
  // (the ALICE lesson), so they are synced on every open.
  QA_RETURN_IF_ERROR(env->CreateDirectory(dir));
  QA_RETURN_IF_ERROR(env->SyncDirectory(ParentDirectory(dir)));
  QA_ASSIGN_OR_RETURN(impl->lock, env->LockFile(dir + "/LOCK"));
  QA_ASSIGN_OR_RETURN(impl->log,
                      OpenSegmentLogStore(env, dir + "/log", {options.segment_bytes_max}));
  QA_RETURN_IF_ERROR(env->SyncDirectory(dir));
  QA_ASSIGN_OR_RETURN(Rebuilt rebuilt, RebuildModel(env, dir, *impl->log));
  QA_RETURN_IF_ERROR(RemoveUnfinishedSnapshots(env, dir + "/snapshot"));
  impl->model = std::move(rebuilt.model);
  impl->warnings = std::move(rebuilt.warnings);
  impl->last_sequence = rebuilt.state.sequence;
  impl->last_hash = rebuilt.state.hash;
  impl->results_by_client_id = std::move(rebuilt.state.client_ids);
  impl->visible_sequence = impl->last_sequence;
  impl->feed = std::make_unique<ChangeFeed>(impl->last_sequence, options.change_feed_deltas_max);
  impl->snapshot_sequence = rebuilt.snapshot_sequence;
  if (!rebuilt.snapshot.empty()) impl->snapshot_time_us = env->NowMicros();
  QA_RETURN_IF_ERROR(impl->log->StartAppending(rebuilt.log_end));
  Impl* raw = impl.get();
  impl->committer = std::thread([raw] {
    pthread_setname_np(pthread_self(), "qa-commit");  // for top, perf and gdb
    raw->CommitLoop();
  });
  std::unique_ptr<Database> db(new Database(std::move(impl)));
  Database* self = db.get();
  raw->snapshotter = std::thread([raw, self] {
    pthread_setname_np(pthread_self(), "qa-snapshots");
    raw->SnapshotLoop(*self);
  });
  return db;
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::~Database() {
  {
    std::lock_guard lock(impl_->queue_mu);
    impl_->stopping = true;
  }
  impl_->queue_cv.notify_all();
  impl_->snapshot_cv.notify_all();
  impl_->committer.join();
  impl_->snapshotter.join();
}

const std::vector<std::string>& Database::open_warnings() const { return impl_->warnings; }
uint64_t Database::last_sequence() const { return impl_->visible_sequence; }

Status Database::snapshot_status() const {
  std::lock_guard lock(impl_->queue_mu);
  return impl_->last_snapshot_status;
}

DatabaseHealth Database::Health() const {
  DatabaseHealth h;
  {
    std::lock_guard lock(impl_->health_mu);
    h.last_sequence = impl_->visible_sequence;
    h.snapshot_sequence = impl_->snapshot_sequence;
    h.log_bytes_since_snapshot = impl_->log_bytes_appended - impl_->log_bytes_at_snapshot;
    h.snapshot_time_us = h.snapshot_sequence ? impl_->snapshot_time_us : 0;
  }
  h.writes_refused = impl_->writes_refused;
  h.snapshot_status = snapshot_status();
  return h;
}

std::shared_ptr<Cube> Database::FindCube(std::string_view name) const {
  return impl_->LookupCube(name);
}

std::shared_ptr<const Dimension> Database::FindDimension(std::string_view name) const {
  std::shared_lock lock(impl_->structure_mu);
  return impl_->model.FindDimension(name);
}

std::vector<std::string> Database::CubeNames() const {
  std::shared_lock lock(impl_->structure_mu);
  std::vector<std::string> names;
  for (const auto& c : impl_->model.cubes()) names.push_back(c->name());
  return names;
}

std::vector<std::string> Database::DimensionNames() const {
  std::shared_lock lock(impl_->structure_mu);
  std::vector<std::string> names;
  for (const auto& d : impl_->model.dimensions()) names.push_back(d->name());
  return names;
}

namespace {

std::unique_ptr<CommitRequest> Request(const CommitContext& ctx, bool alone,
                                       std::function<Status(Transaction&, Overlay&)> prepare) {
  auto r = std::make_unique<CommitRequest>();
  r->context = ctx;
  r->alone = alone;
  r->prepare = std::move(prepare);
  return r;
}

// A structure change: prepared on the commit thread against the model as
// every earlier transaction left it, in a group of its own.
Result<CommitResult> SubmitStructure(Database::Impl& impl, const CommitContext& ctx,
                                     std::function<Status(const Model&, Transaction&)> prepare) {
  Database::Impl* raw = &impl;
  return impl.Submit(Request(ctx, true, [raw, prepare](Transaction& txn, Overlay&) {
    std::shared_lock lock(raw->structure_mu);
    return prepare(raw->model, txn);
  }));
}

}  // namespace

Result<CommitResult> Database::CreateDimension(const std::string& name, const std::string& csv,
                                               const CommitContext& ctx) {
  return SubmitStructure(*impl_, ctx, [=](const Model& model, Transaction& txn) {
    return PrepareCreateDimension(model, name, csv, txn);
  });
}

Result<CommitResult> Database::CreateCube(const std::string& name,
                                          const std::vector<std::string>& dimensions,
                                          const CommitContext& ctx) {
  return SubmitStructure(*impl_, ctx, [=](const Model& model, Transaction& txn) {
    return PrepareCreateCube(model, name, dimensions, txn);
  });
}

Result<CommitResult> Database::ChangeMember(const MemberChange& change, const CommitContext& ctx,
                                            StructureReport* report) {
  return SubmitStructure(*impl_, ctx, [&change, report](const Model& model, Transaction& txn) {
    return PrepareMemberChange(model, change, txn, report);
  });
}

Result<CommitResult> Database::DeleteDimension(const std::string& name, const CommitContext& ctx) {
  return SubmitStructure(*impl_, ctx, [&name](const Model& model, Transaction& txn) {
    return PrepareDeleteDimension(model, name, txn);
  });
}

Result<CommitResult> Database::DeleteCube(const std::string& name, bool delete_data,
                                          const CommitContext& ctx, StructureReport* report) {
  return SubmitStructure(*impl_, ctx,
                         [&name, delete_data, report](const Model& model, Transaction& txn) {
                           return PrepareDeleteCube(model, name, delete_data, txn, report);
                         });
}

Result<CommitResult> Database::SaveView(const std::string& cube, const std::string& name,
                                        const std::string& view_json, const CommitContext& ctx) {
  return SubmitStructure(*impl_, ctx, [&](const Model& model, Transaction& txn) {
    return PrepareSaveView(model, cube, name, view_json, txn);
  });
}

Result<CommitResult> Database::DeleteView(const std::string& cube, const std::string& name,
                                          const CommitContext& ctx) {
  return SubmitStructure(*impl_, ctx, [&](const Model& model, Transaction& txn) {
    return PrepareDeleteView(model, cube, name, txn);
  });
}

std::vector<SavedView> Database::Views(std::string_view cube) const {
  std::shared_lock lock(impl_->structure_mu);
  return impl_->model.Views(cube);
}

uint64_t Database::CubeCreatedSequence(std::string_view cube) const {
  std::shared_lock lock(impl_->structure_mu);
  return impl_->model.FindCube(cube) ? impl_->model.CubeCreatedSequence(cube) : 0;
}

Result<CommitResult> Database::Write(const std::string& cube_name, const WriteBatch& batch,
                                     const CommitContext& ctx) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  QA_ASSIGN_OR_RETURN(std::vector<uint64_t> keys, cube->KeysOf(batch));
  Impl* impl = impl_.get();
  return impl_->Submit(
      Request(ctx, false, [impl, cube, keys, &batch](Transaction& txn, Overlay& overlay) mutable {
        // A structure change since the keys were made re-keyed the cube (a
        // new object): the batch is checked and keyed again against it.
        if (auto now = impl->LookupCube(cube->name()); now != cube) {
          if (!now) return Status::NotFound("unknown cube '" + cube->name() + "'");
          QA_ASSIGN_OR_RETURN(keys, now->KeysOf(batch));
          cube = std::move(now);
        }
        txn.kind = OperationKind::kWriteBatch;
        txn.cube = cube->name();
        auto& pending = overlay[cube->name()];
        std::vector<std::optional<double>> current = cube->ReadAtoms(keys);
        txn.deltas = AtomDeltas(cube->dimensions().size());
        // A coordinate written twice in the batch: the last entry wins.
        std::unordered_map<uint64_t, size_t> last;
        for (size_t i = 0; i < keys.size(); ++i) last[keys[i]] = i;
        for (size_t i = 0; i < keys.size(); ++i) {
          if (last[keys[i]] != i) continue;
          auto it = pending.find(keys[i]);
          std::optional<double> old_value = it != pending.end() ? it->second : current[i];
          const auto& new_value = batch.entries()[i].value;
          txn.deltas.Add(batch.entries()[i].coordinate.data(), old_value, new_value);
        }
        for (size_t i = 0; i < keys.size(); ++i)
          pending[keys[i]] = batch.entries()[last[keys[i]]].value;
        return Status::Ok();
      }));
}

namespace {

// A load's atoms as one transaction, logged straight from its folded
// partitions when the change feed would not keep its deltas anyway.
Result<CommitResult> SubmitLoad(Database::Impl& impl, std::shared_ptr<Cube> cube,
                                std::shared_ptr<Cube::PreparedLoad> load, std::string parameters,
                                const CommitContext& ctx) {
  // A load the change feed would not keep is logged from its partitions
  // and never held as AtomDeltas; a smaller one is, and is logged from them.
  const bool omitted = load->size() > impl.options.change_feed_deltas_max;
  Database::Impl* raw = &impl;
  auto request =
      Request(ctx, true, [raw, cube, load, parameters, omitted](Transaction& txn, Overlay&) {
        // Prepared against this cube's keys: a structure change since re-keyed it.
        if (raw->LookupCube(cube->name()) != cube)
          return Status(StatusCode::kConflict,
                        "the dimensions of cube '" + cube->name() +
                            "' changed while the load was prepared; nothing was written, send it "
                            "again");
        txn.kind = OperationKind::kLoad;
        txn.cube = cube->name();
        txn.parameters = parameters;
        if (omitted)
          txn.omitted_deltas = load->size();
        else
          txn.deltas = DeltasOf(*load);
        return Status::Ok();
      });
  if (omitted) request->deltas = load;
  request->apply = [cube, load](Model&, const Transaction&) {
    cube->ApplyLoad(*load);
    return Status::Ok();
  };
  return impl.Submit(std::move(request));
}

}  // namespace

Result<CommitResult> Database::LoadFacts(const std::string& cube_name, const std::string& path,
                                         const CommitContext& ctx, LoadReport* report) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  QA_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  QA_ASSIGN_OR_RETURN(ParsedFacts parsed, ParseFactsText(*cube, file.text(), path));
  const size_t rows = parsed.atoms.keys.size();
  auto prepared = cube->PrepareLoad(std::move(parsed.atoms));
  if (!prepared.ok())
    return Status(prepared.status().code(), path + ": " + prepared.status().message());
  std::shared_ptr<Cube::PreparedLoad> load = std::move(*prepared);
  const Cube::BulkResult folded = load->result();
  if (report) *report = {rows, folded.atoms_written, folded.duplicates, parsed.bytes};
  return SubmitLoad(*impl_, cube, load, nlohmann::json{{"file", path}, {"rows", rows}}.dump(), ctx);
}

Result<CommitResult> Database::LoadAtoms(const std::string& cube_name, Cube::BulkAtoms atoms,
                                         const std::string& source, const CommitContext& ctx,
                                         Cube::BulkResult* folded) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  const size_t rows = atoms.keys.size();
  QA_ASSIGN_OR_RETURN(std::shared_ptr<Cube::PreparedLoad> load,
                      cube->PrepareLoad(std::move(atoms)));
  if (folded) *folded = load->result();
  return SubmitLoad(*impl_, cube, load, nlohmann::json{{"source", source}, {"rows", rows}}.dump(),
                    ctx);
}

void Database::ReadAtSequence(const std::function<void(uint64_t sequence)>& read) const {
  std::shared_lock lock(impl_->visible_mu);
  read(impl_->visible_sequence.load());
}

uint64_t Database::Subscribe(ChangeListener listener) {
  return impl_->feed->Subscribe(std::move(listener));
}
void Database::Unsubscribe(uint64_t id) { impl_->feed->Unsubscribe(id); }

Result<std::vector<Transaction>> Database::ChangesSince(uint64_t sequence, size_t max) const {
  if (auto recent = impl_->feed->Since(sequence, max)) return std::move(*recent);
  std::vector<Transaction> out;
  ReplayOptions options;
  options.repair_torn_tail = false;  // a record being appended right now is not ours to cut
  options.require_from_snapshot = false;
  options.skip_through_sequence = sequence;
  uint64_t first_seen = 0;
  const uint64_t visible = impl_->visible_sequence;
  auto end = impl_->log->Replay(options, [&](const Transaction& txn, const Hash&) {
    if (first_seen == 0) first_seen = txn.sequence;
    if (txn.sequence > sequence && txn.sequence <= visible && out.size() < max) out.push_back(txn);
    return Status::Ok();
  });
  if (!end.ok()) return end.status();
  if (first_seen > sequence + 1)
    return Status::NotFound("the log starts at sequence " + std::to_string(first_seen) +
                            "; transactions up to it were truncated behind a snapshot");
  return out;
}

}  // namespace quantatom
