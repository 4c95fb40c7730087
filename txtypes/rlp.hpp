#pragma once
/// Recursive Length Prefix (Yellow Paper, Appendix B). Strict decoding: every non-canonical
/// form (a single byte < 0x80 wrapped as a string, a long form for a short payload, leading
/// zeros in a length or an integer) is an error, as in silkworm and geth.

#include <cstdint>
#include <vector>

#include "bytes.hpp"
#include "hash.hpp"
#include "result.hpp"
#include "uint256.hpp"

namespace l2::rlp {

enum class [[nodiscard]] RlpError
{
    kInputTooShort,       ///< the item claims more bytes than the input holds
    kLeadingZero,         ///< an integer or a length with a leading zero byte
    kNonCanonicalSize,    ///< short item in long form, or one byte < 0x80 encoded as a string
    kUnexpectedList,      ///< a list where a string was expected
    kUnexpectedString,    ///< a string where a list was expected
    kOverflow,            ///< an integer too wide for its type
    kUnexpectedLength,    ///< a fixed-size field (address, hash) of another length
    kTrailingBytes,       ///< bytes left after the top-level item, or inside a list's payload
    kTooDeep,             ///< nesting beyond kMaxDepth
};

const char* to_string(RlpError e) noexcept;

/// Nesting limit of decode_item (generic decoding only; typed decoders know their shape).
inline constexpr size_t kMaxDepth = 1024;

struct Header
{
    bool list = false;
    size_t payload_length = 0;
};

// ---- encoding --------------------------------------------------------------------------

/// Length of the header for a payload of `payload_length` bytes.
size_t header_length(size_t payload_length) noexcept;
void encode_header(Bytes& out, Header h);

size_t length(ByteView str) noexcept;
size_t length(uint64_t v) noexcept;
size_t length(const U256& v) noexcept;
inline size_t length(const Address&) noexcept { return 21; }
inline size_t length(const Hash&) noexcept { return 33; }
inline size_t length_of_list(size_t payload_length) noexcept
{
    return header_length(payload_length) + payload_length;
}

void encode(Bytes& out, ByteView str);
void encode(Bytes& out, uint64_t v);
void encode(Bytes& out, const U256& v);
inline void encode(Bytes& out, const Address& a) { encode(out, a.view()); }
inline void encode(Bytes& out, const Hash& h) { encode(out, h.view()); }
/// Booleans are integers 0/1.
inline void encode_bool(Bytes& out, bool b) { encode(out, uint64_t{b}); }

/// Wraps `payload` (already-encoded items) as a list.
Bytes wrap_list(ByteView payload);

// ---- decoding: each consumes one item from the front of `in` ---------------------------

Result<Header, RlpError> decode_header(ByteView& in) noexcept;
/// A string item's payload.
Result<ByteView, RlpError> decode_string(ByteView& in) noexcept;
/// A list item's payload (decode its items from the returned view, then check it is empty).
Result<ByteView, RlpError> decode_list(ByteView& in) noexcept;
Result<uint64_t, RlpError> decode_u64(ByteView& in) noexcept;
Result<U256, RlpError> decode_u256(ByteView& in) noexcept;
Result<bool, RlpError> decode_bool(ByteView& in) noexcept;
Result<Address, RlpError> decode_address(ByteView& in) noexcept;
Result<Hash, RlpError> decode_hash(ByteView& in) noexcept;

/// A generic decoded item (RLPTests, debugging): views point into the decoded input.
struct Item
{
    bool list = false;
    ByteView str;
    std::vector<Item> items;
};

/// Decodes exactly one item spanning all of `in` (trailing bytes are an error).
Result<Item, RlpError> decode_item(ByteView in) noexcept;

}  // namespace l2::rlp
