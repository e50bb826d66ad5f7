// Client transaction ids are per user: a retry with an id answers with the
// original result only for the user who committed it, so one user can
// neither receive nor suppress another's transaction. The log records the
// user beside each id; these keys name the pair in memory and snapshots.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace quantatom {

// "<bytes of user>:<user><id>": unambiguous for any bytes in either.
std::string ClientIdKey(std::string_view user, std::string_view id);
// An id from a snapshot written before ids were per user (its user is not
// known there): "*<id>". It still matches a retry by any user.
std::string LegacyClientIdKey(std::string_view id);
// The user and id of a key from ClientIdKey; nullopt for a legacy key.
std::optional<std::pair<std::string, std::string>> ParseClientIdKey(std::string_view key);

}  // namespace quantatom
