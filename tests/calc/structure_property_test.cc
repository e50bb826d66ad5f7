// Structure changes against a brute-force oracle: random hierarchies with
// shared members and negative weights, random writes interleaved with
// random member adds, moves and deletes (with and without delete_data,
// children reparented or orphaned) through a real Database. After every
// step each live member's parents equal the oracle's, a change refused by
// the data rule or as a cycle changed nothing, and consolidated cells equal
// a recomputation from the oracle's atoms over the oracle's hierarchy; the
// same after reopening the directory (replay, with a snapshot in some runs).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "env/fault_env.h"
#include "quantatom/database.h"
#include "support/random_model.h"

namespace quantatom {
namespace {

using testing::NearlyEqual;

constexpr double kWeights[] = {1, -1, 0.5, 2, -0.25};

// A hierarchy as the oracle keeps it: each member's parent links.
struct OracleDim {
  std::string name;
  std::vector<std::string> names;
  std::vector<bool> deleted;
  std::vector<std::vector<std::pair<MemberId, double>>> parents;

  explicit OracleDim(const Dimension& d) : name(d.name()) {
    for (MemberId m = 0; m < d.size(); ++m) {
      names.push_back(d.member_name(m));
      deleted.push_back(false);
      parents.emplace_back();
      for (const WeightedLink& p : d.parents(m)) parents[m].push_back({p.member, p.weight});
    }
  }
  std::vector<std::vector<std::pair<MemberId, double>>> Children() const {
    std::vector<std::vector<std::pair<MemberId, double>>> out(names.size());
    for (MemberId m = 0; m < names.size(); ++m)
      for (auto [p, w] : parents[m]) out[p].push_back({m, w});
    return out;
  }
  bool IsLeaf(MemberId m) const {
    if (deleted[m]) return false;
    for (MemberId c = 0; c < names.size(); ++c)
      for (auto [p, w] : parents[c])
        if (p == m) return false;
    return true;
  }
  std::vector<MemberId> Live() const {
    std::vector<MemberId> out;
    for (MemberId m = 0; m < names.size(); ++m)
      if (!deleted[m]) out.push_back(m);
    return out;
  }
  // Weight of `leaf` under `m` over every path, or nullopt.
  std::optional<double> PathWeight(
      MemberId m, MemberId leaf,
      const std::vector<std::vector<std::pair<MemberId, double>>>& children) const {
    if (m == leaf) return 1.0;
    std::optional<double> total;
    for (auto [c, w] : children[m])
      if (auto below = PathWeight(c, leaf, children)) total = total.value_or(0) + w * *below;
    return total;
  }
  bool AtOrBelow(MemberId m, MemberId target) const {
    if (m == target) return true;
    auto children = Children();
    for (auto [c, w] : children[m])
      if (AtOrBelow(c, target)) return true;
    return false;
  }
};

using Atoms = std::map<std::vector<MemberId>, double>;

std::string ToCsv(const Dimension& d) {
  std::string csv = "member,parent,weight\n";
  char w[32];
  for (MemberId m = 0; m < d.size(); ++m) {
    if (d.parents(m).empty()) csv += d.member_name(m) + ",,\n";
    for (const WeightedLink& p : d.parents(m)) {
      std::snprintf(w, sizeof w, "%.17g", p.weight);
      csv += d.member_name(m) + "," + d.member_name(p.member) + "," + w + "\n";
    }
  }
  return csv;
}

class World {
 public:
  explicit World(uint64_t seed) : rng_(seed) {
    db_ = *Database::Open("/db", Options());
    std::vector<std::string> dims;
    for (size_t d = 0; d < 2 + rng_() % 2; ++d) {
      auto dim = testing::RandomDimension(rng_, "D" + std::to_string(d), 7);
      EXPECT_TRUE(db_->CreateDimension(dim->name(), ToCsv(*dim), {"t", ""}).ok());
      oracle_.emplace_back(*db_->FindDimension(dim->name()));
      dims.push_back(dim->name());
    }
    EXPECT_TRUE(db_->CreateCube("C", dims, {"t", ""}).ok());
  }

  void Step() {
    switch (rng_() % 5) {
      case 0:
      case 1:
        return Write();
      case 2:
        return Add();
      case 3:
        return Move();
      default:
        return Delete();
    }
  }

  void Reopen(bool snapshot) {
    if (snapshot) ASSERT_TRUE(db_->Snapshot().ok());
    db_.reset();
    auto db = Database::Open("/db", Options());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  void Check() {
    for (size_t d = 0; d < oracle_.size(); ++d) ASSERT_NO_FATAL_FAILURE(CheckHierarchy(d));
    auto cube = db_->FindCube("C");
    cube->ClearCache();
    std::vector<std::vector<std::vector<std::pair<MemberId, double>>>> children;
    for (const OracleDim& o : oracle_) children.push_back(o.Children());
    for (int i = 0; i < 25; ++i) {
      Coordinate cell;
      for (const OracleDim& o : oracle_) cell.push_back(Pick(o.Live()));
      std::optional<double> want;
      for (const auto& [atom, value] : atoms_) {
        double w = value;
        bool below = true;
        for (size_t d = 0; d < cell.size() && below; ++d) {
          auto pw = oracle_[d].PathWeight(cell[d], atom[d], children[d]);
          below = pw.has_value();
          if (below) w *= *pw;
        }
        if (below) want = want.value_or(0) + w;
      }
      auto got = cube->ReadCell(cell);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(got->has_value(), want.has_value()) << "cell " << i;
      if (want) ASSERT_TRUE(NearlyEqual(**got, *want)) << **got << " vs " << *want;
    }
    ASSERT_EQ(cube->Stats().atoms, atoms_.size());
  }

  size_t changes = 0, refused_for_data = 0, refused_for_cycles = 0;

 private:
  DatabaseOptions Options() {
    DatabaseOptions o;
    o.env = &env_;
    o.snapshot_every_transactions = 0;
    return o;
  }

  MemberId Pick(const std::vector<MemberId>& from) { return from[rng_() % from.size()]; }
  double Weight() { return kWeights[rng_() % 5]; }

  void CheckHierarchy(size_t d) {
    const Dimension& dim = *db_->FindDimension(oracle_[d].name);
    const OracleDim& o = oracle_[d];
    ASSERT_EQ(dim.size(), o.names.size());
    for (MemberId m = 0; m < dim.size(); ++m) {
      ASSERT_EQ(dim.deleted(m), o.deleted[m]) << o.names[m];
      std::map<MemberId, double> got, want;
      for (const WeightedLink& p : dim.parents(m)) got[p.member] = p.weight;
      for (auto [p, w] : o.parents[m]) want[p] = w;
      ASSERT_EQ(got.size(), want.size()) << "parents of " << o.names[m];
      for (auto [p, w] : want) {
        ASSERT_TRUE(got.count(p)) << o.names[m] << " under " << o.names[p];
        ASSERT_TRUE(NearlyEqual(got[p], w)) << o.names[m] << " under " << o.names[p];
      }
      ASSERT_EQ(dim.is_leaf(m), o.IsLeaf(m)) << o.names[m];
    }
  }

  size_t AtomsAt(size_t d, MemberId leaf) const {
    size_t n = 0;
    for (const auto& [atom, v] : atoms_) n += atom[d] == leaf;
    return n;
  }
  void DropAtomsAt(size_t d, MemberId leaf) {
    std::erase_if(atoms_, [&](const auto& entry) { return entry.first[d] == leaf; });
  }

  void Write() {
    WriteBatch b;
    Atoms after = atoms_;
    for (size_t i = 0; i < 1 + rng_() % 3; ++i) {
      std::vector<MemberId> atom;
      for (const OracleDim& o : oracle_) {
        std::vector<MemberId> leaves;
        for (MemberId m : o.Live())
          if (o.IsLeaf(m)) leaves.push_back(m);
        atom.push_back(Pick(leaves));
      }
      if (rng_() % 5 == 0) {
        b.Clear(atom);
        after.erase(atom);
      } else {
        double v = static_cast<double>(static_cast<int>(rng_() % 201) - 100);
        b.Set(atom, v);
        after[atom] = v;
      }
    }
    auto r = db_->Write("C", b, {"t", ""});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    atoms_ = std::move(after);
  }

  // Commits `c`; expects a refusal for data when atoms at `lost` are in the
  // way without delete_data. Returns whether it was applied.
  bool Commit(const MemberChange& c, size_t d, const std::vector<MemberId>& lost) {
    size_t in_the_way = 0;
    for (MemberId m : lost) in_the_way += AtomsAt(d, m);
    const uint64_t before = db_->last_sequence();
    StructureReport report;
    auto r = db_->ChangeMember(c, {"t", ""}, &report);
    if (in_the_way > 0 && !c.delete_data) {
      EXPECT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
      EXPECT_EQ(report.atoms, in_the_way);
      EXPECT_EQ(db_->last_sequence(), before);
      ++refused_for_data;
      return false;
    }
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(report.atoms, in_the_way);
    for (MemberId m : lost) DropAtomsAt(d, m);
    ++changes;
    return r.ok();
  }

  std::vector<ParentLink> RandomParents(const OracleDim& o,
                                        std::vector<std::pair<MemberId, double>>& chosen) {
    std::vector<ParentLink> out;
    std::vector<MemberId> live = o.Live();
    for (size_t i = 0; i < rng_() % 3; ++i) {
      MemberId p = Pick(live);
      if (std::any_of(chosen.begin(), chosen.end(), [&](auto& c) { return c.first == p; }))
        continue;
      chosen.push_back({p, Weight()});
      out.push_back({o.names[p], chosen.back().second});
    }
    return out;
  }

  void Add() {
    const size_t d = rng_() % oracle_.size();
    OracleDim& o = oracle_[d];
    MemberChange c;
    c.kind = MemberChange::Kind::kAdd;
    c.dimension = o.name;
    c.member = o.name + "_n" + std::to_string(added_++);
    std::vector<std::pair<MemberId, double>> chosen;
    c.parents = RandomParents(o, chosen);
    c.delete_data = rng_() % 2;
    std::vector<MemberId> lost;
    for (auto [p, w] : chosen)
      if (o.IsLeaf(p)) lost.push_back(p);
    if (!Commit(c, d, lost)) return;
    o.names.push_back(c.member);
    o.deleted.push_back(false);
    o.parents.push_back(chosen);
  }

  void Move() {
    const size_t d = rng_() % oracle_.size();
    OracleDim& o = oracle_[d];
    const MemberId m = Pick(o.Live());
    MemberChange c;
    c.kind = MemberChange::Kind::kMove;
    c.dimension = o.name;
    c.member = o.names[m];
    std::vector<std::pair<MemberId, double>> chosen;
    c.parents = RandomParents(o, chosen);
    c.delete_data = rng_() % 2;
    for (auto [p, w] : chosen) {
      if (!o.AtOrBelow(m, p)) continue;
      auto r = db_->ChangeMember(c, {"t", ""});
      ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
      ++refused_for_cycles;
      return;
    }
    std::vector<MemberId> lost;
    for (auto [p, w] : chosen)
      if (o.IsLeaf(p)) lost.push_back(p);
    if (!Commit(c, d, lost)) return;
    o.parents[m] = chosen;
  }

  void Delete() {
    const size_t d = rng_() % oracle_.size();
    OracleDim& o = oracle_[d];
    if (o.Live().size() < 2) return;
    const MemberId m = Pick(o.Live());
    MemberChange c;
    c.kind = MemberChange::Kind::kDelete;
    c.dimension = o.name;
    c.member = o.names[m];
    c.children = rng_() % 2 ? ChildrenOfDeleted::kOrphan : ChildrenOfDeleted::kReparent;
    c.delete_data = rng_() % 2;
    std::vector<MemberId> lost;
    if (o.IsLeaf(m)) lost.push_back(m);
    if (!Commit(c, d, lost)) return;
    const auto parents = o.parents[m];
    for (MemberId child = 0; child < o.names.size(); ++child) {
      auto& up = o.parents[child];
      auto link = std::find_if(up.begin(), up.end(), [&](auto& l) { return l.first == m; });
      if (link == up.end()) continue;
      const double wc = link->second;
      up.erase(link);
      if (c.children == ChildrenOfDeleted::kOrphan) continue;
      for (const auto& parent : parents) {
        const MemberId p = parent.first;
        auto there = std::find_if(up.begin(), up.end(), [&](auto& l) { return l.first == p; });
        if (there != up.end())
          there->second += wc * parent.second;
        else
          up.push_back({p, wc * parent.second});
      }
    }
    o.parents[m].clear();
    o.deleted[m] = true;
  }

  std::mt19937_64 rng_;
  FaultEnv env_;  // in memory; outlives the database
  std::unique_ptr<Database> db_;
  std::vector<OracleDim> oracle_;
  Atoms atoms_;
  int added_ = 0;
};

TEST(StructureProperty, ConsolidationMatchesBruteForceAcrossMemberChanges) {
  size_t changes = 0, refused_for_data = 0, refused_for_cycles = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    {
      World w(seed);
      for (int step = 0; step < 40; ++step) {
        ASSERT_NO_FATAL_FAILURE(w.Step()) << "step " << step;
        ASSERT_NO_FATAL_FAILURE(w.Check()) << "step " << step;
      }
      ASSERT_NO_FATAL_FAILURE(w.Reopen(seed % 2 == 0));
      ASSERT_NO_FATAL_FAILURE(w.Check());
      changes += w.changes;
      refused_for_data += w.refused_for_data;
      refused_for_cycles += w.refused_for_cycles;
    }
  }
  // The runs must have exercised every path.
  EXPECT_GT(changes, 200u);
  EXPECT_GT(refused_for_data, 10u);
  EXPECT_GT(refused_for_cycles, 5u);
}

}  // namespace
}  // namespace quantatom
