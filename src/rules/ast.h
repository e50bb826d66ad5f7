// The syntax tree of a rules text (docs/rules.md), as the parser reads it:
// names are still text; the compiler resolves them against the model.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rules/rule_error.h"

namespace quantatom::rules {

// A name as written (quotes removed) and where it starts.
struct Name {
  std::string text;
  Place place;
};

// One member term inside brackets.
struct MemberSpec {
  enum class Kind {
    kName,       // a member name or alias, or in an area a selection term (children(X))
    kAttribute,  // ATTR(Dim, 'attr'): the member named by an attribute of the cell's member
    kSameName,   // NAME(Dim): the member named like the cell's member of Dim
  };
  Kind kind = Kind::kName;
  Name name;       // kName: the term; kAttribute: the attribute
  Name dimension;  // kAttribute, kSameName: the dimension of the cell read from
};

// "Dim: term" or "term" alone (the dimension is then found by the member),
// or "Dim: {term, term}" (areas only).
struct DimSpec {
  std::optional<Name> dimension;
  std::vector<MemberSpec> members;
  bool braced = false;
  Place place;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    kNumber,
    kText,   // 'text'
    kName,   // a bare name: a dimension argument (PREV(e, Time))
    kEmpty,  // EMPTY
    kRef,    // [Dim: m, ...] or Cube[...]
    kCall,   // FUNCTION(args)
    kUnary,  // op: '-', '+', '!' (NOT)
    kBinary,
  };
  // Binary operators: + - * / = and '#' (<>), '<', 'l' (<=), '>', 'g'
  // (>=), '&' (AND), '|' (OR).
  Kind kind = Kind::kNumber;
  Place place;
  double number = 0;
  std::string text;                // kText, kName; kCall: the function, upper case
  std::optional<Name> cube;        // kRef: another cube
  std::vector<DimSpec> items;      // kRef
  std::vector<ExprPtr> args;       // kCall
  std::optional<DimSpec> binding;  // kCall SUM: "Dim: selection"
  char op = 0;                     // kUnary, kBinary
  ExprPtr lhs, rhs;                // kUnary: lhs
  int depth = 1;                   // of the tree below, this node included
};

enum class RuleKind { kLeaf, kConsolidated };

struct Statement {
  RuleKind kind = RuleKind::kLeaf;
  std::vector<DimSpec> area;
  std::string area_text;  // as written, for listings and messages
  ExprPtr expr;
  Place place;
};

}  // namespace quantatom::rules
