#include "db/rebuild.h"

#include "db/apply.h"
#include "db/client_ids.h"
#include "rules/install.h"

namespace quantatom {

Result<Rebuilt> RebuildModel(Env* env, const std::string& dir, const LogStore& log, uint64_t up_to,
                             bool repair, bool use_snapshot, bool with_rules) {
  Rebuilt out;
  LoadedSnapshot loaded;
  if (use_snapshot) {
    QA_ASSIGN_OR_RETURN(loaded, LoadLatestSnapshot(env, dir + "/snapshot", out.model, up_to));
  }
  out.state = std::move(loaded.state);
  out.snapshot = loaded.file;
  out.snapshot_sequence = out.state.sequence;
  out.warnings = loaded.warnings;
  ReplayOptions options;
  options.after_sequence = out.state.sequence;
  options.after_hash = out.state.hash;
  options.repair_torn_tail = repair;
  auto end = log.Replay(options, [&](const Transaction& txn, const Hash& hash) {
    if (txn.sequence > up_to) return Status::Ok();
    QA_RETURN_IF_ERROR(ApplyTransaction(out.model, txn));
    if (IsStructureChange(txn.kind)) out.state.structure.push_back(StructureRecord(txn));
    if (!txn.client_txn_id.empty())
      out.state.client_ids[ClientIdKey(txn.user, txn.client_txn_id)] = {txn.sequence,
                                                                        AtomsChanged(txn), false};
    out.state.sequence = txn.sequence;
    out.state.hash = hash;
    return Status::Ok();
  });
  if (!end.ok()) return end.status();
  out.log_end = std::move(*end);
  out.warnings.insert(out.warnings.end(), out.log_end.warnings.begin(), out.log_end.warnings.end());
  if (with_rules) QA_RETURN_IF_ERROR(rules::InstallRules(out.model));
  return out;
}

}  // namespace quantatom
