// Undo of a data transaction over HTTP, for the planner's undo and redo: a
// user undoes its own transactions (an admin any), and needs WRITE on every
// cell the transaction changed. Redo is the undo of the undo.
#include <charconv>

#include "server/access_guard.h"

namespace quantatom::server {
namespace {

uint64_t SequenceParameter(const HttpRequest& req) {
  const std::string& text = req.path_params.at("sequence");
  uint64_t sequence = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), sequence);
  if (ec != std::errc() || end != text.data() + text.size() || sequence == 0)
    throw ApiError(400, "INVALID_ARGUMENT",
                   "'sequence' in the path: expected a transaction's sequence number (1 or more), "
                   "got '" +
                       text + "'");
  return sequence;
}

Transaction TransactionOrThrow(const ServerContext& ctx, uint64_t sequence) {
  auto txns = ctx.db.ChangesSince(sequence - 1, 1);
  if (!txns.ok() && txns.status().code() == StatusCode::kNotFound)
    throw ApiError(404, "NOT_FOUND", txns.status().message());
  ThrowIfError(txns.status());
  if (txns->empty() || txns->front().sequence != sequence)
    throw ApiError(404, "NOT_FOUND", "no transaction " + std::to_string(sequence) + " in the log");
  return std::move(txns->front());
}

HttpResponse Undo(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  const uint64_t sequence = SequenceParameter(req);
  std::string client_txn_id;
  if (!req.body.empty()) {
    json body = ParseJsonObject(req.body);
    RejectUnknownMembers(body, {"client_txn_id"});
    client_txn_id = StringMember(body, "client_txn_id", false);
    if (client_txn_id.size() > ctx.limits.client_txn_id_bytes_max)
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'client_txn_id': longer than " +
                         std::to_string(ctx.limits.client_txn_id_bytes_max) + " bytes");
  }
  Transaction txn = TransactionOrThrow(ctx, sequence);
  if (!p.admin && txn.user != p.user)
    throw ApiError(403, "FORBIDDEN",
                   "transaction " + std::to_string(sequence) +
                       " is not yours; only an admin may undo another user's transaction");
  if (txn.cube.empty())
    throw ApiError(422, "FAILED_PRECONDITION",
                   "transaction " + std::to_string(sequence) +
                       " changed the structure; only data changes can be undone");
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, txn.cube);
  // The undo writes every cell the transaction changed.
  WriteBatch touched;
  for (size_t i = 0; i < txn.deltas.size(); ++i) {
    auto c = txn.deltas.coordinate(i);
    touched.Clear(Coordinate(c.begin(), c.end()));
  }
  RequireWritable(*cube, *access, touched);
  CommitResult result = CommitChecked(
      ctx, *cube, std::nullopt, {p.user, client_txn_id},
      [](std::span<const MemberId>) { return false; },
      [&] {
        return ctx.db.Undo(sequence, {p.user, client_txn_id});
      });
  return JsonResponse(200, {{"sequence", result.sequence},
                            {"undone", sequence},
                            {"atoms_changed", result.atoms_changed},
                            {"replayed", result.replayed}});
}

}  // namespace

void AddUndoRoutes(Router& router, ServerContext& ctx) {
  Route undo{"POST",
             "/api/transactions/{sequence}/undo",
             "Undo a data transaction with a compensating one (your own; an admin's any); 422 "
             "when its cells changed since. Redo is the undo of the undo",
             true,
             false,
             {},
             true,
             [&ctx](HttpRequest& req, const Principal& p) { return Undo(ctx, req, p); }};
  undo.commits = true;
  router.Add(std::move(undo));
}

}  // namespace quantatom::server
