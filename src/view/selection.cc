#include "view/selection.h"

#include <algorithm>
#include <charconv>

namespace quantatom {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int> ParseCount(std::string_view s) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

HeaderMember Header(const Dimension& dim, MemberId m, int depth) {
  return {dim.member_name(m), m, depth, dim.is_leaf(m)};
}

// Walks the hierarchy below `root` down to `levels_down` (-1: all), with an
// explicit stack: hierarchies may be deeper than the thread's stack allows.
void Walk(const Dimension& dim, MemberId root, int levels_down, HierarchyOrder order,
          bool leaves_only, std::vector<HeaderMember>& out) {
  struct Frame {
    MemberId member;
    int distance;
    size_t next_child;
  };
  auto emit = [&](const Frame& f) {
    if (!leaves_only || dim.is_leaf(f.member))
      out.push_back(Header(dim, f.member, dim.depth(root) + f.distance));
  };
  std::vector<Frame> stack{{root, 0, 0}};
  if (order == HierarchyOrder::kParentsFirst) emit(stack.back());
  while (!stack.empty() && out.size() <= kSelectionMembersMax) {  // the caller reports it
    Frame& f = stack.back();
    auto children = dim.children(f.member);
    if ((levels_down < 0 || f.distance < levels_down) && f.next_child < children.size()) {
      Frame child{children[f.next_child++].member, f.distance + 1, 0};
      if (order == HierarchyOrder::kParentsFirst) emit(child);
      stack.push_back(child);
    } else {
      if (order == HierarchyOrder::kParentsLast) emit(f);
      stack.pop_back();
    }
  }
}

struct Call {
  std::string_view function, argument, option;  // option: after the last comma
};

std::optional<Call> ParseCall(std::string_view term) {
  size_t open = term.find('(');
  if (open == std::string_view::npos || term.back() != ')') return std::nullopt;
  Call call{Trim(term.substr(0, open)), Trim(term.substr(open + 1, term.size() - open - 2)), {}};
  size_t comma = call.argument.rfind(',');
  if (call.function == "descendants" && comma != std::string_view::npos) {
    std::string_view option = Trim(call.argument.substr(comma + 1));
    if (option == "leaves" || ParseCount(option)) {
      call.option = option;
      call.argument = Trim(call.argument.substr(0, comma));
    }
  }
  return call;
}

// A name as the view may use it: hidden members are not found.
std::optional<MemberId> Lookup(const Dimension& dim, std::string_view name,
                               const std::function<bool(MemberId)>& visible) {
  auto m = dim.Find(name);
  if (m && visible && !visible(*m)) return std::nullopt;
  return m;
}

Result<MemberId> Member(const Dimension& dim, std::string_view name,
                        const std::function<bool(MemberId)>& visible) {
  auto m = Lookup(dim, name, visible);
  if (!m)
    return Status::NotFound("unknown member '" + std::string(name) + "' of dimension '" +
                            dim.name() + "'");
  return *m;
}

Status EvaluateCall(const Dimension& dim, const Call& call, HierarchyOrder order,
                    const std::function<bool(MemberId)>& visible, std::vector<HeaderMember>& out) {
  if (call.function == "children") {
    QA_ASSIGN_OR_RETURN(MemberId m, Member(dim, call.argument, visible));
    for (const WeightedLink& c : dim.children(m))
      out.push_back(Header(dim, c.member, dim.depth(m) + 1));
  } else if (call.function == "descendants" || call.function == "leaves") {
    QA_ASSIGN_OR_RETURN(MemberId m, Member(dim, call.argument, visible));
    bool leaves = call.function == "leaves" || call.option == "leaves";
    int levels = call.option.empty() || leaves ? -1 : *ParseCount(call.option);
    size_t first = out.size();
    Walk(dim, m, levels, order, leaves, out);
    if (leaves) {  // a set of leaves: each once, even when shared
      std::vector<bool> seen(dim.size(), false);
      auto dup = [&](const HeaderMember& h) {
        bool was = seen[h.id];
        seen[h.id] = true;
        return was;
      };
      out.erase(std::remove_if(out.begin() + first, out.end(), dup), out.end());
    }
  } else if (call.function == "level") {
    auto n = ParseCount(call.argument);
    if (!n)
      return Status::Invalid("level() takes a whole number, got '" + std::string(call.argument) +
                             "'");
    for (MemberId m = 0; m < dim.size(); ++m)
      if (!dim.deleted(m) && dim.level(m) == *n) out.push_back(Header(dim, m, dim.depth(m)));
  } else if (call.function == "members" && call.argument.empty()) {
    for (MemberId root : dim.roots()) Walk(dim, root, -1, order, false, out);
  } else {
    return Status::Invalid("unknown selection function '" + std::string(call.function) +
                           "' (use children, descendants, leaves, level, members)");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<HeaderMember>> EvaluateSelection(const Dimension& dim,
                                                    const std::vector<std::string>& terms,
                                                    HierarchyOrder order,
                                                    const std::function<bool(MemberId)>& visible) {
  std::vector<HeaderMember> out;
  for (const std::string& raw : terms) {
    std::string_view term = Trim(raw);
    if (auto m = Lookup(dim, term, visible)) {
      out.push_back(Header(dim, *m, dim.depth(*m)));
    } else if (auto call = ParseCall(term)) {
      Status s = EvaluateCall(dim, *call, order, visible, out);
      if (!s.ok())
        return Status(s.code(),
                      "dimension '" + dim.name() + "', selection '" + raw + "': " + s.message());
    } else {
      return Status::NotFound("unknown member '" + std::string(term) + "' of dimension '" +
                              dim.name() + "'");
    }
    if (out.size() > kSelectionMembersMax)
      return Status::Limit("selection on dimension '" + dim.name() + "' exceeds " +
                           std::to_string(kSelectionMembersMax) + " members");
  }
  return out;
}

std::vector<MemberId> NamedMembers(const Dimension& dim, const std::vector<std::string>& terms) {
  std::vector<MemberId> out;
  for (const std::string& raw : terms) {
    std::string_view term = Trim(raw);
    if (auto m = dim.Find(term)) {
      out.push_back(*m);
    } else if (auto call = ParseCall(term)) {
      if (auto m = dim.Find(call->argument)) out.push_back(*m);
    }
  }
  return out;
}

}  // namespace quantatom
