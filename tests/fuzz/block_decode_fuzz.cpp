// libFuzzer target: the receipt, header and block decoders (txtypes/receipt.hpp, block.hpp).
// Each is strict, so whatever decodes re-encodes to exactly its input. Every input goes to all
// three decoders: a valid encoding of one is a near miss for the others.
#include <cstdio>
#include <cstdlib>

#include <txtypes/block.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/receipt.hpp>

namespace {

using namespace l2;
using namespace l2::txtypes;

/// A property violation: report it and abort, so that libFuzzer saves the input as a crash.
void require(bool ok, const char* what)
{
    if (ok)
        return;
    std::fprintf(stderr, "block_decode_fuzz: property violated: %s\n", what);
    std::abort();
}

void check_receipt(ByteView in)
{
    const auto r = decode_receipt(in);
    if (!r)
        return;
    require(encode_receipt(*r) == in, "encode_receipt(decode_receipt(x)) == x");
    (void)logs_bloom(r->logs);
}

void check_header(ByteView in)
{
    const auto h = decode_header(in);
    if (!h)
        return;
    // Optional fields are positional, so a decoded header has no gaps and re-encodes as is.
    require(encode_header(*h) == in, "encode_header(decode_header(x)) == x");
    require(header_hash(*h) == keccak256(in), "header_hash == keccak256(input)");
}

void check_block(ByteView in)
{
    const auto b = decode_block(in);
    if (!b)
        return;
    require(encode_block(*b) == in, "encode_block(decode_block(x)) == x");
    (void)transactions_root(b->transactions);
    if (b->withdrawals)
        (void)withdrawals_root(*b->withdrawals);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ByteView in{data, size};
    check_receipt(in);
    check_header(in);
    check_block(in);
    return 0;
}
