#include "db/change_feed.h"

namespace quantatom {
namespace {

// Deltas held in memory, of every cube of the transaction.
size_t DeltasHeld(const Transaction& txn) {
  size_t n = txn.deltas.size();
  for (const CubeDeltas& c : txn.other_cubes) n += c.deltas.size();
  return n;
}

}  // namespace

ChangeFeed::ChangeFeed(uint64_t last_sequence, size_t deltas_max)
    : deltas_max_(deltas_max), tail_from_(last_sequence + 1) {}

void ChangeFeed::Publish(const std::vector<std::shared_ptr<const Transaction>>& committed) {
  {
    std::lock_guard lock(mu_);
    for (const auto& txn : committed) {
      if (txn->omitted_deltas > 0 || DeltasHeld(*txn) > deltas_max_) {
        tail_.clear();
        tail_deltas_ = 0;
        tail_from_ = txn->sequence + 1;
        continue;
      }
      tail_.push_back(txn);
      tail_deltas_ += DeltasHeld(*txn);
      while (tail_deltas_ > deltas_max_ || tail_.size() > deltas_max_) {
        tail_deltas_ -= DeltasHeld(*tail_.front());
        tail_.pop_front();
        tail_from_ = tail_.empty() ? txn->sequence + 1 : tail_.front()->sequence;
      }
    }
  }
  std::lock_guard lock(listeners_mu_);
  for (const auto& txn : committed)
    for (const auto& [id, listener] : listeners_) listener(txn);
}

std::optional<std::vector<Transaction>> ChangeFeed::Since(uint64_t sequence, size_t max) const {
  std::lock_guard lock(mu_);
  if (sequence + 1 < tail_from_) return std::nullopt;
  std::vector<Transaction> out;
  for (const auto& txn : tail_) {
    if (out.size() >= max) break;
    if (txn->sequence > sequence) out.push_back(*txn);
  }
  return out;
}

uint64_t ChangeFeed::Subscribe(ChangeListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_[next_listener_] = std::move(listener);
  return next_listener_++;
}

void ChangeFeed::Unsubscribe(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(id);
}

}  // namespace quantatom
