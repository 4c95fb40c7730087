#pragma once
/// Byte strings: `Bytes` owns, `ByteView` borrows (silkworm's shape: a basic_string keeps short
/// values inline, the view has remove_prefix/substr for decoders).

#include <cstdint>
#include <string>
#include <string_view>

namespace l2 {

using Bytes = std::basic_string<uint8_t>;
using ByteView = std::basic_string_view<uint8_t>;

inline ByteView as_view(std::string_view s) noexcept
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::string_view as_chars(ByteView b) noexcept
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace l2
