// Rules against a brute-force oracle on random small cubes: random
// hierarchies with shared members and negative weights, random sparsity,
// random leaf and consolidated rules (chained, with consolidated
// references, IF, MIN/MAX, division, constants). Every derived atom and
// random cells of any level must equal the oracle's, and after random
// write sequences the incremental recalculation must equal a full one.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>

#include "quantatom/rules.h"
#include "rules/install.h"
#include "rules/sandbox_overlay.h"
#include "support/random_model.h"

namespace quantatom {
namespace {

using testing::NearlyEqual;
using testing::OracleAtoms;
using testing::OracleCell;

// Measure members: inputs, two leaf rules' outputs, a consolidated rule's cells.
const char* kMeasures[] = {"In0", "In1", "In2", "Out0", "Out1", "Cons"};
constexpr MemberId kOut0 = 3, kOut1 = 4, kCons = 5;

// An expression the test can both write as rules text and evaluate itself.
struct TExpr {
  enum Kind { kConst, kRef, kAdd, kSub, kMul, kDiv, kMin, kMax, kIf, kNeg } kind = kConst;
  double value = 0;                                   // kConst; kIf: the threshold
  MemberId measure = 0;                               // kRef
  std::vector<std::pair<size_t, MemberId>> replaced;  // kRef: dimension, member
  std::vector<TExpr> kids;
};

using Read = std::function<std::optional<double>(const Coordinate&)>;

std::optional<double> Finite(double v) {
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

std::optional<double> Eval(const TExpr& e, const Coordinate& cell, const Read& read) {
  auto kid = [&](size_t i) { return Eval(e.kids[i], cell, read); };
  switch (e.kind) {
    case TExpr::kConst:
      return e.value;
    case TExpr::kRef: {
      Coordinate c = cell;
      c[0] = e.measure;
      for (auto [d, m] : e.replaced) c[d] = m;
      return read(c);
    }
    case TExpr::kAdd:
    case TExpr::kSub: {
      auto a = kid(0), b = kid(1);
      if (!a && !b) return std::nullopt;
      return Finite(a.value_or(0) + (e.kind == TExpr::kAdd ? 1 : -1) * b.value_or(0));
    }
    case TExpr::kMul: {
      auto a = kid(0), b = kid(1);
      if (!a || !b) return std::nullopt;
      return Finite(*a * *b);
    }
    case TExpr::kDiv: {
      auto a = kid(0), b = kid(1);
      if (!a || !b || *b == 0) return std::nullopt;
      return Finite(*a / *b);
    }
    case TExpr::kMin:
    case TExpr::kMax: {
      auto a = kid(0), b = kid(1);
      if (!a) return b;
      if (!b) return a;
      return e.kind == TExpr::kMin ? std::min(*a, *b) : std::max(*a, *b);
    }
    case TExpr::kIf:
      return kid(0).value_or(0) > e.value ? kid(1) : kid(2);
    case TExpr::kNeg: {
      auto a = kid(0);
      return a ? std::optional<double>(-*a) : std::nullopt;
    }
  }
  return std::nullopt;
}

std::string Text(const TExpr& e, const std::vector<std::shared_ptr<const Dimension>>& dims) {
  auto kid = [&](size_t i) { return Text(e.kids[i], dims); };
  switch (e.kind) {
    case TExpr::kConst: {
      std::ostringstream out;
      out << e.value;
      return e.value < 0 ? "(" + out.str() + ")" : out.str();
    }
    case TExpr::kRef: {
      std::string out = "[M: " + std::string(kMeasures[e.measure]);
      for (auto [d, m] : e.replaced) out += ", " + dims[d]->name() + ": " + dims[d]->member_name(m);
      return out + "]";
    }
    case TExpr::kAdd:
      return "(" + kid(0) + " + " + kid(1) + ")";
    case TExpr::kSub:
      return "(" + kid(0) + " - " + kid(1) + ")";
    case TExpr::kMul:
      return "(" + kid(0) + " * " + kid(1) + ")";
    case TExpr::kDiv:
      return "(" + kid(0) + " / " + kid(1) + ")";
    case TExpr::kMin:
      return "MIN(" + kid(0) + ", " + kid(1) + ")";
    case TExpr::kMax:
      return "MAX(" + kid(0) + ", " + kid(1) + ")";
    case TExpr::kIf: {
      std::ostringstream t;
      t << e.value;
      return "IF(" + kid(0) + " > " + t.str() + ", " + kid(1) + ", " + kid(2) + ")";
    }
    case TExpr::kNeg:
      return "-" + kid(0);
  }
  return "";
}

struct World {
  std::vector<std::shared_ptr<const Dimension>> dims;  // dims[0]: M
  Model model;
  std::shared_ptr<Cube> cube;
  OracleAtoms stored;
  TExpr out0, out1, cons;
  std::optional<std::pair<size_t, MemberId>> restriction;  // Out0's area on one dimension
};

TExpr Const(double value) {
  TExpr e;
  e.value = value;
  return e;
}

TExpr RandomRef(std::mt19937_64& rng, const World& w, bool may_read_out0) {
  TExpr e;
  e.kind = TExpr::kRef;
  e.measure = may_read_out0 && rng() % 3 == 0 ? kOut0 : static_cast<MemberId>(rng() % 3);
  for (size_t d = 1; d < w.dims.size(); ++d)
    if (rng() % 4 == 0) e.replaced.push_back({d, static_cast<MemberId>(rng() % w.dims[d]->size())});
  return e;
}

TExpr RandomExpr(std::mt19937_64& rng, const World& w, int depth, bool may_read_out0) {
  if (depth == 0 || rng() % 3 == 0) {
    if (rng() % 4 == 0) return Const(static_cast<int>(rng() % 7) - 3);
    return RandomRef(rng, w, may_read_out0);
  }
  TExpr e;
  const int pick = static_cast<int>(rng() % 8);  // kAdd .. kNeg
  e.kind = static_cast<TExpr::Kind>(TExpr::kAdd + pick);
  auto sub = [&] { return RandomExpr(rng, w, depth - 1, may_read_out0); };
  switch (e.kind) {
    case TExpr::kNeg:
      e.kids = {sub()};
      break;
    case TExpr::kDiv:  // by a stored input or a constant: no near-zero computed denominators
      e.kids = {sub(),
                rng() % 2 ? RandomRef(rng, w, false) : Const(static_cast<double>(1 + rng() % 3))};
      break;
    case TExpr::kIf:
      e.value = static_cast<double>(static_cast<int>(rng() % 5) - 2);
      e.kids = {sub(), sub(), rng() % 3 ? sub() : Const(0)};
      if (rng() % 3 == 0) e.kids[2] = sub();
      break;
    default:
      e.kids = {sub(), sub()};
  }
  return e;
}

World MakeWorld(std::mt19937_64& rng) {
  World w;
  DimensionBuilder m("M");
  for (const char* name : kMeasures) m.AddMember(name);
  w.dims.push_back(*std::move(m).Build());
  const size_t others = 1 + rng() % 3;
  for (size_t d = 0; d < others; ++d)
    w.dims.push_back(testing::RandomDimension(rng, "D" + std::to_string(d), 6));
  for (auto& d : w.dims) EXPECT_TRUE(w.model.AddDimension(d).ok());
  CubeOptions options;
  options.partition_inner_bits_min = static_cast<int>(rng() % 4);
  options.cache_delta_changes_max = rng() % 2 ? 1 : 4096;
  w.cube = *Cube::Create("C", w.dims, options);
  Cube::BulkAtoms bulk;
  for (size_t i = 0, n = rng() % 40; i < n; ++i) {
    std::vector<LeafOrdinal> leaves{static_cast<LeafOrdinal>(rng() % 3)};
    for (size_t d = 1; d < w.dims.size(); ++d)
      leaves.push_back(static_cast<LeafOrdinal>(rng() % w.dims[d]->leaf_count()));
    const double v = static_cast<double>(static_cast<int>(rng() % 41) - 20) / 4;
    if (w.stored.count(leaves)) continue;
    w.stored[leaves] = v;
    bulk.keys.push_back(w.cube->PackLeaves(leaves.data()));
    bulk.values.push_back(v);
  }
  EXPECT_TRUE(w.cube->BulkLoad(std::move(bulk)).ok());
  EXPECT_TRUE(w.model.AddCube(w.cube).ok());
  w.out0 = RandomExpr(rng, w, 3, false);
  w.out1 = RandomExpr(rng, w, 2, true);
  w.cons = RandomExpr(rng, w, 2, true);
  if (rng() % 2) w.restriction = {{1, static_cast<MemberId>(rng() % w.dims[1]->size())}};
  return w;
}

std::string RulesText(const World& w) {
  std::string area0 = "[M: Out0";
  if (w.restriction)
    area0 += ", " + w.dims[1]->name() + ": " + w.dims[1]->member_name(w.restriction->second);
  return "leaf " + area0 + "] = " + Text(w.out0, w.dims) + ";\n" +
         "leaf [M: Out1] = " + Text(w.out1, w.dims) + ";\n" +
         "consolidated [M: Cons] = " + Text(w.cons, w.dims) + ";\n";
}

// Every leaf coordinate (leaf ordinals) of the other dimensions, M given.
void ForEachLeafCell(const World& w, MemberId measure,
                     const std::function<void(const std::vector<LeafOrdinal>&)>& fn) {
  std::vector<LeafOrdinal> leaves(w.dims.size(), 0);
  leaves[0] = measure;
  while (true) {
    fn(leaves);
    size_t d = 1;
    for (; d < w.dims.size(); ++d) {
      if (++leaves[d] < w.dims[d]->leaf_count()) break;
      leaves[d] = 0;
    }
    if (d == w.dims.size()) return;
  }
}

Coordinate ToCell(const World& w, const std::vector<LeafOrdinal>& leaves) {
  Coordinate c;
  for (size_t d = 0; d < w.dims.size(); ++d) c.push_back(w.dims[d]->leaf_member(leaves[d]));
  return c;
}

// The derived atoms by brute force from `stored`: Out0 over its area, then
// Out1 reading it.
OracleAtoms OracleDerived(const World& w, const OracleAtoms& stored) {
  OracleAtoms all = stored, derived;
  auto rule = [&](MemberId measure, const TExpr& e, bool restricted) {
    OracleAtoms made;
    ForEachLeafCell(w, measure, [&](const std::vector<LeafOrdinal>& leaves) {
      Coordinate cell = ToCell(w, leaves);
      if (restricted && w.restriction &&
          !testing::PathWeight(*w.dims[1], w.restriction->second, cell[1]))
        return;
      auto v = Eval(e, cell, [&](const Coordinate& c) { return OracleCell(w.dims, all, c); });
      if (v) made[leaves] = *v;
    });
    for (auto& [k, v] : made) all[k] = derived[k] = v;
  };
  rule(kOut0, w.out0, true);
  rule(kOut1, w.out1, false);
  return derived;
}

OracleAtoms OracleDerived(const World& w) { return OracleDerived(w, w.stored); }

OracleAtoms EngineDerived(const World& w) {
  OracleAtoms out;
  auto all = w.cube->CopyAtoms({}, false);
  std::vector<LeafOrdinal> leaves(w.dims.size());
  for (size_t i = 0; i < all.keys.size(); ++i) {
    w.cube->UnpackKey(all.keys[i], leaves.data());
    if (!w.stored.count(leaves)) out[leaves] = all.values[i];
  }
  return out;
}

void ExpectSameAtoms(const OracleAtoms& got, const OracleAtoms& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    ASSERT_NE(it, got.end()) << what;
    ASSERT_TRUE(NearlyEqual(it->second, v)) << what << ": " << it->second << " vs " << v;
  }
}

void CheckCells(std::mt19937_64& rng, const World& w, const OracleAtoms& derived) {
  OracleAtoms all = w.stored;
  for (auto& [k, v] : derived) all[k] = v;
  for (int i = 0; i < 12; ++i) {
    Coordinate cell;
    for (auto& d : w.dims) cell.push_back(static_cast<MemberId>(rng() % d->size()));
    auto read = [&](const Coordinate& c) { return OracleCell(w.dims, all, c); };
    auto want = cell[0] == kCons ? Eval(w.cons, cell, read) : read(cell);
    auto got = w.cube->ReadCell(cell);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->has_value(), want.has_value()) << "cell measure " << kMeasures[cell[0]];
    if (want) {
      ASSERT_TRUE(NearlyEqual(**got, *want)) << **got << " vs " << *want;
    }
  }
}

void RandomWrites(std::mt19937_64& rng, World& w) {
  WriteBatch batch;
  OracleAtoms after = w.stored;
  for (size_t i = 0, n = 1 + rng() % 6; i < n; ++i) {
    std::vector<LeafOrdinal> leaves{static_cast<LeafOrdinal>(rng() % 3)};
    for (size_t d = 1; d < w.dims.size(); ++d)
      leaves.push_back(static_cast<LeafOrdinal>(rng() % w.dims[d]->leaf_count()));
    if (rng() % 4 == 0) {
      batch.Clear(ToCell(w, leaves));
      after.erase(leaves);
    } else {
      const double v = static_cast<double>(static_cast<int>(rng() % 41) - 20) / 4;
      batch.Set(ToCell(w, leaves), v);
      after[leaves] = v;
    }
  }
  Status s = WriteWithRules(w.model, "C", batch);
  ASSERT_TRUE(s.ok()) << s.ToString();
  w.stored = std::move(after);
}

TEST(RulesProperty, RandomRulesMatchBruteForceAndIncrementalMatchesFull) {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    World w = MakeWorld(rng);
    const std::string text = RulesText(w);
    SCOPED_TRACE(text);
    Status set = SetRules(w.model, "C", text);
    ASSERT_TRUE(set.ok()) << set.ToString();
    ASSERT_NO_FATAL_FAILURE(ExpectSameAtoms(EngineDerived(w), OracleDerived(w), "after SetRules"));
    ASSERT_NO_FATAL_FAILURE(CheckCells(rng, w, OracleDerived(w)));
    for (int step = 0; step < 8; ++step) {
      ASSERT_NO_FATAL_FAILURE(RandomWrites(rng, w));
      const OracleAtoms incremental = EngineDerived(w);
      ASSERT_NO_FATAL_FAILURE(ExpectSameAtoms(incremental, OracleDerived(w), "incremental"));
      ASSERT_NO_FATAL_FAILURE(CheckCells(rng, w, OracleDerived(w)));
    }
    // A full recalculation from the same inputs gives the same atoms.
    const OracleAtoms before = EngineDerived(w);
    ASSERT_TRUE(rules::InstallRules(w.model).ok());
    ASSERT_NO_FATAL_FAILURE(ExpectSameAtoms(EngineDerived(w), before, "full recalculation"));
  }
}

// A sandbox's cells read through the rules (OverlayWithRules, then
// QueryWith) as brute force reads the stored atoms with those cells
// written; the model is left as it was.
TEST(RulesProperty, SandboxReadsMatchBruteForceWithTheirCellsWritten) {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    World w = MakeWorld(rng);
    const std::string text = RulesText(w);
    SCOPED_TRACE(text);
    ASSERT_TRUE(SetRules(w.model, "C", text).ok());
    std::map<std::vector<LeafOrdinal>, std::optional<double>> written;
    OracleAtoms with = w.stored;
    for (size_t i = 0, n = 1 + rng() % 8; i < n; ++i) {
      std::vector<LeafOrdinal> leaves{static_cast<LeafOrdinal>(rng() % 3)};  // an input
      for (size_t d = 1; d < w.dims.size(); ++d)
        leaves.push_back(static_cast<LeafOrdinal>(rng() % w.dims[d]->leaf_count()));
      std::optional<double> v;
      if (rng() % 4) v = static_cast<double>(static_cast<int>(rng() % 41) - 20) / 4;
      written[leaves] = v;
      if (v) {
        with[leaves] = *v;
      } else {
        with.erase(leaves);
      }
    }
    std::vector<SandboxCell> sandbox;
    for (const auto& [leaves, v] : written) sandbox.push_back({ToCell(w, leaves), v});
    const OracleAtoms derived_before = EngineDerived(w);
    auto overlay = rules::OverlayWithRules(*w.model.rule_set(), *w.cube, sandbox);
    ASSERT_TRUE(overlay.ok()) << overlay.status().ToString();
    // Every measure down, the members of a dimension across, the rest at random.
    const size_t across = 1 + rng() % (w.dims.size() - 1);
    ViewSpec view;
    view.cube = "C";
    view.rows = {{"M", std::vector<std::string>(std::begin(kMeasures), std::end(kMeasures))}};
    view.columns = {{w.dims[across]->name(), {}}};
    for (MemberId m = 0; m < w.dims[across]->size(); ++m)
      view.columns[0].members.push_back(w.dims[across]->member_name(m));
    for (size_t d = 1; d < w.dims.size(); ++d)
      if (d != across)
        view.context.push_back({w.dims[d]->name(), w.dims[d]->member_name(static_cast<MemberId>(
                                                       rng() % w.dims[d]->size()))});
    auto grid = w.cube->QueryWith(view, *overlay);
    ASSERT_TRUE(grid.ok()) << grid.status().ToString();
    OracleAtoms all = with;
    for (const auto& [k, v] : OracleDerived(w, with)) all[k] = v;
    auto read = [&](const Coordinate& c) { return OracleCell(w.dims, all, c); };
    for (size_t i = 0; i < grid->rows.size(); ++i)
      for (size_t j = 0; j < grid->columns.size(); ++j) {
        Coordinate cell = grid->context;
        cell[0] = grid->rows[i][0].id;
        cell[across] = grid->columns[j][0].id;
        const auto want = cell[0] == kCons ? Eval(w.cons, cell, read) : read(cell);
        const auto& got = grid->values[i * grid->columns.size() + j];
        ASSERT_EQ(got.has_value(), want.has_value())
            << "measure " << kMeasures[cell[0]] << ", column " << j;
        if (want) ASSERT_TRUE(NearlyEqual(*got, *want)) << *got << " vs " << *want;
      }
    ASSERT_NO_FATAL_FAILURE(ExpectSameAtoms(EngineDerived(w), derived_before, "after the read"));
  }
}

TEST(RulesProperty, WritesToDerivedCellsAreRefused) {
  std::mt19937_64 rng(7);
  World w = MakeWorld(rng);
  ASSERT_TRUE(SetRules(w.model, "C", RulesText(w)).ok());
  for (MemberId out : {kOut1, kCons}) {
    WriteBatch batch;
    std::vector<LeafOrdinal> leaves(w.dims.size(), 0);
    leaves[0] = out;
    batch.Set(ToCell(w, leaves), 1);
    Status s = WriteWithRules(w.model, "C", batch);
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  }
}

}  // namespace
}  // namespace quantatom
