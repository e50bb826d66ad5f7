// The change feed's fast path: the most recent transactions in memory, and
// the listeners told of each new one as it becomes visible. Readers of an
// older part of the feed fall back to the log.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "quantatom/database.h"

namespace quantatom {

class ChangeFeed {
 public:
  // Keeps recent transactions up to `deltas_max` deltas in all; a larger
  // transaction (a big load, or one with omitted deltas) is not kept and
  // empties the tail.
  ChangeFeed(uint64_t last_sequence, size_t deltas_max);

  // Commit thread: a group just became visible, in sequence order.
  void Publish(const std::vector<std::shared_ptr<const Transaction>>& committed);

  // Transactions after `sequence` (at most `max`), when the tail holds every
  // one of them; nullopt when some are older than the tail.
  std::optional<std::vector<Transaction>> Since(uint64_t sequence, size_t max) const;

  uint64_t Subscribe(ChangeListener listener);
  void Unsubscribe(uint64_t id);

 private:
  const size_t deltas_max_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const Transaction>> tail_;
  uint64_t tail_from_;  // the tail holds every transaction from here on
  size_t tail_deltas_ = 0;

  std::mutex listeners_mu_;  // held while listeners run, so Unsubscribe waits them out
  std::map<uint64_t, ChangeListener> listeners_;
  uint64_t next_listener_ = 1;
};

}  // namespace quantatom
