// libFuzzer: DecodeTransaction on arbitrary bytes (a log record whose
// checksum matched). A decoded transaction must encode back to bytes that
// decode to the same transaction, and applying its deltas to a small cube
// must either work or be refused. A crash, an abort or a sanitizer report is
// a bug; any Status is fine.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "log/transaction_codec.h"
#include "quantatom/load.h"

namespace {

using namespace quantatom;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool SameDeltas(const AtomDeltas& a, const AtomDeltas& b) {
  if (a.dims() != b.dims() || a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto ca = a.coordinate(i), cb = b.coordinate(i);
    if (!std::equal(ca.begin(), ca.end(), cb.begin())) return false;
    auto same = [](std::optional<double> x, std::optional<double> y) {
      return x.has_value() == y.has_value() &&
             (!x || std::memcmp(&*x, &*y, sizeof(double)) == 0);  // NaN bits too
    };
    if (!same(a.old_value(i), b.old_value(i)) || !same(a.new_value(i), b.new_value(i)))
      return false;
  }
  return true;
}

std::shared_ptr<Cube> SmallCube() {
  auto dim = [](std::string name, std::string_view csv) {
    auto d = ParseDimensionCsv(csv, std::move(name), "fuzz");
    Check(d.ok());
    return *d;
  };
  auto cube = Cube::Create("Fuzz", {dim("A", "member,parent,weight\nAll,,\nA1,All,1\nA2,All,-1\n"),
                                    dim("B", "member,parent,weight\nB1,,\nB2,,\n")});
  Check(cube.ok());
  return *cube;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto txn = DecodeTransaction(bytes);
  if (!txn.ok()) return 0;
  std::string again;
  EncodeTransaction(*txn, again);
  auto decoded = DecodeTransaction(again);
  Check(decoded.ok());
  Check(decoded->sequence == txn->sequence && decoded->user == txn->user &&
        decoded->parameters == txn->parameters && decoded->cube == txn->cube &&
        decoded->previous_hash == txn->previous_hash);
  Check(SameDeltas(decoded->deltas, txn->deltas));
  auto head = DecodeTransactionHead(bytes);
  Check(head.ok() && head->sequence == txn->sequence);
  if (txn->deltas.dims() == 2) (void)SmallCube()->ApplyDeltas(txn->deltas);
  return 0;
}
