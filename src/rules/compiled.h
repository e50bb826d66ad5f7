// Rules compiled against a model: names resolved to member ids, references
// turned into member maps, navigation and sums expanded, types checked.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quantatom/dimension.h"
#include "rules/ast.h"

namespace quantatom::rules {

inline constexpr MemberId kNoMember = UINT32_MAX;

// Member id -> member id of one dimension (kNoMember: none). A shared
// table, so the many references a sum expands into share theirs.
using MemberTable = std::shared_ptr<const std::vector<MemberId>>;

// How a reference finds its member on one dimension of the cube it reads,
// given the cell being computed.
struct MemberMap {
  bool from_cell = false;
  MemberId fixed = kNoMember;  // !from_cell: always this member
  size_t target_dim = 0;       // from_cell: the computed cell's dimension
  MemberTable table;           // from_cell: by its member; nullptr: the same member
  MemberId Of(MemberId target_member) const {
    return table ? (*table)[target_member] : target_member;
  }
};

// A reference: the cell of `cube` whose members the maps give. It reads
// empty for a cell whose navigation leaves the dimension (valid[d] says,
// per member of the computed cell's dimension d; empty: always valid).
struct CompiledRef {
  size_t cube = 0;                          // in RuleSet::cubes()
  std::vector<MemberMap> maps;              // per dimension of `cube`
  std::vector<std::vector<uint8_t>> valid;  // per dimension of the rule's cube
  Place place;
};

enum class Type : uint8_t { kNumber, kText, kBool };

enum class Op : uint8_t {
  kNumber,
  kText,
  kEmpty,
  kRef,
  kAttribute,
  kNeg,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,
  kIf,
  kMin,
  kMax,
  kAbs,
  kRound,
  kIsEmpty,
  kEliminate,  // the whole expression of an elimination rule (elimination.h)
};

struct Node {
  Op op = Op::kNumber;
  Type type = Type::kNumber;
  double number = 0;  // kNumber; kRound: the decimals
  std::string text;   // kText
  size_t ref = 0;     // kRef
  std::vector<uint32_t> args;
  // kAttribute: the computed cell's member of `dim`, through `table`,
  // gives a number or a text (has[m] = 0: none).
  size_t dim = 0;
  std::vector<double> numbers;
  std::vector<std::string> texts;
  std::vector<uint8_t> has;
};

// Which cells a rule computes: per dimension of its cube, by member id.
// A leaf rule computes the leaf cells whose every member is flagged; a
// consolidated rule the cells (any level) whose every member is flagged.
struct Area {
  std::vector<std::vector<uint8_t>> members;
  std::vector<std::vector<uint8_t>> leaves;  // by leaf ordinal (leaf members flagged)
  bool Covers(const MemberId* coordinate) const {
    for (size_t d = 0; d < members.size(); ++d)
      if (!members[d][coordinate[d]]) return false;
    return true;
  }
  bool CoversLeaves(const LeafOrdinal* leaf) const {
    for (size_t d = 0; d < leaves.size(); ++d)
      if (!leaves[d][leaf[d]]) return false;
    return true;
  }
};

// The cells an expression can make non-empty, as a formula over its
// references: a product is non-empty where all its factors are, a sum
// where any term is (docs/design/rules.md).
struct Support {
  enum class Kind : uint8_t { kNone, kAll, kRef, kUnion, kIntersection };
  Kind kind = Kind::kNone;
  size_t ref = 0;
  std::vector<Support> parts;
};

struct Elimination;  // elimination.h

struct CompiledRule {
  size_t cube = 0;  // in RuleSet::cubes()
  RuleKind kind = RuleKind::kLeaf;
  size_t index = 0;  // among the cube's rules, in text order
  Place place;
  std::string target;  // the area as written
  Area area;
  std::vector<Node> nodes;  // the root is the last
  std::vector<CompiledRef> refs;
  Support support;
  std::shared_ptr<const Elimination> elimination;

  uint32_t root() const { return static_cast<uint32_t>(nodes.size() - 1); }
};

}  // namespace quantatom::rules
