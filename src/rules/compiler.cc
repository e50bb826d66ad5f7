#include "rules/compiler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rules/elimination.h"
#include "rules/time_axis.h"
#include "view/selection.h"

namespace quantatom::rules {

std::optional<size_t> Schema::Find(std::string_view name) const {
  const std::string folded = FoldCase(name);
  for (size_t i = 0; i < cubes.size(); ++i)
    if (FoldCase(cubes[i].name) == folded) return i;
  return std::nullopt;
}

namespace {

struct Failure {
  RuleError error;
};

[[noreturn]] void Fail(const std::string& message, Place place,
                       StatusCode code = StatusCode::kInvalidArgument) {
  throw Failure{{code, message, place}};
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Per dimension of the computed cell's cube: which member a subexpression
// is evaluated at, given the cell's member (nullptr: the same member).
// Navigation functions and SUM rebind dimensions for their argument.
using Binding = std::vector<MemberTable>;

MemberId Apply(const MemberTable& table, MemberId m) {
  return table && m != kNoMember ? (*table)[m] : m;
}

// outer then inner: m -> inner(outer(m)).
MemberTable Compose(const MemberTable& outer, const std::function<MemberId(MemberId)>& inner,
                    size_t size) {
  auto out = std::make_shared<std::vector<MemberId>>(size);
  for (MemberId m = 0; m < size; ++m) {
    MemberId b = Apply(outer, m);
    (*out)[m] = b == kNoMember ? kNoMember : inner(b);
  }
  return out;
}

class Compiler {
 public:
  Compiler(const Schema& schema, size_t cube, const CompileLimits& limits)
      : schema_(schema), cube_(cube), dims_(schema.cubes[cube].dims), limits_(limits) {}

  CompiledRule Statement(const rules::Statement& s, size_t index) {
    rule_ = CompiledRule{};
    rule_.cube = cube_;
    rule_.kind = s.kind;
    rule_.index = index;
    rule_.place = s.place;
    rule_.target = s.area_text;
    rule_.area = ResolveArea(s.area, s.kind);
    Binding identity(dims_.size());
    const bool elimination = s.expr->kind == Expr::Kind::kCall && s.expr->text == "ELIMINATE";
    uint32_t root = elimination ? Eliminate(*s.expr) : Compile(*s.expr, identity);
    if (rule_.nodes[root].type != Type::kNumber)
      Fail("a rule computes a number; this is " + TypeName(rule_.nodes[root].type), s.expr->place);
    if (root != rule_.root()) {  // the root must be the last node
      Node copy = rule_.nodes[root];
      rule_.nodes.push_back(std::move(copy));
    }
    rule_.support = SupportOf(rule_.root());
    if (s.kind == RuleKind::kLeaf) CheckDense(s);
    return std::move(rule_);
  }

 private:
  const Schema& schema_;
  const size_t cube_;
  const std::vector<std::shared_ptr<const Dimension>>& dims_;
  const CompileLimits& limits_;
  CompiledRule rule_;
  std::vector<std::unique_ptr<TimeAxis>> axes_;  // by dimension, built when first used

  static std::string TypeName(Type t) {
    return t == Type::kNumber ? "a number" : t == Type::kText ? "text" : "a condition";
  }

  std::optional<size_t> DimIndex(const std::vector<std::shared_ptr<const Dimension>>& dims,
                                 std::string_view name) const {
    const std::string folded = FoldCase(name);
    for (size_t d = 0; d < dims.size(); ++d)
      if (FoldCase(dims[d]->name()) == folded) return d;
    return std::nullopt;
  }

  size_t TargetDim(const Name& name) const {
    auto d = DimIndex(dims_, name.text);
    if (!d)
      Fail("cube " + Quote(schema_.cubes[cube_].name) + " has no dimension " + Quote(name.text),
           name.place);
    return *d;
  }

  // The dimension of `cube` holding a member named `name` (the shorthand
  // [Member] without a dimension).
  size_t DimOfMember(size_t cube, const Name& name) const {
    const auto& dims = schema_.cubes[cube].dims;
    std::optional<size_t> found;
    for (size_t d = 0; d < dims.size(); ++d) {
      if (!dims[d]->Find(name.text)) continue;
      if (found)
        Fail(Quote(name.text) + " is a member of dimensions " + Quote(dims[*found]->name()) +
                 " and " + Quote(dims[d]->name()) + "; name the dimension: [" + dims[d]->name() +
                 ": " + name.text + "]",
             name.place);
      found = d;
    }
    if (!found)
      Fail("no dimension of cube " + Quote(schema_.cubes[cube].name) + " has a member " +
               Quote(name.text),
           name.place);
    return *found;
  }

  // ---- Areas --------------------------------------------------------------

  Area ResolveArea(const std::vector<DimSpec>& specs, RuleKind kind) {
    Area area;
    area.members.resize(dims_.size());
    area.leaves.resize(dims_.size());
    std::vector<bool> named(dims_.size(), false);
    for (const DimSpec& spec : specs) {
      size_t d = 0;
      if (spec.dimension) {
        d = TargetDim(*spec.dimension);
      } else {
        // [children(Revenue)] names the dimension through its argument.
        Name probe = spec.members[0].name;
        if (auto open = probe.text.find('('); open != std::string::npos && probe.text.back() == ')')
          probe.text = probe.text.substr(open + 1, probe.text.size() - open - 2);
        d = DimOfMember(cube_, probe);
      }
      if (named[d]) Fail("dimension " + Quote(dims_[d]->name()) + " is named twice", spec.place);
      named[d] = true;
      const Dimension& dim = *dims_[d];
      area.members[d].assign(dim.size(), 0);
      for (const MemberSpec& m : spec.members) {
        if (m.kind != MemberSpec::Kind::kName)
          Fail("ATTR and NAME choose the members a reference reads, not the cells a rule computes",
               m.name.place);
        auto selected = EvaluateSelection(dim, {m.name.text}, HierarchyOrder::kParentsFirst);
        if (!selected.ok()) Fail(selected.status().message(), m.name.place);
        for (const HeaderMember& h : *selected) {
          if (kind == RuleKind::kConsolidated) {
            area.members[d][h.id] = 1;
          } else {
            for (const LeafWeight& lw : dim.leaf_weights(h.id))
              area.members[d][dim.leaf_member(lw.leaf)] = 1;
          }
        }
      }
    }
    for (size_t d = 0; d < dims_.size(); ++d) {
      const Dimension& dim = *dims_[d];
      if (!named[d]) {
        area.members[d].assign(dim.size(), 0);
        for (MemberId m = 0; m < dim.size(); ++m)
          area.members[d][m] =
              !dim.deleted(m) && (kind == RuleKind::kConsolidated || dim.is_leaf(m));
      }
      area.leaves[d].assign(dim.leaf_count(), 0);
      for (LeafOrdinal l = 0; l < dim.leaf_count(); ++l)
        area.leaves[d][l] = area.members[d][dim.leaf_member(l)];
    }
    return area;
  }

  // Members of target dimension d the rule computes cells of (for leaf
  // rules only leaves matter).
  bool InArea(size_t d, MemberId m) const { return rule_.area.members[d][m] != 0; }

  // ---- Nodes ---------------------------------------------------------------

  uint32_t Add(Node n) {
    if (rule_.nodes.size() >= limits_.nodes_max)
      Fail("the rule expands into more than " + std::to_string(limits_.nodes_max) +
               " operations (YTD, CUMUL and SUM repeat their argument)",
           rule_.place, StatusCode::kLimitExceeded);
    rule_.nodes.push_back(std::move(n));
    return static_cast<uint32_t>(rule_.nodes.size() - 1);
  }
  const Node& At(uint32_t i) const { return rule_.nodes[i]; }

  uint32_t Number(double v) {
    Node n;
    n.op = Op::kNumber;
    n.number = v;
    return Add(std::move(n));
  }
  uint32_t Operation(Op op, Type type, std::vector<uint32_t> args) {
    Node n;
    n.op = op;
    n.type = type;
    n.args = std::move(args);
    return Add(std::move(n));
  }

  void RequireType(uint32_t node, Type want, const Expr& e, const char* what) {
    Type t = At(node).type;
    if (t == want) return;
    Fail(std::string(what) + " takes " + TypeName(want) + ", not " + TypeName(t), e.place);
  }
  // A condition: a comparison, AND/OR/NOT, ISEMPTY, or a number (true when
  // neither empty nor 0).
  void RequireCondition(uint32_t node, const Expr& e, const char* what) {
    if (At(node).type == Type::kText)
      Fail(std::string(what) + " takes a condition, not text", e.place);
  }

  uint32_t Compile(const Expr& e, const Binding& b) {
    switch (e.kind) {
      case Expr::Kind::kNumber:
        return Number(e.number);
      case Expr::Kind::kText: {
        Node n;
        n.op = Op::kText;
        n.type = Type::kText;
        n.text = e.text;
        return Add(std::move(n));
      }
      case Expr::Kind::kEmpty:
        return Operation(Op::kEmpty, Type::kNumber, {});
      case Expr::Kind::kName:
        Fail("unknown name " + Quote(e.text) +
                 " (a cell is [Dim: Member], a function NAME(...), text 'quoted')",
             e.place);
      case Expr::Kind::kRef:
        return Reference(e, b);
      case Expr::Kind::kUnary:
        return Unary(e, b);
      case Expr::Kind::kBinary:
        return BinaryOp(e, b);
      case Expr::Kind::kCall:
        return Call(e, b);
    }
    Fail("unknown expression", e.place);
  }

  uint32_t Unary(const Expr& e, const Binding& b) {
    uint32_t a = Compile(*e.lhs, b);
    if (e.op == '!') {
      RequireCondition(a, *e.lhs, "NOT");
      return Operation(Op::kNot, Type::kBool, {a});
    }
    RequireType(a, Type::kNumber, *e.lhs, e.op == '-' ? "'-'" : "'+'");
    return e.op == '-' ? Operation(Op::kNeg, Type::kNumber, {a}) : a;
  }

  uint32_t BinaryOp(const Expr& e, const Binding& b) {
    uint32_t l = Compile(*e.lhs, b), r = Compile(*e.rhs, b);
    switch (e.op) {
      case '+':
      case '-':
      case '*':
      case '/': {
        const char name[] = {'\'', e.op, '\'', 0};
        RequireType(l, Type::kNumber, *e.lhs, name);
        RequireType(r, Type::kNumber, *e.rhs, name);
        Op op = e.op == '+' ? Op::kAdd : e.op == '-' ? Op::kSub : e.op == '*' ? Op::kMul : Op::kDiv;
        return Operation(op, Type::kNumber, {l, r});
      }
      case '&':
      case '|':
        RequireCondition(l, *e.lhs, e.op == '&' ? "AND" : "OR");
        RequireCondition(r, *e.rhs, e.op == '&' ? "AND" : "OR");
        return Operation(e.op == '&' ? Op::kAnd : Op::kOr, Type::kBool, {l, r});
      default: {
        Type lt = At(l).type, rt = At(r).type;
        if (lt == Type::kBool || rt == Type::kBool)
          Fail("a condition cannot be compared; use AND, OR, NOT", e.place);
        if (lt != rt) Fail("cannot compare " + TypeName(lt) + " with " + TypeName(rt), e.place);
        Op op = e.op == '='   ? Op::kEq
                : e.op == '#' ? Op::kNe
                : e.op == '<' ? Op::kLt
                : e.op == 'l' ? Op::kLe
                : e.op == '>' ? Op::kGt
                              : Op::kGe;
        if (lt == Type::kText && op != Op::kEq && op != Op::kNe)
          Fail("text compares only with = and <>", e.place);
        return Operation(op, Type::kBool, {l, r});
      }
    }
  }

  // ---- Functions ------------------------------------------------------------

  void Arity(const Expr& e, size_t min, size_t max) {
    if (e.args.size() >= min && e.args.size() <= max) return;
    std::string want =
        min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
    Fail(e.text + " takes " + want + " argument" + (max == 1 ? "" : "s") + ", not " +
             std::to_string(e.args.size()),
         e.place);
  }

  // A whole number argument given as a constant.
  int Whole(const Expr& e, int min, int max, const char* what) {
    double v = 0;
    if (e.kind == Expr::Kind::kNumber) {
      v = e.number;
    } else if (e.kind == Expr::Kind::kUnary && e.op == '-' && e.lhs->kind == Expr::Kind::kNumber) {
      v = -e.lhs->number;
    } else {
      Fail(std::string(what) + " must be a whole number written in the rule", e.place);
    }
    if (v != std::floor(v) || v < min || v > max)
      Fail(std::string(what) + " must be a whole number from " + std::to_string(min) + " to " +
               std::to_string(max),
           e.place);
    return static_cast<int>(v);
  }

  // A dimension of the rule's cube given as an argument (a name or 'text').
  size_t DimArgument(const Expr& e) {
    if (e.kind != Expr::Kind::kName && e.kind != Expr::Kind::kText)
      Fail("expected the name of a dimension", e.place);
    return TargetDim({e.text, e.place});
  }

  // The time dimension of a navigation: the argument, else "Time".
  size_t TimeDim(const Expr& call, const Expr* arg) {
    if (arg) return DimArgument(*arg);
    auto d = DimIndex(dims_, "Time");
    if (!d)
      Fail("cube " + Quote(schema_.cubes[cube_].name) +
               " has no dimension named 'Time'; name it: " + call.text + "(..., Period)",
           call.place);
    return *d;
  }

  const TimeAxis& Axis(size_t d) {
    if (axes_.size() < dims_.size()) axes_.resize(dims_.size());
    if (!axes_[d]) axes_[d] = std::make_unique<TimeAxis>(*dims_[d]);
    return *axes_[d];
  }

  // `e` evaluated with dimension d's member moved by `move`.
  uint32_t Moved(const Expr& e, const Binding& b, size_t d,
                 const std::function<MemberId(MemberId)>& move) {
    Binding inner = b;
    inner[d] = Compose(b[d], move, dims_[d]->size());
    return Compile(e, inner);
  }

  // Sums `count` copies of `e`, copy k moved by k periods back.
  uint32_t SumOfShifts(const Expr& e, const Binding& b, size_t d, int count, bool in_year) {
    const TimeAxis& axis = Axis(d);
    std::vector<uint32_t> terms;
    for (int k = 0; k < count; ++k)
      terms.push_back(Moved(e, b, d, [&axis, k, in_year](MemberId m) {
        return in_year ? axis.ShiftInYear(m, -k) : axis.Shift(m, -k);
      }));
    return Sum(std::move(terms));
  }

  // A balanced tree of additions: evaluation recurses as deep as the tree.
  uint32_t Sum(std::vector<uint32_t> terms) {
    if (terms.empty()) return Operation(Op::kEmpty, Type::kNumber, {});
    while (terms.size() > 1) {
      std::vector<uint32_t> next;
      for (size_t i = 0; i + 1 < terms.size(); i += 2)
        next.push_back(Operation(Op::kAdd, Type::kNumber, {terms[i], terms[i + 1]}));
      if (terms.size() % 2) next.push_back(terms.back());
      terms = std::move(next);
    }
    return terms[0];
  }

  uint32_t Navigation(const Expr& e, const Binding& b) {
    const std::string& f = e.text;
    const bool shifts = f == "LAG" || f == "LEAD";
    Arity(e, shifts ? 2 : 1, shifts ? 3 : 2);
    const size_t first_dim_arg = shifts ? 2 : 1;
    const size_t d =
        TimeDim(e, e.args.size() > first_dim_arg ? e.args[first_dim_arg].get() : nullptr);
    const Expr& arg = *e.args[0];
    if (f == "YTD") return SumOfShifts(arg, b, d, Axis(d).PeriodsPerYearMax(), true);
    if (f == "CUMUL") return SumOfShifts(arg, b, d, Axis(d).PeriodsPerDepthMax(), false);
    const TimeAxis& axis = Axis(d);
    if (f == "LASTYEAR") return Moved(arg, b, d, [&axis](MemberId m) { return axis.LastYear(m); });
    int n = 1;
    if (shifts) n = Whole(*e.args[1], 0, 1'000'000, "the number of periods");
    if (f == "PREV" || f == "LAG") n = -n;
    return Moved(arg, b, d, [&axis, n](MemberId m) { return axis.Shift(m, n); });
  }

  uint32_t SumOver(const Expr& e, const Binding& b) {
    Arity(e, 1, 1);
    const DimSpec& spec = *e.binding;
    const size_t d = TargetDim(*spec.dimension);
    std::vector<MemberId> members;
    for (const MemberSpec& m : spec.members) {
      if (m.kind != MemberSpec::Kind::kName)
        Fail("SUM takes members or selections (children(M), leaves(M)) to sum over", m.name.place);
      auto selected = EvaluateSelection(*dims_[d], {m.name.text}, HierarchyOrder::kParentsFirst);
      if (!selected.ok()) Fail(selected.status().message(), m.name.place);
      for (const HeaderMember& h : *selected) members.push_back(h.id);
    }
    std::vector<uint32_t> terms;
    for (MemberId m : members) {
      Binding inner = b;
      inner[d] = std::make_shared<std::vector<MemberId>>(dims_[d]->size(), m);
      terms.push_back(Compile(*e.args[0], inner));
    }
    return Sum(std::move(terms));
  }

  uint32_t Attribute(const Expr& e, const Binding& b) {
    Arity(e, 2, 2);
    const size_t d = DimArgument(*e.args[0]);
    const Expr& attr = *e.args[1];
    if (attr.kind != Expr::Kind::kText && attr.kind != Expr::Kind::kName)
      Fail("ATTR takes the attribute's name", attr.place);
    const Dimension& dim = *dims_[d];
    size_t a = AttributeIndex(dim, {attr.text, attr.place});
    Node n;
    n.op = Op::kAttribute;
    n.dim = d;
    n.has.assign(dim.size(), 0);
    bool text = false, number = false;
    for (MemberId m = 0; m < dim.size(); ++m) {
      MemberId at = Apply(b[d], m);
      if (at == kNoMember) continue;
      const auto& v = dim.attribute(at, a);
      if (!v) continue;
      n.has[m] = 1;
      if (const double* x = std::get_if<double>(&*v)) {
        number = true;
        n.numbers.resize(dim.size());
        n.numbers[m] = *x;
      } else {
        text = true;
        n.texts.resize(dim.size());
        n.texts[m] = std::get<std::string>(*v);
      }
    }
    if (text && number)
      Fail("attribute " + Quote(attr.text) + " holds numbers and text", attr.place);
    n.type = text ? Type::kText : Type::kNumber;
    if (n.type == Type::kNumber) n.numbers.resize(dim.size());
    if (n.type == Type::kText) n.texts.resize(dim.size());
    return Add(std::move(n));
  }

  size_t AttributeIndex(const Dimension& dim, const Name& name) const {
    const std::string folded = FoldCase(name.text);
    auto names = dim.attribute_names();
    for (size_t a = 0; a < names.size(); ++a)
      if (FoldCase(names[a]) == folded) return a;
    Fail("dimension " + Quote(dim.name()) + " has no attribute " + Quote(name.text), name.place);
  }

  uint32_t Call(const Expr& e, const Binding& b) {
    const std::string& f = e.text;
    if (f == "SUM") return SumOver(e, b);
    if (f == "ATTR") return Attribute(e, b);
    if (f == "PREV" || f == "NEXT" || f == "LAG" || f == "LEAD" || f == "YTD" || f == "CUMUL" ||
        f == "LASTYEAR")
      return Navigation(e, b);
    if (f == "ELIMINATE")
      Fail(
          "ELIMINATE is the whole of a leaf rule: leaf [Entity: ...] = ELIMINATE(Entity, "
          "Counterparty);",
          e.place);
    if (f == "IF") {
      Arity(e, 2, 3);
      uint32_t c = Compile(*e.args[0], b);
      RequireCondition(c, *e.args[0], "IF");
      uint32_t t = Compile(*e.args[1], b);
      uint32_t o =
          e.args.size() > 2 ? Compile(*e.args[2], b) : Operation(Op::kEmpty, Type::kNumber, {});
      RequireType(t, Type::kNumber, *e.args[1], "IF");
      if (e.args.size() > 2) RequireType(o, Type::kNumber, *e.args[2], "IF");
      return Operation(Op::kIf, Type::kNumber, {c, t, o});
    }
    if (f == "MIN" || f == "MAX") {
      Arity(e, 1, 1000);
      std::vector<uint32_t> args;
      for (const ExprPtr& a : e.args) {
        args.push_back(Compile(*a, b));
        RequireType(args.back(), Type::kNumber, *a, f.c_str());
      }
      return Operation(f == "MIN" ? Op::kMin : Op::kMax, Type::kNumber, std::move(args));
    }
    if (f == "ABS" || f == "ISEMPTY") {
      Arity(e, 1, 1);
      uint32_t a = Compile(*e.args[0], b);
      RequireType(a, Type::kNumber, *e.args[0], f.c_str());
      return Operation(f == "ABS" ? Op::kAbs : Op::kIsEmpty,
                       f == "ABS" ? Type::kNumber : Type::kBool, {a});
    }
    if (f == "ROUND") {
      Arity(e, 1, 2);
      uint32_t a = Compile(*e.args[0], b);
      RequireType(a, Type::kNumber, *e.args[0], "ROUND");
      Node n;
      n.op = Op::kRound;
      n.args = {a};
      n.number = e.args.size() > 1 ? Whole(*e.args[1], -12, 12, "ROUND's decimals") : 0;
      return Add(std::move(n));
    }
    Fail("unknown function " + Quote(f) +
             " (IF, MIN, MAX, ABS, ROUND, ISEMPTY, ATTR, SUM, PREV, NEXT, LAG, LEAD, YTD, "
             "CUMUL, LASTYEAR, ELIMINATE)",
         e.place);
  }

  // ---- References -----------------------------------------------------------

  uint32_t Reference(const Expr& e, const Binding& b) {
    if (rule_.refs.size() >= limits_.refs_max)
      Fail("the rule expands into more than " + std::to_string(limits_.refs_max) + " references",
           rule_.place, StatusCode::kLimitExceeded);
    size_t source = cube_;
    if (e.cube) {
      auto found = schema_.Find(e.cube->text);
      if (!found) Fail("unknown cube " + Quote(e.cube->text), e.cube->place);
      source = *found;
    }
    const auto& sdims = schema_.cubes[source].dims;
    CompiledRef ref;
    ref.cube = source;
    ref.place = e.place;
    ref.maps.resize(sdims.size());
    std::vector<bool> given(sdims.size(), false);
    for (const DimSpec& spec : e.items) {
      if (spec.braced) Fail("a reference reads one member of each dimension", spec.place);
      const MemberSpec& m = spec.members[0];
      size_t s = 0;
      if (spec.dimension) {
        auto found = DimIndex(sdims, spec.dimension->text);
        if (!found)
          Fail("cube " + Quote(schema_.cubes[source].name) + " has no dimension " +
                   Quote(spec.dimension->text),
               spec.dimension->place);
        s = *found;
      } else {
        s = DimOfMember(source, m.name);
      }
      if (given[s]) Fail("dimension " + Quote(sdims[s]->name()) + " is named twice", spec.place);
      given[s] = true;
      ref.maps[s] = MapOf(m, *sdims[s], b);
    }
    for (size_t s = 0; s < sdims.size(); ++s) {
      if (given[s]) continue;
      if (source == cube_) {
        ref.maps[s] = {true, kNoMember, s, b[s]};
        continue;
      }
      auto td = DimIndex(dims_, sdims[s]->name());
      if (!td)
        Fail("the reference to cube " + Quote(schema_.cubes[source].name) +
                 " must name a member of its dimension " + Quote(sdims[s]->name()),
             e.place);
      ref.maps[s] = SameNameMap(*td, *sdims[s], b);
    }
    std::vector<bool> mapped(dims_.size(), false);
    for (MemberMap& map : ref.maps) {
      CollapseConstant(map);
      if (!map.from_cell) continue;
      if (mapped[map.target_dim])
        Fail("two dimensions of the reference take their member from dimension " +
                 Quote(dims_[map.target_dim]->name()),
             e.place);
      mapped[map.target_dim] = true;
    }
    ref.valid.resize(dims_.size());
    for (size_t d = 0; d < dims_.size(); ++d) {
      if (!b[d]) continue;
      const auto& table = *b[d];
      if (std::find(table.begin(), table.end(), kNoMember) == table.end()) continue;
      ref.valid[d].resize(table.size());
      for (size_t m = 0; m < table.size(); ++m) ref.valid[d][m] = table[m] != kNoMember;
    }
    rule_.refs.push_back(std::move(ref));
    Node n;
    n.op = Op::kRef;
    n.ref = rule_.refs.size() - 1;
    return Add(std::move(n));
  }

  // The member a reference reads on source dimension `sdim` for a spec.
  MemberMap MapOf(const MemberSpec& m, const Dimension& sdim, const Binding& b) {
    if (m.kind == MemberSpec::Kind::kName) {
      auto found = sdim.Find(m.name.text);
      if (!found)
        Fail("unknown member " + Quote(m.name.text) + " of dimension " + Quote(sdim.name()),
             m.name.place);
      return {false, *found, 0, nullptr};
    }
    const size_t td = TargetDim(m.dimension);
    if (m.kind == MemberSpec::Kind::kSameName) return SameNameMap(td, sdim, b);
    const Dimension& tdim = *dims_[td];
    const size_t a = AttributeIndex(tdim, m.name);
    auto table = std::make_shared<std::vector<MemberId>>(tdim.size(), kNoMember);
    for (MemberId t = 0; t < tdim.size(); ++t) {
      MemberId at = Apply(b[td], t);
      if (at == kNoMember) continue;
      const auto& v = tdim.attribute(at, a);
      if (!v) continue;  // no value: the reference reads empty
      const std::string* name = std::get_if<std::string>(&*v);
      if (!name)
        Fail("attribute " + Quote(m.name.text) + " of dimension " + Quote(tdim.name()) +
                 " holds numbers, not member names",
             m.name.place);
      auto member = sdim.Find(*name);
      if (!member && InArea(td, t))
        Fail("attribute " + Quote(m.name.text) + " of " + Quote(tdim.member_name(at)) + " is " +
                 Quote(*name) + ", not a member of dimension " + Quote(sdim.name()),
             m.name.place);
      (*table)[t] = member ? *member : kNoMember;
    }
    return {true, kNoMember, td, std::move(table)};
  }

  // Source dimension `sdim` read at the member named like the cell's
  // member of target dimension `td` (the same member when it is the same
  // dimension).
  MemberMap SameNameMap(size_t td, const Dimension& sdim, const Binding& b) const {
    const Dimension& tdim = *dims_[td];
    if (&tdim == &sdim) return {true, kNoMember, td, b[td]};
    MemberTable table = Compose(
        b[td],
        [&](MemberId m) {
          auto found = sdim.Find(tdim.member_name(m));
          return found ? *found : kNoMember;
        },
        tdim.size());
    return {true, kNoMember, td, std::move(table)};
  }

  // A map whose table gives one member for every cell of the area is that
  // member (SUM binds a dimension to one member per term).
  void CollapseConstant(MemberMap& map) const {
    if (!map.from_cell || !map.table) return;
    std::optional<MemberId> only;
    const auto& table = *map.table;
    for (MemberId t = 0; t < table.size(); ++t) {
      if (!InArea(map.target_dim, t)) continue;
      if (only && *only != table[t]) return;
      only = table[t];
    }
    if (only && *only != kNoMember) map = {false, *only, 0, nullptr};
  }

  // ---- Elimination ----------------------------------------------------------

  uint32_t Eliminate(const Expr& e) {
    if (rule_.kind != RuleKind::kLeaf) Fail("ELIMINATE is a leaf rule", e.place);
    Arity(e, 2, 3);
    auto elim = std::make_shared<Elimination>();
    elim->entity_dim = DimArgument(*e.args[0]);
    elim->counterparty_dim = DimArgument(*e.args[1]);
    if (elim->entity_dim == elim->counterparty_dim)
      Fail("the entity and counterparty dimensions must differ", e.args[1]->place);
    const Dimension& entity = *dims_[elim->entity_dim];
    const Dimension& partner = *dims_[elim->counterparty_dim];
    elim->entity = dims_[elim->entity_dim];
    elim->first_parent.assign(entity.size(), kNoMember);
    elim->depth.assign(entity.size(), 0);
    std::vector<bool> done(entity.size(), false);
    for (MemberId m = 0; m < entity.size(); ++m) {
      auto parents = entity.parents(m);
      if (!parents.empty()) elim->first_parent[m] = parents[0].member;
    }
    for (MemberId m = 0; m < entity.size(); ++m) {
      int depth = 0;
      for (MemberId p = elim->first_parent[m]; p != kNoMember && depth <= int(entity.size());
           p = elim->first_parent[p])
        ++depth;
      elim->depth[m] = depth;
    }
    elim->elimination_of.assign(entity.size(), kNoMember);
    for (MemberId m = 0; m < entity.size(); ++m) {
      if (!InArea(elim->entity_dim, m)) continue;
      const MemberId p = elim->first_parent[m];
      if (p == kNoMember)
        Fail("elimination member " + Quote(entity.member_name(m)) + " has no parent", e.place);
      if (elim->elimination_of[p] != kNoMember)
        Fail("parent " + Quote(entity.member_name(p)) + " has two elimination members, " +
                 Quote(entity.member_name(elim->elimination_of[p])) + " and " +
                 Quote(entity.member_name(m)),
             e.place);
      elim->elimination_of[p] = m;
    }
    std::optional<size_t> attr;
    if (e.args.size() > 2) {
      const Expr& a = *e.args[2];
      if (a.kind != Expr::Kind::kText && a.kind != Expr::Kind::kName)
        Fail("ELIMINATE's third argument names the counterparty attribute holding the entity",
             a.place);
      attr = AttributeIndex(partner, {a.text, a.place});
    }
    elim->entity_of_counterparty.assign(partner.leaf_count(), kNotALeaf);
    for (LeafOrdinal c = 0; c < partner.leaf_count(); ++c) {
      const MemberId cm = partner.leaf_member(c);
      std::string name = partner.member_name(cm);
      if (attr) {
        const auto& v = partner.attribute(cm, *attr);
        const std::string* text = v ? std::get_if<std::string>(&*v) : nullptr;
        if (!text) continue;
        name = *text;
      }
      auto em = entity.Find(name);
      if (em && entity.is_leaf(*em)) elim->entity_of_counterparty[c] = entity.leaf_ordinal(*em);
    }
    rule_.elimination = elim;
    CompiledRef ref;
    ref.cube = cube_;
    ref.place = e.place;
    for (size_t s = 0; s < dims_.size(); ++s) ref.maps.push_back({true, kNoMember, s, nullptr});
    ref.valid.resize(dims_.size());
    rule_.refs.push_back(std::move(ref));
    Node n;
    n.op = Op::kEliminate;
    n.ref = rule_.refs.size() - 1;
    return Add(std::move(n));
  }

  // ---- Support ----------------------------------------------------------------

  static Support Combine(Support::Kind kind, std::vector<Support> parts) {
    std::vector<Support> kept;
    for (Support& p : parts) {
      if (kind == Support::Kind::kUnion) {
        if (p.kind == Support::Kind::kAll) return p;
        if (p.kind == Support::Kind::kNone) continue;
      } else {
        if (p.kind == Support::Kind::kNone) return p;
        if (p.kind == Support::Kind::kAll) continue;
      }
      if (p.kind == kind) {
        for (Support& q : p.parts) kept.push_back(std::move(q));
      } else {
        kept.push_back(std::move(p));
      }
    }
    if (kept.empty())
      return {kind == Support::Kind::kUnion ? Support::Kind::kNone : Support::Kind::kAll, 0, {}};
    if (kept.size() == 1) return std::move(kept[0]);
    return {kind, 0, std::move(kept)};
  }
  static Support All() { return {Support::Kind::kAll, 0, {}}; }

  Support SupportOf(uint32_t i) const {
    const Node& n = At(i);
    switch (n.op) {
      case Op::kNumber:
      case Op::kAttribute:
        return All();
      case Op::kEmpty:
        return {Support::Kind::kNone, 0, {}};
      case Op::kRef:
      case Op::kEliminate:
        return {Support::Kind::kRef, n.ref, {}};
      case Op::kNeg:
      case Op::kAbs:
      case Op::kRound:
        return SupportOf(n.args[0]);
      case Op::kMul:
      case Op::kDiv:
        return Combine(Support::Kind::kIntersection, {SupportOf(n.args[0]), SupportOf(n.args[1])});
      case Op::kIf:
        return Combine(
            Support::Kind::kUnion,
            {Combine(Support::Kind::kIntersection, {TrueWhere(n.args[0]), SupportOf(n.args[1])}),
             Combine(Support::Kind::kIntersection, {FalseWhere(n.args[0]), SupportOf(n.args[2])})});
      default: {  // + - MIN MAX
        std::vector<Support> parts;
        for (uint32_t a : n.args) parts.push_back(SupportOf(a));
        return Combine(Support::Kind::kUnion, std::move(parts));
      }
    }
  }

  // A number node's value when it is a constant.
  std::optional<double> Constant(uint32_t i) const {
    const Node& n = At(i);
    if (n.op == Op::kNumber) return n.number;
    if (n.op == Op::kNeg) {
      if (auto v = Constant(n.args[0])) return -*v;
    }
    return std::nullopt;
  }

  // Where a condition can be true: a comparison with a constant that an
  // empty operand (read as 0) cannot meet is true only where the operand
  // is non-empty.
  Support TrueWhere(uint32_t i) const {
    const Node& n = At(i);
    switch (n.op) {
      case Op::kAnd:
        return Combine(Support::Kind::kIntersection, {TrueWhere(n.args[0]), TrueWhere(n.args[1])});
      case Op::kOr:
        return Combine(Support::Kind::kUnion, {TrueWhere(n.args[0]), TrueWhere(n.args[1])});
      case Op::kNot:
        return FalseWhere(n.args[0]);
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        if (At(n.args[0]).type != Type::kNumber) return All();
        for (int side = 0; side < 2; ++side) {
          auto c = Constant(n.args[1 - side]);
          if (!c) continue;
          // The comparison as "operand OP c", the operand read as 0 when empty.
          Op op = n.op;
          if (side == 1) {
            op = op == Op::kLt   ? Op::kGt
                 : op == Op::kGt ? Op::kLt
                 : op == Op::kLe ? Op::kGe
                 : op == Op::kGe ? Op::kLe
                                 : op;
          }
          const bool zero_meets = op == Op::kEq   ? 0 == *c
                                  : op == Op::kNe ? 0 != *c
                                  : op == Op::kLt ? 0 < *c
                                  : op == Op::kLe ? 0 <= *c
                                  : op == Op::kGt ? 0 > *c
                                                  : 0 >= *c;
          if (!zero_meets) return SupportOf(n.args[side]);
        }
        return All();
      }
      default:
        return n.type == Type::kNumber ? SupportOf(i) : All();  // a number: true when non-zero
    }
  }
  // Where a condition can be false: ISEMPTY(x) only where x is non-empty.
  Support FalseWhere(uint32_t i) const {
    const Node& n = At(i);
    if (n.op == Op::kIsEmpty) return SupportOf(n.args[0]);
    if (n.op == Op::kNot) return TrueWhere(n.args[0]);
    return All();
  }

  void CheckDense(const rules::Statement& s) {
    if (rule_.support.kind != Support::Kind::kAll) return;
    double cells = 1;
    for (const auto& leaves : rule_.area.leaves)
      cells *= static_cast<double>(std::count(leaves.begin(), leaves.end(), 1));
    if (cells <= static_cast<double>(limits_.dense_cells_max)) return;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", cells);
    Fail("this rule could make every one of its " + std::string(buf) +
             " cells non-empty (a constant, or a term added to one), more than the limit of " +
             std::to_string(limits_.dense_cells_max) +
             "; multiply by a reference that is empty where the rule should be, or use "
             "IF(condition, ...)",
         s.expr->place, StatusCode::kFailedPrecondition);
  }
};

}  // namespace

CompiledRules Compile(const Schema& schema, size_t cube, const std::vector<Statement>& statements,
                      const CompileLimits& limits) {
  CompiledRules out;
  Compiler compiler(schema, cube, limits);
  try {
    for (size_t i = 0; i < statements.size(); ++i)
      out.rules.push_back(compiler.Statement(statements[i], i));
  } catch (const Failure& f) {
    out.error = f.error;
  }
  return out;
}

}  // namespace quantatom::rules
