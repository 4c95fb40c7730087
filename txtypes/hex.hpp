#pragma once
/// Hex encoding (lowercase, optional 0x prefix on input).

#include <string>
#include <string_view>

#include "bytes.hpp"
#include "result.hpp"

namespace l2 {

enum class [[nodiscard]] HexError
{
    kOddLength,
    kInvalidDigit,
};

const char* to_string(HexError e) noexcept;

/// The value of one hex digit (either case), or -1.
int hex_digit(char c) noexcept;

/// "0x"-less lowercase hex of `b`.
std::string to_hex(ByteView b);

/// "0x" + lowercase hex of `b` (JSON-RPC DATA).
std::string to_0x_hex(ByteView b);

/// Decodes hex, with or without a 0x prefix. Odd lengths and non-hex digits are errors.
Result<Bytes, HexError> from_hex(std::string_view hex) noexcept;

}  // namespace l2
