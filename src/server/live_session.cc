#include "server/live_session.h"

#include <algorithm>

#include "server/access_guard.h"

namespace quantatom::server {

LiveSession::LiveSession(LiveHub& hub, std::weak_ptr<WebSocketPeer> peer, std::string authorization)
    : hub_(hub), peer_(std::move(peer)), authorization_(std::move(authorization)) {}

void LiveSession::OnMessage(std::string text) {
  hub_.Post([self = shared_from_this(), text = std::move(text)] { self->Handle(text); });
}

void LiveSession::OnClose() {
  hub_.Post([self = shared_from_this()] { self->hub_.Closed(self); });
}

std::optional<Principal> LiveSession::Authenticate() {
  std::optional<Principal> p = hub_.ctx_.auth.Authenticate(authorization_);
  if (!p) {
    Close(WebSocketClose::kPolicyViolation, "the token expired or was revoked");
    hub_.Closed(shared_from_this());
  }
  return p;
}

void LiveSession::Send(std::shared_ptr<const std::string> message) {
  if (auto peer = peer_.lock()) peer->Send(std::move(message));
}

void LiveSession::Close(WebSocketClose code, std::string reason) {
  if (auto peer = peer_.lock()) peer->Close(code, std::move(reason));
}

void LiveSession::SendJson(const json& message) {
  Send(std::make_shared<const std::string>(message.dump()));
}

// A bad request is answered with an error message; the connection stays.
void LiveSession::Handle(const std::string& text) {
  std::optional<Principal> p = Authenticate();
  if (!p) return;
  json request;
  try {
    request = ParseJsonObject(text, 8);
    std::string op = StringMember(request, "op", true);
    if (op == "subscribe") return Subscribe(request, *p);
    if (op == "unsubscribe") return Unsubscribe(request);
    throw ApiError(400, "INVALID_ARGUMENT",
                   "unknown op '" + op + "': 'subscribe' or 'unsubscribe'");
  } catch (const ApiError& e) {
    json error = {{"type", "error"}, {"code", e.code}, {"message", e.message}};
    for (const char* name : {"op", "cube"})
      if (request.is_object() && request.contains(name)) error[name] = request[name];
    SendJson(error);
  } catch (const std::exception& e) {
    SendJson({{"type", "error"}, {"code", "INTERNAL"}, {"message", e.what()}});
  }
}

void LiveSession::Subscribe(const json& request, const Principal& p) {
  RejectUnknownMembers(request, {"op", "cube", "after"});
  // By the cube's own spelling, as transactions name it.
  const std::string cube =
      ReadableCubeOrThrow(hub_.ctx_, p, StringMember(request, "cube", true)).cube->name();
  const size_t max = hub_.ctx_.limits.live_subscriptions_per_connection_max;
  if (!cubes_.count(cube) && cubes_.size() >= max)
    throw ApiError(400, "TOO_MANY_SUBSCRIPTIONS",
                   "a connection subscribes to " + std::to_string(max) + " cubes at most");
  if (Member(request, "after")) Replay(p, cube, UnsignedMember(request, "after", 0));
  cubes_.insert(cube);
  hub_.Subscribe(shared_from_this(), cube);
  SendJson({{"type", "subscribed"}, {"cube", cube}, {"sequence", hub_.sequence_}});
}

void LiveSession::Unsubscribe(const json& request) {
  RejectUnknownMembers(request, {"op", "cube"});
  std::string cube = StringMember(request, "cube", true);
  for (const std::string& subscribed : cubes_)
    if (FoldCase(subscribed) == FoldCase(cube)) cube = subscribed;
  if (!cubes_.erase(cube))
    throw ApiError(404, "NOT_FOUND", "not subscribed to cube '" + cube + "'");
  hub_.Unsubscribe(shared_from_this(), cube);
  SendJson({{"type", "unsubscribed"}, {"cube", cube}});
}

void LiveSession::Replay(const Principal& p, const std::string& cube, uint64_t after) {
  const uint64_t upto = hub_.sequence_;
  if (after >= upto) return;
  const size_t max = hub_.ctx_.limits.live_replay_transactions_max;
  if (upto - after > max) {
    if (auto reload = hub_.Reload(p, upto, cube)) Send(reload);
    return;
  }
  for (const Transaction& txn : ValueOrThrow(hub_.ctx_.db.ChangesSince(after, upto - after))) {
    if (txn.sequence > upto) break;
    if (IsStructureChange(txn.kind)) {
      auto changed = hub_.ChangedCubes(txn);
      if (std::find(changed.begin(), changed.end(), cube) != changed.end())
        if (auto reload = hub_.Reload(p, txn.sequence, cube)) Send(reload);
      continue;
    }
    if (txn.cube != cube) continue;
    if (auto message = hub_.Message(p, txn)) Send(message);
  }
}

}  // namespace quantatom::server
