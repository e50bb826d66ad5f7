// The byte layout of a transaction in the log (docs/log-format.md) and the
// hash that chains each transaction to the one before.
#pragma once

#include <string>
#include <string_view>

#include "quantatom/status.h"
#include "quantatom/transaction.h"

namespace quantatom {

// Appends the encoding of `txn` to `out`.
void EncodeTransaction(const Transaction& txn, std::string& out);
// The same with the deltas taken from `deltas` instead of txn.deltas.
void EncodeTransaction(const Transaction& txn, const DeltaSource& deltas, std::string& out);
// Fails with kCorruption naming what is wrong when `data` is not exactly
// one well-formed transaction.
Result<Transaction> DecodeTransaction(std::string_view data);
// The fixed head of an encoded transaction: enough to check order and the
// hash chain without decoding the deltas (a load holds millions).
struct TransactionHead {
  uint64_t sequence = 0;
  Hash previous_hash{};
};
Result<TransactionHead> DecodeTransactionHead(std::string_view data);
// BLAKE2b-256 of an encoded transaction: the next one's previous_hash.
Hash HashOf(std::string_view encoded);
std::string HexOf(const Hash& hash);

}  // namespace quantatom
