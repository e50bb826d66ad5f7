#include "rules/kernel.h"

#include <cmath>

namespace quantatom::rules {
namespace {

const std::string kNoText;

bool Truthy(const Column& c, size_t i) { return c.has[i] && c.value[i] != 0; }
double Number(const Column& c, size_t i) { return c.has[i] ? c.value[i] : 0; }

class Evaluator {
 public:
  Evaluator(const CompiledRule& rule, const Frame& frame, const std::vector<Column>& refs)
      : rule_(rule), frame_(frame), refs_(refs), n_(frame.rows) {}

  Column Node(uint32_t index) {
    const rules::Node& node = rule_.nodes[index];
    Column out;
    out.Resize(n_);
    switch (node.op) {
      case Op::kNumber:
        std::fill(out.value.begin(), out.value.end(), node.number);
        std::fill(out.has.begin(), out.has.end(), 1);
        break;
      case Op::kText:
        out.text.assign(n_, &node.text);
        std::fill(out.has.begin(), out.has.end(), 1);
        break;
      case Op::kEmpty:
        break;
      case Op::kRef:
      case Op::kEliminate:
        return refs_[node.ref];
      case Op::kAttribute:
        Attribute(node, out);
        break;
      case Op::kNeg:
      case Op::kAbs:
      case Op::kRound:
        Unary(node, Node(node.args[0]), out);
        break;
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
        Arithmetic(node.op, Node(node.args[0]), Node(node.args[1]), out);
        break;
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
        Compare(node, out);
        break;
      case Op::kAnd:
      case Op::kOr:
      case Op::kNot:
        Logic(node, out);
        break;
      case Op::kIsEmpty: {
        Column a = Node(node.args[0]);
        for (size_t i = 0; i < n_; ++i) out.value[i] = a.has[i] ? 0 : 1, out.has[i] = 1;
        break;
      }
      case Op::kIf: {
        Column c = Node(node.args[0]), t = Node(node.args[1]), o = Node(node.args[2]);
        for (size_t i = 0; i < n_; ++i) {
          const Column& pick = Truthy(c, i) ? t : o;
          out.value[i] = pick.value[i];
          out.has[i] = pick.has[i];
        }
        break;
      }
      case Op::kMin:
      case Op::kMax:
        MinMax(node, out);
        break;
    }
    return out;
  }

 private:
  const CompiledRule& rule_;
  const Frame& frame_;
  const std::vector<Column>& refs_;
  const size_t n_;

  void Attribute(const rules::Node& node, Column& out) {
    if (node.type == Type::kText) out.text.assign(n_, &kNoText);
    for (size_t i = 0; i < n_; ++i) {
      const MemberId m = frame_.At(i, node.dim);
      if (node.type == Type::kText) {
        out.has[i] = 1;
        if (node.has[m]) out.text[i] = &node.texts[m];
      } else if (node.has[m]) {
        out.has[i] = 1;
        out.value[i] = node.numbers[m];
      }
    }
  }

  void Unary(const rules::Node& node, const Column& a, Column& out) {
    const double scale = node.op == Op::kRound ? std::pow(10.0, node.number) : 1;
    for (size_t i = 0; i < n_; ++i) {
      out.has[i] = a.has[i];
      const double v = a.value[i];
      out.value[i] = node.op == Op::kNeg   ? -v
                     : node.op == Op::kAbs ? std::fabs(v)
                                           : std::round(v * scale) / scale;
    }
  }

  void Arithmetic(Op op, const Column& a, const Column& b, Column& out) {
    switch (op) {
      case Op::kAdd:
      case Op::kSub: {
        const double sign = op == Op::kAdd ? 1 : -1;
        for (size_t i = 0; i < n_; ++i) {
          out.has[i] = a.has[i] | b.has[i];
          out.value[i] = Number(a, i) + sign * Number(b, i);
        }
        break;
      }
      case Op::kMul:
        for (size_t i = 0; i < n_; ++i) {
          out.has[i] = a.has[i] & b.has[i];
          out.value[i] = a.value[i] * b.value[i];
        }
        break;
      default:  // division: by zero or by empty is empty
        for (size_t i = 0; i < n_; ++i) {
          out.has[i] = a.has[i] & b.has[i] & (b.value[i] != 0);
          out.value[i] = out.has[i] ? a.value[i] / b.value[i] : 0;
        }
    }
  }

  void Compare(const rules::Node& node, Column& out) {
    Column a = Node(node.args[0]), b = Node(node.args[1]);
    const bool text = rule_.nodes[node.args[0]].type == Type::kText;
    for (size_t i = 0; i < n_; ++i) {
      bool r;
      if (text) {
        const bool eq = *a.text[i] == *b.text[i];
        r = node.op == Op::kEq ? eq : !eq;
      } else {
        const double x = Number(a, i), y = Number(b, i);
        r = node.op == Op::kEq   ? x == y
            : node.op == Op::kNe ? x != y
            : node.op == Op::kLt ? x < y
            : node.op == Op::kLe ? x <= y
            : node.op == Op::kGt ? x > y
                                 : x >= y;
      }
      out.value[i] = r;
      out.has[i] = 1;
    }
  }

  void Logic(const rules::Node& node, Column& out) {
    Column a = Node(node.args[0]);
    if (node.op == Op::kNot) {
      for (size_t i = 0; i < n_; ++i) out.value[i] = !Truthy(a, i), out.has[i] = 1;
      return;
    }
    Column b = Node(node.args[1]);
    for (size_t i = 0; i < n_; ++i) {
      out.value[i] =
          node.op == Op::kAnd ? Truthy(a, i) && Truthy(b, i) : Truthy(a, i) || Truthy(b, i);
      out.has[i] = 1;
    }
  }

  void MinMax(const rules::Node& node, Column& out) {
    for (uint32_t arg : node.args) {
      Column a = Node(arg);
      for (size_t i = 0; i < n_; ++i) {
        if (!a.has[i]) continue;
        const double v = a.value[i];
        if (!out.has[i] || (node.op == Op::kMin ? v < out.value[i] : v > out.value[i]))
          out.value[i] = v;
        out.has[i] = 1;
      }
    }
  }
};

}  // namespace

Column Evaluate(const CompiledRule& rule, const Frame& frame, const std::vector<Column>& refs) {
  Column out = Evaluator(rule, frame, refs).Node(rule.root());
  for (size_t i = 0; i < out.size(); ++i)
    if (out.has[i] && !std::isfinite(out.value[i])) out.has[i] = 0;
  return out;
}

}  // namespace quantatom::rules
