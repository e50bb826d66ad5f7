// Randomness, hashes, MACs and encodings for the security code, all from
// libsodium. Secrets are compared in constant time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "quantatom/status.h"

namespace quantatom::server {

// sodium_init; safe to call more than once.
Status InitCrypto();
std::string RandomBytes(size_t n);
std::string Base64Url(std::string_view bytes);  // no padding
bool FromBase64Url(std::string_view text, std::string& bytes);
std::string Hex(std::string_view bytes);

// Argon2id in the crypto_pwhash_str format (salt and parameters included).
Result<std::string> HashPassword(std::string_view password, uint64_t opslimit, size_t memlimit);
bool VerifyPassword(const std::string& hash, std::string_view password);

// Hex BLAKE2b-256 of a high-entropy token: what the store keeps instead of it.
std::string TokenHash(std::string_view token);
// crypto_auth (HMAC-SHA-512-256) with a 32-byte key.
std::string Mac(std::string_view key, std::string_view message);
bool VerifyMac(std::string_view key, std::string_view message, std::string_view mac);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace quantatom::server
