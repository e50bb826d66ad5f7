// Holds and sandboxes as the log keeps them: the parameters of their
// transactions, and applying them to a model's workspaces (and, for a
// sandbox commit, to its cube).
#pragma once

#include <string>
#include <vector>

#include "quantatom/model.h"
#include "quantatom/transaction.h"

namespace quantatom {

std::string SetHoldsParameters(const std::string& user, const std::string& cube,
                               const std::vector<Coordinate>& cells);
std::string SandboxParameters(const std::string& owner, const std::string& sandbox,
                              const std::string& cube, uint64_t base_sequence);
// A commit's: the sandbox ("" for offline edits), what was applied and how.
std::string SandboxCommitParameters(const std::string& owner, const std::string& sandbox,
                                    uint64_t base_sequence, const char* policy, size_t applied,
                                    size_t conflicts);

// The transactions that rebuild `model`'s holds and sandboxes as they are:
// what a snapshot keeps of them. Numbered `sequence`.
std::vector<Transaction> WorkspaceTransactions(const Model& model, uint64_t sequence);

// REQUIRES: txn.kind is kSetHolds, kSandboxWrite, kSandboxDiscard or
// kSandboxCommit; exclusive access to the model's structure.
Status ApplyWorkspaceChange(Model& model, const Transaction& txn);

}  // namespace quantatom
