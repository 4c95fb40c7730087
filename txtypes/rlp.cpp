#include "rlp.hpp"

namespace l2::rlp {

const char* to_string(RlpError e) noexcept
{
    switch (e)
    {
    case RlpError::kInputTooShort:
        return "rlp: input too short for the item's length";
    case RlpError::kLeadingZero:
        return "rlp: leading zero in an integer or length";
    case RlpError::kNonCanonicalSize:
        return "rlp: non-canonical size (long form for a short item, or a single byte < 0x80 "
               "wrapped as a string)";
    case RlpError::kUnexpectedList:
        return "rlp: expected a string, found a list";
    case RlpError::kUnexpectedString:
        return "rlp: expected a list, found a string";
    case RlpError::kOverflow:
        return "rlp: integer too large for its field";
    case RlpError::kUnexpectedLength:
        return "rlp: fixed-size field has the wrong length";
    case RlpError::kTrailingBytes:
        return "rlp: trailing bytes after the item";
    case RlpError::kTooDeep:
        return "rlp: nesting too deep";
    }
    return "rlp: unknown error";
}

namespace {

size_t be_length(uint64_t v) noexcept
{
    size_t n = 0;
    while (v != 0)
    {
        ++n;
        v >>= 8;
    }
    return n;
}

void append_be(Bytes& out, uint64_t v, size_t n)
{
    for (size_t i = n; i-- > 0;)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

size_t header_length(size_t payload_length) noexcept
{
    return payload_length < 56 ? 1 : 1 + be_length(payload_length);
}

void encode_header(Bytes& out, Header h)
{
    const uint8_t base = h.list ? 0xc0 : 0x80;
    if (h.payload_length < 56)
    {
        out.push_back(static_cast<uint8_t>(base + h.payload_length));
        return;
    }
    const size_t n = be_length(h.payload_length);
    out.push_back(static_cast<uint8_t>(base + 55 + n));
    append_be(out, h.payload_length, n);
}

size_t length(ByteView str) noexcept
{
    if (str.size() == 1 && str[0] < 0x80)
        return 1;
    return header_length(str.size()) + str.size();
}

size_t length(uint64_t v) noexcept
{
    return v < 0x80 ? 1 : 1 + be_length(v);
}

size_t length(const U256& v) noexcept
{
    if (fits_u64(v))
        return length(low_u64(v));
    return 1 + count_significant_bytes(v);
}

void encode(Bytes& out, ByteView str)
{
    if (str.size() == 1 && str[0] < 0x80)
    {
        out.push_back(str[0]);
        return;
    }
    encode_header(out, {false, str.size()});
    out.append(str);
}

void encode(Bytes& out, uint64_t v)
{
    if (v == 0)
        out.push_back(0x80);
    else if (v < 0x80)
        out.push_back(static_cast<uint8_t>(v));
    else
    {
        const size_t n = be_length(v);
        out.push_back(static_cast<uint8_t>(0x80 + n));
        append_be(out, v, n);
    }
}

void encode(Bytes& out, const U256& v)
{
    if (fits_u64(v))
        return encode(out, low_u64(v));
    uint8_t be[32];
    to_be_bytes(v, be);
    const unsigned n = count_significant_bytes(v);
    out.push_back(static_cast<uint8_t>(0x80 + n));
    out.append(be + 32 - n, n);
}

Bytes wrap_list(ByteView payload)
{
    Bytes out;
    out.reserve(length_of_list(payload.size()));
    encode_header(out, {true, payload.size()});
    out.append(payload);
    return out;
}

Result<Header, RlpError> decode_header(ByteView& in) noexcept
{
    if (in.empty())
        return unexpected(RlpError::kInputTooShort);
    const uint8_t b = in[0];
    Header h;
    if (b < 0x80)
    {
        // A single byte is its own payload: leave it in `in`.
        h.payload_length = 1;
        return h;
    }
    in.remove_prefix(1);
    h.list = b >= 0xc0;
    const uint8_t base = h.list ? 0xc0 : 0x80;
    const uint8_t short_max = static_cast<uint8_t>(base + 55);
    if (b <= short_max)
    {
        h.payload_length = static_cast<size_t>(b - base);
        if (!h.list && h.payload_length == 1)
        {
            if (in.empty())
                return unexpected(RlpError::kInputTooShort);
            if (in[0] < 0x80)
                return unexpected(RlpError::kNonCanonicalSize);
        }
    }
    else
    {
        const size_t len_of_len = static_cast<size_t>(b - short_max);
        if (in.size() < len_of_len)
            return unexpected(RlpError::kInputTooShort);
        if (in[0] == 0)
            return unexpected(RlpError::kLeadingZero);
        if (len_of_len > 8)
            return unexpected(RlpError::kOverflow);
        uint64_t len = 0;
        for (size_t i = 0; i < len_of_len; ++i)
            len = (len << 8) | in[i];
        in.remove_prefix(len_of_len);
        if (len < 56)
            return unexpected(RlpError::kNonCanonicalSize);
        if (len > in.size())
            return unexpected(RlpError::kInputTooShort);
        h.payload_length = static_cast<size_t>(len);
    }
    if (h.payload_length > in.size())
        return unexpected(RlpError::kInputTooShort);
    return h;
}

Result<ByteView, RlpError> decode_string(ByteView& in) noexcept
{
    const auto h = decode_header(in);
    if (!h)
        return unexpected(h.error());
    if (h->list)
        return unexpected(RlpError::kUnexpectedList);
    const ByteView payload = in.substr(0, h->payload_length);
    in.remove_prefix(h->payload_length);
    return payload;
}

Result<ByteView, RlpError> decode_list(ByteView& in) noexcept
{
    const auto h = decode_header(in);
    if (!h)
        return unexpected(h.error());
    if (!h->list)
        return unexpected(RlpError::kUnexpectedString);
    const ByteView payload = in.substr(0, h->payload_length);
    in.remove_prefix(h->payload_length);
    return payload;
}

Result<uint64_t, RlpError> decode_u64(ByteView& in) noexcept
{
    const auto s = decode_string(in);
    if (!s)
        return unexpected(s.error());
    if (s->size() > 8)
        return unexpected(RlpError::kOverflow);
    if (!s->empty() && (*s)[0] == 0)
        return unexpected(RlpError::kLeadingZero);
    uint64_t v = 0;
    for (uint8_t b : *s)
        v = (v << 8) | b;
    return v;
}

Result<U256, RlpError> decode_u256(ByteView& in) noexcept
{
    const auto s = decode_string(in);
    if (!s)
        return unexpected(s.error());
    if (s->size() > 32)
        return unexpected(RlpError::kOverflow);
    if (!s->empty() && (*s)[0] == 0)
        return unexpected(RlpError::kLeadingZero);
    return from_be_bytes(*s);
}

Result<bool, RlpError> decode_bool(ByteView& in) noexcept
{
    const auto v = decode_u64(in);
    if (!v)
        return unexpected(v.error());
    if (*v > 1)
        return unexpected(RlpError::kOverflow);
    return *v == 1;
}

Result<Address, RlpError> decode_address(ByteView& in) noexcept
{
    const auto s = decode_string(in);
    if (!s)
        return unexpected(s.error());
    Address a;
    if (!Address::from_view(*s, a))
        return unexpected(RlpError::kUnexpectedLength);
    return a;
}

Result<Hash, RlpError> decode_hash(ByteView& in) noexcept
{
    const auto s = decode_string(in);
    if (!s)
        return unexpected(s.error());
    Hash h;
    if (!Hash::from_view(*s, h))
        return unexpected(RlpError::kUnexpectedLength);
    return h;
}

namespace {

Result<Item, RlpError> decode_item_at(ByteView& in, size_t depth) noexcept
{
    if (depth > kMaxDepth)
        return unexpected(RlpError::kTooDeep);
    const auto h = decode_header(in);
    if (!h)
        return unexpected(h.error());
    Item item;
    item.list = h->list;
    ByteView payload = in.substr(0, h->payload_length);
    in.remove_prefix(h->payload_length);
    if (!h->list)
    {
        item.str = payload;
        return item;
    }
    while (!payload.empty())
    {
        auto child = decode_item_at(payload, depth + 1);
        if (!child)
            return unexpected(child.error());
        item.items.push_back(std::move(*child));
    }
    return item;
}

}  // namespace

Result<Item, RlpError> decode_item(ByteView in) noexcept
{
    auto item = decode_item_at(in, 0);
    if (!item)
        return item;
    if (!in.empty())
        return unexpected(RlpError::kTrailingBytes);
    return item;
}

}  // namespace l2::rlp
