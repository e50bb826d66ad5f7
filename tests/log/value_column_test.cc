// Value columns: every value back bit for bit, decimals stored small, and
// damaged columns refused.
#include "log/value_column.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace quantatom {
namespace {

// Decodes `n` values from `column`; the error, "" when it decoded with no
// byte left over.
std::string Decode(const std::string& column, size_t n, std::vector<double>& back) {
  size_t at = 0;
  auto read = [&](void* out, size_t bytes) {
    if (bytes > column.size() - at) return false;
    std::memcpy(out, column.data() + at, bytes);
    at += bytes;
    return true;
  };
  back.assign(n, 0);
  std::string error;
  if (!DecodeValueColumn(read, n, back.data(), error)) return error;
  return at == column.size() ? "" : "bytes left over";
}

std::vector<double> RoundTrip(const std::vector<double>& values, size_t* encoded_bytes = nullptr) {
  std::string column;
  EncodeValueColumn(values, column);
  if (encoded_bytes) *encoded_bytes = column.size();
  std::vector<double> back;
  EXPECT_EQ(Decode(column, values.size(), back), "");
  return back;
}

void ExpectBitsEqual(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(double)), 0) << "value " << i << ": " << a[i];
}

TEST(ValueColumn, EveryKindOfValueComesBackBitForBit) {
  std::mt19937_64 rng(5);
  const double odd[] = {0.1 + 0.2,
                        -0.0,
                        1e-300,
                        std::numeric_limits<double>::denorm_min(),
                        std::numeric_limits<double>::max(),
                        -std::numeric_limits<double>::max(),
                        9007199254740993.0,
                        123456789.123456789,
                        1.0 / 3};
  for (int round = 0; round < 300; ++round) {
    const size_t n = rng() % 3000;
    const int scale = static_cast<int>(rng() % 8);  // 7: more places than a column takes
    const int odd_every = round % 3 == 0 ? 0 : 1 + static_cast<int>(rng() % 40);
    std::vector<double> values(n);
    for (size_t i = 0; i < n; ++i) {
      const int64_t units = static_cast<int64_t>(rng() % 20000001) - 10000000;
      values[i] = static_cast<double>(units) / std::pow(10.0, scale);
      if (odd_every && rng() % odd_every == 0) values[i] = odd[rng() % std::size(odd)];
    }
    SCOPED_TRACE("round " + std::to_string(round));
    ExpectBitsEqual(RoundTrip(values), values);
  }
}

TEST(ValueColumn, DecimalsTakeAFractionOfTheirDoubles) {
  std::vector<double> cents;
  for (int i = 0; i < 10000; ++i) cents.push_back((i * 7919 % 1000000) / 100.0);
  cents[17] = 0.1 + 0.2;  // an exception among them
  size_t bytes = 0;
  ExpectBitsEqual(RoundTrip(cents, &bytes), cents);
  EXPECT_LT(bytes, cents.size() * 4 + 64);  // 4-byte integers, not 8-byte doubles
  std::vector<double> small(100, 3.0);
  ExpectBitsEqual(RoundTrip(small, &bytes), small);
  EXPECT_LT(bytes, 120u);  // one byte each
}

TEST(ValueColumn, RefusesDamagedColumns) {
  std::vector<double> values;
  for (int i = 0; i < 100; ++i) values.push_back(i / 4.0);
  values[50] = 0.1 + 0.2;
  std::string column;
  EncodeValueColumn(values, column);
  ASSERT_EQ(column[0], 1);  // decimals: encoding, scale, width, integers, exceptions
  std::vector<double> back;
  auto decode = [&](const std::string& bytes) { return Decode(bytes, values.size(), back); };
  EXPECT_EQ(decode(column), "");
  std::string bad = column;
  bad[0] = 9;
  EXPECT_NE(decode(bad).find("unknown encoding"), std::string::npos);
  bad = column;
  bad[1] = 7;
  EXPECT_NE(decode(bad).find("scale"), std::string::npos);
  bad = column;
  bad[2] = 3;
  EXPECT_NE(decode(bad).find("width"), std::string::npos);
  // The one exception: count 1, gap 50, then its f64; a gap past the end.
  bad = column;
  ASSERT_EQ(bad[bad.size() - 9], 50);
  bad[bad.size() - 9] = 100;
  EXPECT_NE(decode(bad).find("out of place"), std::string::npos);
  for (size_t cut = 0; cut < column.size(); ++cut)
    EXPECT_NE(decode(column.substr(0, cut)), "") << "cut at " << cut;
}

}  // namespace
}  // namespace quantatom
