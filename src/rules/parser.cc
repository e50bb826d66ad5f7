#include "rules/parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace quantatom::rules {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct Failure {
  RuleError error;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  void Statements(std::vector<Statement>& out) {
    while (true) {
      SkipSpace();
      if (AtEnd()) return;
      out.push_back(ParseStatement());
    }
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  Place Here() const { return PlaceOf(text_, pos_); }

  [[noreturn]] void Fail(const std::string& message, size_t at) const {
    throw Failure{{StatusCode::kInvalidArgument, message, PlaceOf(text_, at)}};
  }
  [[noreturn]] void Fail(const std::string& message) const { Fail(message, pos_); }

  // What the text holds here, for "expected X, found Y".
  std::string Found() const {
    if (AtEnd()) return "the end of the text";
    size_t end = pos_;
    if (IsIdentChar(text_[end])) {
      while (end < text_.size() && IsIdentChar(text_[end])) ++end;
    } else {
      end = pos_ + 1;
    }
    return "'" + std::string(text_.substr(pos_, end - pos_)) + "'";
  }

  void SkipSpace() {
    while (!AtEnd()) {
      char c = Peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '#' || (c == '/' && Peek(1) == '/')) {
        while (!AtEnd() && Peek() != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  bool Accept(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  void Expect(char c, const char* what) {
    if (!Accept(c)) Fail(std::string("expected ") + what + ", found " + Found());
  }

  // An identifier at the cursor (after spaces), without consuming it.
  std::string_view PeekIdent() {
    SkipSpace();
    if (!IsIdentStart(Peek())) return {};
    size_t end = pos_;
    while (end < text_.size() && IsIdentChar(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }
  bool AcceptKeyword(std::string_view keyword) {
    std::string_view ident = PeekIdent();
    if (ident.empty() || Upper(ident) != keyword) return false;
    pos_ += ident.size();
    return true;
  }
  // The next non-space character after an identifier of `length` at the cursor.
  char AfterIdent(size_t length) const {
    size_t p = pos_ + length;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    return p < text_.size() ? text_[p] : '\0';
  }

  // 'text' with '' for a quote; the cursor on the opening quote.
  Name QuotedName() {
    Name out{"", Here()};
    const size_t open = pos_++;
    while (true) {
      if (AtEnd() || Peek() == '\n') Fail("this quote is not closed", open);
      if (Peek() == '\'') {
        if (Peek(1) != '\'') break;
        ++pos_;
      }
      out.text += text_[pos_++];
    }
    ++pos_;
    return out;
  }

  // A name inside brackets: quoted, or the text up to a ',', ':', ']' or
  // '}' outside parentheses, trimmed (names hold spaces, '&', '%', '(').
  Name BracketName(bool stop_at_colon) {
    SkipSpace();
    if (Peek() == '\'') return QuotedName();
    Name out{"", Here()};
    const size_t begin = pos_;
    int parens = 0;
    while (!AtEnd()) {
      char c = Peek();
      if (c == '\n' || c == ';' || c == '[' || c == '{' || c == '\'') break;
      if (parens == 0 && (c == ',' || c == ']' || c == '}' || (stop_at_colon && c == ':'))) break;
      if (c == '(') ++parens;
      if (c == ')' && --parens < 0) break;
      ++pos_;
    }
    std::string_view raw = text_.substr(begin, pos_ - begin);
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    if (raw.empty()) Fail("expected a name, found " + Found());
    out.text = std::string(raw);
    return out;
  }

  MemberSpec MemberTerm() {
    SkipSpace();
    std::string_view ident = PeekIdent();
    std::string upper = Upper(ident);
    if ((upper == "ATTR" || upper == "NAME") && AfterIdent(ident.size()) == '(') {
      MemberSpec m;
      m.kind = upper == "ATTR" ? MemberSpec::Kind::kAttribute : MemberSpec::Kind::kSameName;
      const size_t at = pos_;
      pos_ += ident.size();
      Expect('(', "'('");
      m.dimension = BracketName(false);
      if (m.kind == MemberSpec::Kind::kAttribute) {
        Expect(',', "',' and the attribute's name");
        m.name = BracketName(false);
      } else {
        m.name = {"", PlaceOf(text_, at)};
      }
      Expect(')', "')'");
      return m;
    }
    return {MemberSpec::Kind::kName, BracketName(false), {}};
  }

  DimSpec ParseDimSpec() {
    SkipSpace();
    DimSpec spec;
    spec.place = Here();
    if (Peek() == '{') Fail("name the dimension before a set of members: [Dim: {A, B}]");
    std::string_view ident = PeekIdent();
    std::string upper = Upper(ident);
    if ((upper == "ATTR" || upper == "NAME") && AfterIdent(ident.size()) == '(')
      Fail("name the dimension the member is for: [Dim: " + upper + "(...)]");
    Name first = BracketName(true);
    if (!Accept(':')) {
      spec.members.push_back({MemberSpec::Kind::kName, std::move(first), {}});
      return spec;
    }
    spec.dimension = std::move(first);
    if (Accept('{')) {
      spec.braced = true;
      do {
        spec.members.push_back(MemberTerm());
      } while (Accept(','));
      Expect('}', "'}' after the set of members");
    } else {
      spec.members.push_back(MemberTerm());
    }
    return spec;
  }

  // '[' items ']' with the cursor on '['.
  std::vector<DimSpec> Bracket(const char* what) {
    Expect('[', what);
    std::vector<DimSpec> items;
    SkipSpace();
    if (Peek() == ']') Fail("expected a member inside the brackets");
    do {
      items.push_back(ParseDimSpec());
    } while (Accept(','));
    Expect(']', "',' or ']'");
    return items;
  }

  Statement ParseStatement() {
    Statement s;
    s.place = Here();
    if (AcceptKeyword("LEAF")) {
      s.kind = RuleKind::kLeaf;
    } else if (AcceptKeyword("CONSOLIDATED")) {
      s.kind = RuleKind::kConsolidated;
    } else {
      Fail("expected 'leaf' or 'consolidated' to start a rule, found " + Found());
    }
    SkipSpace();
    const size_t area_begin = pos_;
    s.area = Bracket("'[' and the cells the rule computes");
    s.area_text = std::string(text_.substr(area_begin, pos_ - area_begin));
    Expect('=', "'=' after the rule's cells");
    s.expr = Expression();
    Expect(';', "';' at the end of the rule");
    return s;
  }

  // Every recursion of the parser goes through one of these.
  void Enter() {
    if (++depth_ > kNestingMax)
      throw Failure{{StatusCode::kLimitExceeded,
                     "the expression nests deeper than " + std::to_string(kNestingMax) + " levels",
                     Here()}};
  }
  void Leave() { --depth_; }

  // Precedence climbing, lowest first: OR, AND, NOT, comparison, + -, * /, unary.
  ExprPtr Expression() {
    Enter();
    ExprPtr e = Or();
    Leave();
    return e;
  }

  // Trees deeper than kNestingMax are refused: the compiler and the
  // evaluator recurse through them (a chain 1+1+...+1 nests to the left).
  ExprPtr Deep(ExprPtr e) {
    if (e->depth > kNestingMax)
      throw Failure{{StatusCode::kLimitExceeded,
                     "the expression nests deeper than " + std::to_string(kNestingMax) + " levels",
                     e->place}};
    return e;
  }

  ExprPtr Binary(char op, ExprPtr lhs, ExprPtr rhs, Place place) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kBinary;
    e->op = op;
    e->place = place;
    e->depth = std::max(lhs->depth, rhs->depth) + 1;
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return Deep(std::move(e));
  }

  ExprPtr Or() {
    ExprPtr e = And();
    while (true) {
      SkipSpace();
      Place at = Here();
      if (!AcceptKeyword("OR")) return e;
      e = Binary('|', std::move(e), And(), at);
    }
  }
  ExprPtr And() {
    ExprPtr e = Not();
    while (true) {
      SkipSpace();
      Place at = Here();
      if (!AcceptKeyword("AND")) return e;
      e = Binary('&', std::move(e), Not(), at);
    }
  }
  ExprPtr Not() {
    SkipSpace();
    Place at = Here();
    if (!AcceptKeyword("NOT")) return Comparison();
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kUnary;
    e->op = '!';
    e->place = at;
    Enter();
    e->lhs = Not();
    Leave();
    e->depth = e->lhs->depth + 1;
    return Deep(std::move(e));
  }
  ExprPtr Comparison() {
    ExprPtr e = Additive();
    SkipSpace();
    Place at = Here();
    char op = 0;
    if (Peek() == '=') {
      op = '=', pos_ += 1;
    } else if (Peek() == '<' && Peek(1) == '>') {
      op = '#', pos_ += 2;
    } else if (Peek() == '<' && Peek(1) == '=') {
      op = 'l', pos_ += 2;
    } else if (Peek() == '>' && Peek(1) == '=') {
      op = 'g', pos_ += 2;
    } else if (Peek() == '<' || Peek() == '>') {
      op = Peek(), pos_ += 1;
    }
    if (op == 0) return e;
    return Binary(op, std::move(e), Additive(), at);
  }
  ExprPtr Additive() {
    ExprPtr e = Multiplicative();
    while (true) {
      SkipSpace();
      Place at = Here();
      char c = Peek();
      if (c != '+' && c != '-') return e;
      ++pos_;
      e = Binary(c, std::move(e), Multiplicative(), at);
    }
  }
  ExprPtr Multiplicative() {
    ExprPtr e = Unary();
    while (true) {
      SkipSpace();
      Place at = Here();
      char c = Peek();
      if (c != '*' && c != '/') return e;
      ++pos_;
      e = Binary(c, std::move(e), Unary(), at);
    }
  }
  ExprPtr Unary() {
    SkipSpace();
    Place at = Here();
    char c = Peek();
    if (c != '-' && c != '+') return Primary();
    ++pos_;
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kUnary;
    e->op = c;
    e->place = at;
    Enter();
    e->lhs = Unary();
    Leave();
    e->depth = e->lhs->depth + 1;
    return Deep(std::move(e));
  }

  ExprPtr Ref(std::optional<Name> cube, Place place) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kRef;
    e->place = place;
    e->cube = std::move(cube);
    e->items = Bracket("'['");
    return e;
  }

  ExprPtr Number() {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kNumber;
    e->place = Here();
    size_t end = pos_;
    while (end < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.'))
      ++end;
    if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
      size_t exp = end + 1;
      if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
      if (exp < text_.size() && std::isdigit(static_cast<unsigned char>(text_[exp]))) {
        end = exp;
        while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      }
    }
    const char* first = text_.data() + pos_;
    auto [ptr, ec] = std::from_chars(first, text_.data() + end, e->number);
    if (ec != std::errc() || ptr != text_.data() + end || !std::isfinite(e->number))
      Fail("'" + std::string(text_.substr(pos_, end - pos_)) + "' is not a number");
    pos_ = end;
    return e;
  }

  ExprPtr Call(std::string_view name, Place place) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kCall;
    e->place = place;
    e->text = Upper(name);
    pos_ += name.size();
    Expect('(', "'('");
    if (e->text == "SUM") {
      e->binding = ParseDimSpec();
      if (!e->binding->dimension)
        Fail("SUM takes the dimension and members to sum over first: SUM(Dim: children(M), ...)",
             e->binding->place.offset);
      Expect(',', "',' and the expression to sum");
    }
    SkipSpace();
    if (Peek() != ')') {
      do {
        e->args.push_back(Expression());
        e->depth = std::max(e->depth, e->args.back()->depth + 1);
      } while (Accept(','));
    }
    Expect(')', "',' or ')'");
    return Deep(std::move(e));
  }

  ExprPtr Primary() {
    SkipSpace();
    Place at = Here();
    char c = Peek();
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))))
      return Number();
    if (c == '[') return Ref(std::nullopt, at);
    if (c == '(') {
      ++pos_;
      ExprPtr e = Expression();
      Expect(')', "')'");
      return e;
    }
    if (c == '\'') {
      Name name = QuotedName();
      SkipSpace();
      if (Peek() == '[') return Ref(std::move(name), at);
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::kText;
      e->place = at;
      e->text = std::move(name.text);
      return e;
    }
    std::string_view ident = PeekIdent();
    if (ident.empty()) Fail("expected a number, a cell reference or a function, found " + Found());
    char after = AfterIdent(ident.size());
    if (after == '(') return Call(ident, at);
    if (after == '[') {
      Name cube{std::string(ident), at};
      pos_ += ident.size();
      return Ref(std::move(cube), at);
    }
    auto e = std::make_unique<Expr>();
    e->place = at;
    e->kind = Upper(ident) == "EMPTY" ? Expr::Kind::kEmpty : Expr::Kind::kName;
    e->text = std::string(ident);
    pos_ += ident.size();
    return e;
  }
};

}  // namespace

ParsedRules ParseRules(std::string_view text) {
  ParsedRules out;
  if (text.size() > kRulesTextBytesMax) {
    out.error = RuleError{StatusCode::kLimitExceeded,
                          "the rules text has " + std::to_string(text.size()) +
                              " bytes; the limit is " + std::to_string(kRulesTextBytesMax),
                          {}};
    return out;
  }
  try {
    Parser parser(text);
    parser.Statements(out.statements);
  } catch (const Failure& f) {
    out.error = f.error;
  }
  return out;
}

}  // namespace quantatom::rules
