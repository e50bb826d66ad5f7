#include "store/bulk_build.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <atomic>

namespace quantatom {
namespace {

struct Row {
  uint32_t inner;
  double value;
};

// Sums runs of equal keys in a sorted bucket into a partition.
Partition Fold(uint64_t id, Row* begin, Row* end, size_t* duplicates) {
  std::sort(begin, end, [](const Row& a, const Row& b) { return a.inner < b.inner; });
  Partition p;
  p.id = id;
  size_t distinct = 0;
  for (Row* r = begin; r != end; ++r) distinct += (r == begin || r->inner != r[-1].inner);
  p.keys.reserve(distinct);
  p.values.reserve(distinct);
  for (Row* r = begin; r != end; ++r) {
    if (r != begin && r->inner == r[-1].inner) {
      p.values.back() += r->value;
    } else {
      p.keys.push_back(r->inner);
      p.values.push_back(r->value);
    }
  }
  *duplicates = (end - begin) - distinct;
  return p;
}

// Where each row goes: bucket b holds partition ids[b], rows offset[b]..offset[b+1].
struct Buckets {
  std::vector<uint64_t> ids;
  std::vector<size_t> offset;
  std::vector<uint32_t> of_row;  // empty when ids are dense (bucket = id slot)
  std::vector<int64_t> dense;    // partition id -> bucket, when ids are few
};

constexpr uint64_t kDenseIdsMax = uint64_t{1} << 22;

Buckets MakeBuckets(const std::vector<uint64_t>& keys, int inner_bits) {
  Buckets b;
  uint64_t max_id = 0;
  for (uint64_t k : keys) max_id = std::max(max_id, k >> inner_bits);
  if (max_id < kDenseIdsMax) {
    std::vector<size_t> count(max_id + 1, 0);
    for (uint64_t k : keys) ++count[k >> inner_bits];
    b.dense.assign(max_id + 1, -1);
    b.offset.push_back(0);
    for (uint64_t id = 0; id <= max_id; ++id) {
      if (count[id] == 0) continue;
      b.dense[id] = static_cast<int64_t>(b.ids.size());
      b.ids.push_back(id);
      b.offset.push_back(b.offset.back() + count[id]);
    }
    return b;
  }
  b.ids.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) b.ids[i] = keys[i] >> inner_bits;
  tbb::parallel_sort(b.ids.begin(), b.ids.end());
  b.ids.erase(std::unique(b.ids.begin(), b.ids.end()), b.ids.end());
  b.of_row.resize(keys.size());
  b.offset.assign(b.ids.size() + 1, 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    b.of_row[i] = static_cast<uint32_t>(
        std::lower_bound(b.ids.begin(), b.ids.end(), keys[i] >> inner_bits) - b.ids.begin());
    ++b.offset[b.of_row[i] + 1];
  }
  for (size_t i = 0; i < b.ids.size(); ++i) b.offset[i + 1] += b.offset[i];
  return b;
}

}  // namespace

BulkBuildResult BuildPartitions(std::vector<uint64_t> keys, std::vector<double> values,
                                int inner_bits) {
  const size_t n = keys.size();
  const uint64_t inner_mask = (uint64_t{1} << inner_bits) - 1;
  Buckets b = MakeBuckets(keys, inner_bits);
  std::vector<Row> rows(n);
  {
    std::vector<size_t> next(b.offset.begin(), b.offset.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      size_t bucket = b.of_row.empty() ? b.dense[keys[i] >> inner_bits] : b.of_row[i];
      rows[next[bucket]++] = {static_cast<uint32_t>(keys[i] & inner_mask), values[i]};
    }
  }
  std::vector<uint64_t>().swap(keys);  // release the input before building
  std::vector<double>().swap(values);

  BulkBuildResult out;
  out.partitions.resize(b.ids.size());
  std::atomic<size_t> duplicates{0};
  tbb::parallel_for(size_t{0}, b.ids.size(), [&](size_t i) {
    size_t dup = 0;
    out.partitions[i] =
        Fold(b.ids[i], rows.data() + b.offset[i], rows.data() + b.offset[i + 1], &dup);
    duplicates += dup;
  });
  out.duplicates = duplicates;
  return out;
}

std::vector<Partition> PartitionSorted(std::span<const uint64_t> keys,
                                       std::span<const double> values, int inner_bits) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < keys.size(); ++i)
    if (i == 0 || (keys[i] >> inner_bits) != (keys[i - 1] >> inner_bits)) starts.push_back(i);
  starts.push_back(keys.size());
  std::vector<Partition> partitions(starts.size() - 1);
  const uint64_t inner_mask = (uint64_t{1} << inner_bits) - 1;
  tbb::parallel_for(size_t{0}, partitions.size(), [&](size_t p) {
    Partition& out = partitions[p];
    out.id = keys[starts[p]] >> inner_bits;
    out.keys.resize(starts[p + 1] - starts[p]);
    for (size_t i = starts[p]; i < starts[p + 1]; ++i)
      out.keys[i - starts[p]] = static_cast<uint32_t>(keys[i] & inner_mask);
    out.values.assign(values.begin() + starts[p], values.begin() + starts[p + 1]);
  });
  return partitions;
}

}  // namespace quantatom
