#include "hex.hpp"

namespace l2 {

const char* to_string(HexError e) noexcept
{
    switch (e)
    {
    case HexError::kOddLength:
        return "hex string has an odd number of digits";
    case HexError::kInvalidDigit:
        return "hex string has a character that is not a hex digit";
    }
    return "unknown hex error";
}

std::string to_hex(ByteView b)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(b.size() * 2, '\0');
    for (size_t i = 0; i < b.size(); ++i)
    {
        out[2 * i] = kDigits[b[i] >> 4];
        out[2 * i + 1] = kDigits[b[i] & 0xf];
    }
    return out;
}

std::string to_0x_hex(ByteView b)
{
    return "0x" + to_hex(b);
}

int hex_digit(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

Result<Bytes, HexError> from_hex(std::string_view hex) noexcept
{
    if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        hex.remove_prefix(2);
    if (hex.size() % 2 != 0)
        return unexpected(HexError::kOddLength);
    Bytes out(hex.size() / 2, 0);
    for (size_t i = 0; i < out.size(); ++i)
    {
        const int hi = hex_digit(hex[2 * i]);
        const int lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return unexpected(HexError::kInvalidDigit);
        out[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    return out;
}

}  // namespace l2
