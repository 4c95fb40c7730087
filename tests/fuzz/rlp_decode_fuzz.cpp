// libFuzzer target: the RLP decoders (txtypes/rlp.hpp). They are strict (one encoding per
// value), so whatever decodes must re-encode to exactly the bytes it was decoded from.
#include <cstdio>
#include <cstdlib>

#include <txtypes/rlp.hpp>

namespace {

using namespace l2;

/// A property violation: report it and abort, so that libFuzzer saves the input as a crash.
void require(bool ok, const char* what)
{
    if (ok)
        return;
    std::fprintf(stderr, "rlp_decode_fuzz: property violated: %s\n", what);
    std::abort();
}

void encode_item(Bytes& out, const rlp::Item& item)
{
    if (!item.list)
    {
        rlp::encode(out, item.str);
        return;
    }
    Bytes payload;
    for (const auto& child : item.items)
        encode_item(payload, child);
    rlp::encode_header(out, {true, payload.size()});
    out += payload;
}

/// The bytes a decode_* call consumed from `before`, given what it left in `after`.
ByteView consumed(ByteView before, ByteView after)
{
    return before.substr(0, before.size() - after.size());
}

void check_u64(ByteView in)
{
    ByteView rest = in;
    const auto v = rlp::decode_u64(rest);
    if (!v)
        return;
    Bytes enc;
    rlp::encode(enc, *v);
    require(enc == consumed(in, rest), "encode(decode_u64(x)) == x");
    require(rlp::length(*v) == enc.size(), "length(u64) == encoded size");
}

void check_u256(ByteView in)
{
    ByteView rest = in;
    const auto v = rlp::decode_u256(rest);
    if (!v)
        return;
    Bytes enc;
    rlp::encode(enc, *v);
    require(enc == consumed(in, rest), "encode(decode_u256(x)) == x");
    require(rlp::length(*v) == enc.size(), "length(U256) == encoded size");
}

void check_string(ByteView in)
{
    ByteView rest = in;
    const auto s = rlp::decode_string(rest);
    if (!s)
        return;
    Bytes enc;
    rlp::encode(enc, *s);
    require(enc == consumed(in, rest), "encode(decode_string(x)) == x");
    require(rlp::length(*s) == enc.size(), "length(string) == encoded size");
}

void check_list(ByteView in)
{
    ByteView rest = in;
    const auto payload = rlp::decode_list(rest);
    if (!payload)
        return;
    require(rlp::wrap_list(*payload) == consumed(in, rest), "wrap_list(decode_list(x)) == x");
    require(rlp::length_of_list(payload->size()) == consumed(in, rest).size(),
            "length_of_list == encoded size");
}

void check_fixed(ByteView in)
{
    ByteView rest = in;
    if (const auto b = rlp::decode_bool(rest))
    {
        Bytes enc;
        rlp::encode_bool(enc, *b);
        require(enc == consumed(in, rest), "encode_bool(decode_bool(x)) == x");
    }
    rest = in;
    if (const auto a = rlp::decode_address(rest))
    {
        Bytes enc;
        rlp::encode(enc, *a);
        require(enc == consumed(in, rest), "encode(decode_address(x)) == x");
    }
    rest = in;
    if (const auto h = rlp::decode_hash(rest))
    {
        Bytes enc;
        rlp::encode(enc, *h);
        require(enc == consumed(in, rest), "encode(decode_hash(x)) == x");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ByteView in{data, size};

    if (const auto item = rlp::decode_item(in))
    {
        Bytes enc;
        encode_item(enc, *item);
        require(enc == in, "encode(decode_item(x)) == x");
    }
    else
        require(rlp::to_string(item.error()) != nullptr, "every RlpError has a message");

    check_u64(in);
    check_u256(in);
    check_string(in);
    check_list(in);
    check_fixed(in);
    return 0;
}
