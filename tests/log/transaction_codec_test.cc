#include "log/transaction_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "log/delta_columns.h"

namespace quantatom {
namespace {

// Random deltas: member ids of every width, old and new values present or not.
AtomDeltas RandomDeltas(std::mt19937_64& rng, size_t dims, size_t n) {
  AtomDeltas d(dims);
  const MemberId ranges[] = {200, 60000, 3000000};
  std::vector<MemberId> range(dims);
  for (auto& r : range) r = ranges[rng() % 3];
  std::vector<MemberId> coordinate(dims);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < dims; ++k) coordinate[k] = rng() % range[k];
    auto value = [&]() -> std::optional<double> {
      if (rng() % 4 == 0) return std::nullopt;
      return static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 100;
    };
    d.Add(coordinate.data(), value(), value());
  }
  return d;
}

void ExpectSame(const AtomDeltas& a, const AtomDeltas& b) {
  ASSERT_EQ(a.dims(), b.dims());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(std::equal(a.coordinate(i).begin(), a.coordinate(i).end(), b.coordinate(i).begin()))
        << "delta " << i;
    ASSERT_EQ(a.old_value(i), b.old_value(i)) << "delta " << i;
    ASSERT_EQ(a.new_value(i), b.new_value(i)) << "delta " << i;
  }
}

Transaction SampleTransaction(AtomDeltas deltas) {
  Transaction t;
  t.sequence = 42;
  t.time_us = 1'700'000'000'000'000;
  t.user = "ana";
  t.client_txn_id = "retry-7";
  t.kind = OperationKind::kLoad;
  t.parameters = R"({"file":"x.csv"})";
  t.cube = "Sales";
  t.deltas = std::move(deltas);
  t.previous_hash[0] = 9;
  return t;
}

TEST(TransactionCodec, RoundTripsSmallAndLargeBlocks) {
  std::mt19937_64 rng(7);
  // Sizes around the raw/zstd threshold and over a chunk of 2^20 deltas.
  for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{5000}, size_t{1'100'000}}) {
    for (size_t dims : {1, 3, 6}) {
      if (n > 100000 && dims != 3) continue;
      Transaction t = SampleTransaction(RandomDeltas(rng, dims, n));
      std::string encoded;
      EncodeTransaction(t, encoded);
      auto decoded = DecodeTransaction(encoded);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << " n=" << n << " dims=" << dims;
      EXPECT_EQ(decoded->sequence, t.sequence);
      EXPECT_EQ(decoded->time_us, t.time_us);
      EXPECT_EQ(decoded->user, t.user);
      EXPECT_EQ(decoded->client_txn_id, t.client_txn_id);
      EXPECT_EQ(decoded->kind, t.kind);
      EXPECT_EQ(decoded->parameters, t.parameters);
      EXPECT_EQ(decoded->cube, t.cube);
      EXPECT_EQ(decoded->previous_hash, t.previous_hash);
      ExpectSame(decoded->deltas, t.deltas);
    }
  }
}

TEST(TransactionCodec, LargeLoadIsCompressed) {
  AtomDeltas d(4);
  for (MemberId i = 0; i < 200000; ++i) {
    MemberId c[4] = {i % 3, i % 50, i / 50 % 400, 7};
    d.Add(c, std::nullopt, 1.5);
  }
  std::string encoded;
  EncodeTransaction(SampleTransaction(std::move(d)), encoded);
  EXPECT_LT(encoded.size(), 200000u);  // raw columns would take 13 bytes a delta
}

TEST(TransactionCodec, RefusesEveryTruncationAndTrailingBytes) {
  std::mt19937_64 rng(11);
  for (size_t n : {size_t{3}, size_t{20000}}) {
    std::string encoded;
    EncodeTransaction(SampleTransaction(RandomDeltas(rng, 3, n)), encoded);
    const size_t step = encoded.size() > 1000 ? encoded.size() / 300 : 1;
    for (size_t cut = 0; cut < encoded.size(); cut += step) {
      auto decoded = DecodeTransaction(std::string_view(encoded).substr(0, cut));
      ASSERT_FALSE(decoded.ok()) << "cut at " << cut << " of " << encoded.size();
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    }
    auto longer = DecodeTransaction(encoded + "x");
    EXPECT_EQ(longer.status().code(), StatusCode::kCorruption);
  }
}

TEST(DeltaColumns, RefusesBadWidthFlagsAndKind) {
  AtomDeltas d(2);
  MemberId c[2] = {1, 2};
  d.Add(c, std::nullopt, 3.0);
  std::string block;
  EncodeDeltaBlock(d, block);
  ASSERT_TRUE(DecodeDeltaBlock(block, 2, 1).ok());
  // kind byte, width byte, member, width byte, member, flags, value
  std::string bad_kind = block, bad_width = block, bad_flags = block;
  bad_kind[0] = 7;
  bad_width[1] = 3;
  bad_flags[5] = 9;
  EXPECT_NE(DecodeDeltaBlock(bad_kind, 2, 1).status().message().find("unknown kind"),
            std::string::npos);
  EXPECT_NE(DecodeDeltaBlock(bad_width, 2, 1).status().message().find("width"), std::string::npos);
  EXPECT_NE(DecodeDeltaBlock(bad_flags, 2, 1).status().message().find("flags"), std::string::npos);
  // A count the block cannot hold is refused before anything is allocated.
  EXPECT_EQ(DecodeDeltaBlock(block, 2, uint64_t{1} << 40).status().code(), StatusCode::kCorruption);
}

// Format 2 stored values as plain f64, without a value column's encoding
// byte; logs and snapshots written so are still read.
TEST(TransactionCodec, ReadsFormatTwo) {
  AtomDeltas d(2);
  MemberId c[2] = {1, 2};
  d.Add(c, 4.25, 3.5);
  std::string v3;
  EncodeTransaction(SampleTransaction(d), v3);
  // A raw block of one delta ends with two value columns: [0][f64][0][f64].
  ASSERT_EQ(v3[v3.size() - 18], 0);
  ASSERT_EQ(v3[v3.size() - 9], 0);
  std::string v2 = v3;
  v2.erase(v2.size() - 9, 1);
  v2.erase(v2.size() - 17, 1);
  v2[0] = 2;
  auto decoded = DecodeTransaction(v2);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSame(decoded->deltas, d);
  v2[0] = 5;  // a version from the future
  EXPECT_EQ(DecodeTransaction(v2).status().code(), StatusCode::kCorruption);
}

// Format 4: a structure change removing atoms of several cubes carries the
// further cubes' deltas; written only then, so other transactions stay 3.
TEST(TransactionCodec, RoundTripsDeltasOfSeveralCubes) {
  std::mt19937_64 rng(5);
  Transaction t = SampleTransaction(RandomDeltas(rng, 2, 3));
  std::string plain;
  EncodeTransaction(t, plain);
  EXPECT_EQ(plain[0], 3);
  t.kind = OperationKind::kDeleteMember;
  t.other_cubes.push_back({"Plan", RandomDeltas(rng, 3, 4)});
  t.other_cubes.push_back({"Forecast", RandomDeltas(rng, 1, 20000)});
  std::string encoded;
  EncodeTransaction(t, encoded);
  EXPECT_EQ(encoded[0], 4);
  auto decoded = DecodeTransaction(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSame(decoded->deltas, t.deltas);
  ASSERT_EQ(decoded->other_cubes.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(decoded->other_cubes[i].cube, t.other_cubes[i].cube);
    ExpectSame(decoded->other_cubes[i].deltas, t.other_cubes[i].deltas);
  }
  const size_t step = encoded.size() / 200 + 1;
  for (size_t cut = 0; cut < encoded.size(); cut += step)
    ASSERT_EQ(DecodeTransaction(std::string_view(encoded).substr(0, cut)).status().code(),
              StatusCode::kCorruption)
        << "cut at " << cut;
}

}  // namespace
}  // namespace quantatom
