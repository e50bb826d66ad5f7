#include "log/transaction_codec.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "log/delta_columns.h"

namespace quantatom {
namespace {

// Version 3 stores values as value columns; version 2 (plain f64) is still
// read. Version 4 is version 3 with the deltas of further cubes after the
// cube's name, written only for a transaction that has them.
constexpr uint8_t kFormatVersion = 3, kFormatVersionOtherCubes = 4, kFormatVersionMin = 2;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <typename T>
void PutFixed(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));  // little-endian machines only (x86-64, arm64)
  out.append(bytes, sizeof(T));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// Reads from a byte range, remembering the first thing that did not fit.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == data_.size(); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
    ok_ = false;
    return 0;
  }
  template <typename T>
  T Fixed() {
    T v{};
    if (Need(sizeof(T))) std::memcpy(&v, data_.data() + pos_, sizeof(T)), pos_ += sizeof(T);
    return v;
  }
  std::string String() {
    uint64_t n = Varint();
    if (!Need(n)) return {};
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  void Bytes(uint8_t* out, size_t n) {
    if (Need(n)) std::memcpy(out, data_.data() + pos_, n), pos_ += n;
  }
  std::string_view View(uint64_t n) {
    if (!Need(n)) return {};
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  std::string_view Rest() { return View(data_.size() - pos_); }

 private:
  bool Need(uint64_t n) {
    if (ok_ && n <= data_.size() - pos_) return true;
    ok_ = false;
    return false;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

void EncodeTransaction(const Transaction& txn, std::string& out) {
  EncodeTransaction(txn, AtomDeltasSource(txn.deltas), out);
}

void EncodeTransaction(const Transaction& txn, const DeltaSource& d, std::string& out) {
  const bool others = !txn.other_cubes.empty();
  out.push_back(static_cast<char>(others ? kFormatVersionOtherCubes : kFormatVersion));
  PutFixed<uint64_t>(out, txn.sequence);
  PutFixed<int64_t>(out, txn.time_us);
  out.append(reinterpret_cast<const char*>(txn.previous_hash.data()), txn.previous_hash.size());
  PutString(out, txn.user);
  PutString(out, txn.client_txn_id);
  out.push_back(static_cast<char>(txn.kind));
  PutString(out, txn.parameters);
  PutString(out, txn.cube);
  if (others) {
    PutVarint(out, txn.other_cubes.size());
    for (const CubeDeltas& c : txn.other_cubes) {
      PutString(out, c.cube);
      PutVarint(out, c.deltas.dims());
      PutVarint(out, c.deltas.size());
      std::string block;
      EncodeDeltaBlock(c.deltas, block);
      PutString(out, block);
    }
  }
  PutVarint(out, d.dims());
  PutVarint(out, d.size());
  EncodeDeltaBlock(d, out);
}

namespace {

// The fixed head: version, sequence, time, previous hash.
Status ReadHead(Reader& r, Transaction& txn, uint8_t& version) {
  version = r.Fixed<uint8_t>();
  if (r.ok() && (version < kFormatVersionMin || version > kFormatVersionOtherCubes))
    return Status::Corruption("transaction format version " + std::to_string(version) +
                              " is unknown");
  txn.sequence = r.Fixed<uint64_t>();
  txn.time_us = r.Fixed<int64_t>();
  r.Bytes(txn.previous_hash.data(), txn.previous_hash.size());
  return r.ok() ? Status::Ok() : Status::Corruption("transaction head is truncated");
}

}  // namespace

Result<Transaction> DecodeTransaction(std::string_view data) {
  Reader r(data);
  Transaction txn;
  uint8_t version = 0;
  QA_RETURN_IF_ERROR(ReadHead(r, txn, version));
  txn.user = r.String();
  txn.client_txn_id = r.String();
  txn.kind = static_cast<OperationKind>(r.Fixed<uint8_t>());
  txn.parameters = r.String();
  txn.cube = r.String();
  const std::string where = "transaction " + std::to_string(txn.sequence) + ": ";
  if (version == kFormatVersionOtherCubes) {
    const uint64_t cubes = r.Varint();
    if (!r.ok() || cubes == 0 || cubes > data.size())
      return Status::Corruption(where + "bad count of further cubes");
    for (uint64_t i = 0; i < cubes; ++i) {
      CubeDeltas c;
      c.cube = r.String();
      const uint64_t dims = r.Varint(), count = r.Varint();
      const uint64_t bytes = r.Varint();
      std::string_view block = r.View(bytes);
      if (!r.ok() || dims > 64) return Status::Corruption(where + "further cube is malformed");
      auto deltas = DecodeDeltaBlock(block, dims, count, kFormatVersion);
      if (!deltas.ok()) return Status::Corruption(where + deltas.status().message());
      c.deltas = std::move(*deltas);
      txn.other_cubes.push_back(std::move(c));
    }
  }
  uint64_t dims = r.Varint();
  uint64_t count = r.Varint();
  if (!r.ok() || dims > 64) return Status::Corruption(where + "header is malformed");
  auto deltas = DecodeDeltaBlock(r.Rest(), dims, count, std::min<int>(version, kFormatVersion));
  if (!deltas.ok()) return Status::Corruption(where + deltas.status().message());
  txn.deltas = std::move(*deltas);
  return txn;
}

Result<TransactionHead> DecodeTransactionHead(std::string_view data) {
  Reader r(data);
  Transaction txn;  // its head only: no deltas are read
  uint8_t version = 0;
  QA_RETURN_IF_ERROR(ReadHead(r, txn, version));
  return TransactionHead{txn.sequence, txn.previous_hash};
}

Hash HashOf(std::string_view encoded) {
  Hash h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(encoded.data()),
                     encoded.size(), nullptr, 0);
  return h;
}

std::string HexOf(const Hash& hash) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : hash) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

}  // namespace quantatom
