// The commit thread: takes every waiting request, prepares each against the
// model plus the group's earlier changes, appends them all with one fsync,
// then applies them and answers. Nothing is visible before it is durable.
#include <future>

#include "db/apply.h"
#include "db/client_ids.h"
#include "db/database_impl.h"
#include "log/transaction_codec.h"

namespace quantatom {

Result<CommitResult> Database::Impl::Submit(std::unique_ptr<CommitRequest> request) {
  auto future = request->done.get_future();
  {
    std::lock_guard lock(queue_mu);
    if (stopping) return Status::Precondition("the database is closing");
    queue.push_back(std::move(request));
  }
  queue_cv.notify_one();
  return future.get();
}

void Database::Impl::SnapshotLoop(Database& db) {
  std::unique_lock lock(queue_mu);
  while (true) {
    snapshot_cv.wait(lock, [this] { return stopping || SnapshotDue(); });
    if (stopping) return;
    lock.unlock();
    Status s = db.Snapshot().status();  // rebuilt aside: commits go on meanwhile
    lock.lock();
    last_snapshot_status = s;
    if (!s.ok()) return;  // reported by Database::snapshot_status(); no retry loop
  }
}

void Database::Impl::CommitLoop() {
  while (true) {
    std::vector<std::unique_ptr<CommitRequest>> group;
    {
      std::unique_lock lock(queue_mu);
      queue_cv.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, nothing left
      // A request that must be alone ends the group before it.
      while (!queue.empty() && group.size() < options.group_commit_max) {
        if (queue.front()->alone && !group.empty()) break;
        group.push_back(std::move(queue.front()));
        queue.pop_front();
        if (group.back()->alone) break;
      }
    }
    CommitGroup(group);
  }
}

std::optional<CommitResult> Database::Impl::CommittedWithId(const CommitContext& ctx) const {
  auto it = results_by_client_id.find(ClientIdKey(ctx.user, ctx.client_txn_id));
  if (it == results_by_client_id.end())
    it = results_by_client_id.find(LegacyClientIdKey(ctx.client_txn_id));
  if (it == results_by_client_id.end()) return std::nullopt;
  return it->second;
}

void Database::Impl::CommitGroup(std::vector<std::unique_ptr<CommitRequest>>& group) {
  constexpr size_t kNone = SIZE_MAX;
  Overlay overlay;
  std::vector<std::shared_ptr<Transaction>> txns;
  std::vector<std::string> payloads;
  std::vector<std::optional<Result<CommitResult>>> answers(group.size());
  std::vector<size_t> txn_of(group.size(), kNone), twin_of(group.size(), kNone);
  std::unordered_map<std::string, size_t> first_with_id;
  Hash hash = last_hash;
  for (size_t i = 0; i < group.size(); ++i) {
    CommitRequest& request = *group[i];
    const std::string& id = request.context.client_txn_id;
    if (!id.empty()) {
      if (auto earlier = CommittedWithId(request.context)) {
        earlier->replayed = true;
        answers[i] = *earlier;
        continue;
      }
      const std::string key = ClientIdKey(request.context.user, id);
      if (auto it = first_with_id.find(key); it != first_with_id.end()) {
        twin_of[i] = it->second;  // answered as its twin is, below
        continue;
      }
      first_with_id[key] = i;
    }
    Transaction txn;
    Status prepared = request.prepare(txn, overlay);
    if (!prepared.ok()) {
      answers[i] = prepared;
      continue;
    }
    txn.sequence = last_sequence + txns.size() + 1;
    txn.time_us = env->NowMicros();
    txn.user = request.context.user;
    txn.client_txn_id = id;
    if (!payloads.empty()) hash = HashOf(payloads.back());  // the link the next needs
    txn.previous_hash = hash;
    std::string payload;
    if (request.deltas)
      EncodeTransaction(txn, *request.deltas, payload);
    else
      EncodeTransaction(txn, payload);
    payloads.push_back(std::move(payload));
    txn_of[i] = txns.size();
    txns.push_back(std::make_shared<Transaction>(std::move(txn)));
  }
  // The last transaction's own hash is needed only by the next group: it is
  // computed while the group is written (a load's is hundreds of MB).
  std::future<Hash> last_payload_hash;
  if (!payloads.empty())
    last_payload_hash =
        std::async(payloads.back().size() > (1 << 20) ? std::launch::async : std::launch::deferred,
                   [&] { return HashOf(payloads.back()); });
  Status logged = payloads.empty() ? Status::Ok() : log->Append(payloads, last_sequence + 1);
  if (last_payload_hash.valid()) hash = last_payload_hash.get();
  std::unique_lock visible_lock(visible_mu, std::defer_lock);
  if (logged.ok() && !txns.empty()) visible_lock.lock();
  for (size_t i = 0; i < group.size(); ++i) {
    if (txn_of[i] == kNone) continue;
    if (!logged.ok()) {
      answers[i] = logged;
      continue;
    }
    const Transaction& txn = *txns[txn_of[i]];
    Status applied;
    {
      std::unique_lock lock(structure_mu);
      applied = group[i]->apply ? group[i]->apply(model, txn) : ApplyTransaction(model, txn);
    }
    if (!applied.ok()) {
      // A prepared transaction always applies; if one does not, the model
      // and the log disagree and no further write may be acknowledged.
      log->MarkBroken();
      answers[i] = Status::Unknown("transaction " + std::to_string(txn.sequence) +
                                   " is logged but could not be applied: " + applied.message());
      continue;
    }
    CommitResult r{txn.sequence, AtomsChanged(txn), false};
    if (!txn.client_txn_id.empty())
      results_by_client_id[ClientIdKey(txn.user, txn.client_txn_id)] = r;
    answers[i] = r;
  }
  if (log->broken()) writes_refused = true;
  if (logged.ok() && !txns.empty()) {
    last_sequence += txns.size();
    last_hash = hash;
    {
      std::lock_guard lock(health_mu);
      for (const std::string& p : payloads) log_bytes_appended += p.size();
      visible_sequence = last_sequence;
    }
    visible_lock.unlock();
    if (SnapshotDue()) snapshot_cv.notify_one();
    feed->Publish({txns.begin(), txns.end()});
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (twin_of[i] != kNone) {
      answers[i] = *answers[twin_of[i]];
      if (answers[i]->ok()) (*answers[i])->replayed = true;
    }
    group[i]->done.set_value(std::move(*answers[i]));
  }
}

}  // namespace quantatom
