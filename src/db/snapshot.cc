#include "db/snapshot.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "db/apply.h"
#include "db/client_ids.h"
#include "db/workspace_log.h"
#include "log/log_format.h"
#include "log/transaction_codec.h"
#include "util/memory_release.h"

namespace quantatom {
namespace {

namespace lf = log_format;

constexpr char kSnapshotMagic[8] = {'Q', 'A', 'S', 'N', 'A', 'P', 0, 1};
// Client ids: type 2 (JSON {"id": [sequence, atoms]}) from before ids were
// per user, still read and written for ids whose user is not known; type 3
// (binary, any bytes) per user: u32 count, then per id the user and the id
// (u32 length + bytes each), the sequence and the atoms changed (u64 each).
constexpr uint8_t kRecordTransaction = 1, kRecordLegacyClientIds = 2, kRecordClientIds = 3;

void PutU32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void PutU64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void PutBytes(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

std::string ClientIdsRecord(const std::unordered_map<std::string, CommitResult>& ids) {
  std::string body;
  std::vector<std::pair<std::pair<std::string, std::string>, CommitResult>> per_user;
  for (const auto& [key, r] : ids)
    if (auto parsed = ParseClientIdKey(key)) per_user.push_back({*parsed, r});
  PutU32(body, static_cast<uint32_t>(per_user.size()));
  for (const auto& [user_id, r] : per_user) {
    PutBytes(body, user_id.first);
    PutBytes(body, user_id.second);
    PutU64(body, r.sequence);
    PutU64(body, r.atoms_changed);
  }
  return body;
}

// Reads a type 3 record into `ids`; false when it is malformed.
bool ReadClientIds(std::string_view in, std::unordered_map<std::string, CommitResult>& ids) {
  size_t at = 0;
  auto u32 = [&](uint32_t& v) {
    if (in.size() - at < 4) return false;
    std::memcpy(&v, in.data() + at, 4);
    at += 4;
    return true;
  };
  auto u64 = [&](uint64_t& v) {
    if (in.size() - at < 8) return false;
    std::memcpy(&v, in.data() + at, 8);
    at += 8;
    return true;
  };
  auto bytes = [&](std::string& s) {
    uint32_t n = 0;
    if (!u32(n) || in.size() - at < n) return false;
    s.assign(in.data() + at, n);
    at += n;
    return true;
  };
  uint32_t count = 0;
  if (!u32(count)) return false;
  for (uint32_t i = 0; i < count; ++i) {
    std::string user, id;
    uint64_t sequence = 0, atoms = 0;
    if (!bytes(user) || !bytes(id) || !u64(sequence) || !u64(atoms)) return false;
    ids[ClientIdKey(user, id)] = {sequence, static_cast<size_t>(atoms), false};
  }
  return at == in.size();
}

void AddRecord(std::string& out, uint8_t type, const std::string& body) {
  std::string payload(1, static_cast<char>(type));
  payload += body;
  lf::AppendRecord(out, payload);
}

// Every atom of a cube as one load transaction (its deltas come from
// Cube::AtomsAsDeltas when it is encoded).
Transaction AtomsOf(const Cube& cube, uint64_t sequence) {
  Transaction t;
  t.sequence = sequence;
  t.kind = OperationKind::kLoad;
  t.cube = cube.name();
  return t;
}

std::string Serialize(const Model& model, const SnapshotState& state) {
  std::string out(kSnapshotMagic, sizeof kSnapshotMagic);
  out.append(reinterpret_cast<const char*>(&state.sequence), 8);
  out.append(reinterpret_cast<const char*>(state.hash.data()), state.hash.size());
  for (const Transaction& t : state.structure) {
    std::string body;
    EncodeTransaction(t, body);
    AddRecord(out, kRecordTransaction, body);
  }
  for (const auto& cube : model.cubes()) {
    std::string body;
    EncodeTransaction(AtomsOf(*cube, state.sequence), *cube->AtomsAsDeltas(), body);
    AddRecord(out, kRecordTransaction, body);
  }
  // Users' holds and sandboxes as the transactions that would make them.
  for (const Transaction& t : WorkspaceTransactions(model, state.sequence)) {
    std::string body;
    EncodeTransaction(t, body);
    AddRecord(out, kRecordTransaction, body);
  }
  nlohmann::json legacy = nlohmann::json::object();
  for (const auto& [key, r] : state.client_ids)
    if (!ParseClientIdKey(key)) legacy[key.substr(1)] = {r.sequence, r.atoms_changed};
  if (!legacy.empty())
    AddRecord(out, kRecordLegacyClientIds,
              legacy.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  AddRecord(out, kRecordClientIds, ClientIdsRecord(state.client_ids));
  return out;
}

Result<std::string> Compress(const std::string& raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1);
  size_t n = ZSTD_compress2(ctx, out.data(), out.size(), raw.data(), raw.size());
  ZSTD_freeCCtx(ctx);
  if (ZSTD_isError(n)) return Status::Io(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> Decompress(const std::string& data, const std::string& file) {
  unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > (uint64_t{1} << 40))
    return Status::Corruption(file + ": not a zstd frame with a known size");
  std::string out(size, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(n) || n != size) return Status::Corruption(file + ": " + ZSTD_getErrorName(n));
  return out;
}

// Applies one snapshot's contents to `model`, checking every frame.
Result<SnapshotState> Apply(const std::string& raw, const std::string& file, Model& model) {
  const size_t header = sizeof kSnapshotMagic + 8 + 32;
  if (raw.size() < header || std::memcmp(raw.data(), kSnapshotMagic, sizeof kSnapshotMagic) != 0)
    return Status::Corruption(file + ": bad snapshot header");
  SnapshotState state;
  std::memcpy(&state.sequence, raw.data() + 8, 8);
  std::memcpy(state.hash.data(), raw.data() + 16, 32);
  size_t offset = header;
  while (offset < raw.size()) {
    uint32_t frame[2];
    if (raw.size() - offset < sizeof frame) return Status::Corruption(file + ": truncated record");
    std::memcpy(frame, raw.data() + offset, sizeof frame);
    offset += sizeof frame;
    if (frame[0] == 0 || frame[0] > raw.size() - offset ||
        lf::Checksum(raw.data() + offset, frame[0]) != frame[1])
      return Status::Corruption(file + ": damaged record at byte " + std::to_string(offset));
    std::string_view payload(raw.data() + offset + 1, frame[0] - 1);
    uint8_t type = static_cast<uint8_t>(raw[offset]);
    offset += frame[0];
    if (type == kRecordLegacyClientIds) {
      auto ids = nlohmann::json::parse(payload, nullptr, false);
      if (ids.is_discarded()) return Status::Corruption(file + ": bad client id record");
      for (auto& [id, r] : ids.items())
        state.client_ids[LegacyClientIdKey(id)] = {r[0].get<uint64_t>(), r[1].get<size_t>(), false};
      continue;
    }
    if (type == kRecordClientIds) {
      if (!ReadClientIds(payload, state.client_ids))
        return Status::Corruption(file + ": bad client id record");
      continue;
    }
    QA_ASSIGN_OR_RETURN(Transaction txn, DecodeTransaction(payload));
    QA_RETURN_IF_ERROR(ApplyTransaction(model, txn));
    if (IsStructureChange(txn.kind)) state.structure.push_back(std::move(txn));
  }
  return state;
}

}  // namespace

std::string SnapshotName(uint64_t sequence) { return lf::SequenceFileName(sequence, ".snap"); }

Result<uint64_t> WriteSnapshot(Env* env, const std::string& dir, const Model& model,
                               const SnapshotState& state, int zstd_level) {
  QA_RETURN_IF_ERROR(env->CreateDirectory(dir));
  std::string raw = Serialize(model, state);
  GentleRelease release_raw(raw);
  QA_ASSIGN_OR_RETURN(std::string compressed, Compress(raw, zstd_level));
  GentleRelease release_compressed(compressed);
  const std::string final_path = dir + "/" + SnapshotName(state.sequence),
                    temp = final_path + ".tmp";
  QA_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(temp));
  // Synced piece by piece. A commit's fsync commits the file system's
  // journal, and ext4 (ordered mode) first writes out every newly allocated
  // dirty block, the snapshot's too: a commit waits for at most one piece.
  constexpr size_t kSyncBytes = 1 << 20;
  for (size_t at = 0; at < compressed.size(); at += kSyncBytes) {
    QA_RETURN_IF_ERROR(file->Append(std::string_view(compressed).substr(at, kSyncBytes)));
    QA_RETURN_IF_ERROR(file->Sync());
  }
  QA_RETURN_IF_ERROR(file->Sync());  // an empty snapshot too
  QA_RETURN_IF_ERROR(file->Close());
  QA_RETURN_IF_ERROR(env->RenameFile(temp, final_path));
  QA_RETURN_IF_ERROR(env->SyncDirectory(dir));
  return compressed.size();
}

Result<LoadedSnapshot> LoadLatestSnapshot(Env* env, const std::string& dir, Model& model,
                                          uint64_t max_sequence) {
  LoadedSnapshot out;
  if (!env->FileExists(dir)) return out;
  QA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDirectory(dir));
  std::vector<std::pair<uint64_t, std::string>> snapshots;
  for (const std::string& n : names)
    if (uint64_t seq = lf::ParseSequenceFileName(n, ".snap"); seq && seq <= max_sequence)
      snapshots.push_back({seq, n});
  std::sort(snapshots.rbegin(), snapshots.rend());
  for (const auto& [seq, name] : snapshots) {
    const std::string path = dir + "/" + name;
    Model attempt;
    auto applied = [&]() -> Result<SnapshotState> {
      QA_ASSIGN_OR_RETURN(std::string data, env->ReadFile(path));
      GentleRelease release_data(data);
      QA_ASSIGN_OR_RETURN(std::string raw, Decompress(data, path));
      GentleRelease release_raw(raw);
      return Apply(raw, path, attempt);
    }();
    if (!applied.ok()) {
      out.warnings.push_back(applied.status().message() + "; snapshot skipped");
      continue;
    }
    model = std::move(attempt);
    out.state = std::move(*applied);
    out.file = path;
    return out;
  }
  return out;
}

}  // namespace quantatom
