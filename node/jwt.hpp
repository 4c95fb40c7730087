#pragma once
/// JWT authentication of RPC endpoints, as the Engine API does it (execution-apis
/// src/engine/authentication.md): HS256 tokens over a 32-byte shared secret, `iat` within ±60 s.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <txtypes/result.hpp>

namespace l2::node {

/// A 256-bit HS256 key.
using JwtSecret = std::array<uint8_t, 32>;

/// Reads the secret from `path` (64 hex digits, optional 0x prefix, surrounding whitespace
/// ignored: geth's --authrpc.jwtsecret format). If the file does not exist, creates it (and its
/// parent directories) with 32 random bytes from OpenSSL, written as 0x-prefixed hex, mode 0600.
Result<JwtSecret, std::string> read_or_create_jwt_secret(const std::filesystem::path& path);

/// The token `header.payload.signature` (base64url, no padding) with header
/// {"alg":"HS256","typ":"JWT"} and payload {"iat":iat}, signed with HMAC-SHA256.
std::string make_jwt(const JwtSecret& secret, int64_t iat);

/// Checks a token: three base64url parts, an HMAC-SHA256 signature equal (in constant time) to
/// the one `secret` gives, header alg HS256, an integer `iat` with |iat - now| <= max_skew, and
/// `exp` (if present) not passed. Times are Unix seconds.
Result<void, std::string> verify_jwt(std::string_view token,
                                     const JwtSecret& secret,
                                     int64_t now,
                                     int64_t max_skew = 60);

/// URL-safe base64 without padding (RFC 4648 §5), as JWS uses it (RFC 7515 §2).
std::string base64url_encode(std::string_view data);

/// Decodes unpadded base64url; rejects padding, other alphabets and non-canonical tails.
Result<std::string, std::string> base64url_decode(std::string_view text);

}  // namespace l2::node
