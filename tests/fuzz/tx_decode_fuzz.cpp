// libFuzzer target: the transaction decoders (txtypes/transaction.hpp). Decoding is strict, so a
// decoded tx re-encodes to exactly its input, and its hash is keccak256 of the input. Whatever
// decodes then goes through sender recovery and stateless validation, which must not crash.
#include <cstdio>
#include <cstdlib>

#include <txtypes/keccak.hpp>
#include <txtypes/transaction.hpp>
#include <txtypes/validation.hpp>

namespace {

using namespace l2;
using namespace l2::txtypes;

/// A property violation: report it and abort, so that libFuzzer saves the input as a crash.
void require(bool ok, const char* what)
{
    if (ok)
        return;
    std::fprintf(stderr, "tx_decode_fuzz: property violated: %s\n", what);
    std::abort();
}

/// The checks past decoding: results are ignored, only crashes and sanitizer reports count.
void exercise(const Transaction& txn)
{
    (void)recover_sender(txn);
    (void)signing_hash(txn);
    // Rules at both ends of the fork range, and ones that accept the tx's own chain id and
    // l2node's types, so that validation runs past its early exits.
    const uint64_t chain_id = txn.chain_id.value_or(1);
    const TxRules rules[] = {
        {Revision::kFrontier, 1, false},
        {Revision::kBerlin, chain_id, false},
        {Revision::kCancun, chain_id, true},
        {kLatestRevision, chain_id, true},
    };
    for (const auto& r : rules)
    {
        (void)intrinsic_gas(txn, r.revision);
        if (const auto v = validate_stateless(txn, r); !v)
            require(to_string(v.error()) != nullptr, "every TxInvalid has a message");
    }
}

void check_canonical(ByteView in)
{
    const auto txn = decode_transaction(in);
    if (!txn)
    {
        (void)txn.error().message();
        return;
    }
    require(encode_transaction(*txn) == in, "encode_transaction(decode_transaction(x)) == x");
    require(transaction_hash(*txn) == keccak256(in), "transaction_hash == keccak256(input)");

    // The same tx in its block-body form decodes back to itself (compared by encoding:
    // Signature has no operator==, so Transaction's defaulted one is deleted).
    Bytes listed;
    encode_transaction_in_list(listed, *txn);
    ByteView rest = listed;
    const auto again = decode_transaction_in_list(rest);
    require(again && rest.empty() && encode_transaction(*again) == in,
            "decode_transaction_in_list(encode_transaction_in_list(t)) == t");

    exercise(*txn);
}

void check_in_list(ByteView in)
{
    ByteView rest = in;
    const auto txn = decode_transaction_in_list(rest);
    if (!txn)
    {
        (void)txn.error().message();
        return;
    }
    Bytes enc;
    encode_transaction_in_list(enc, *txn);
    require(enc == in.substr(0, in.size() - rest.size()),
            "encode_transaction_in_list(decode_transaction_in_list(x)) == x");
    exercise(*txn);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ByteView in{data, size};
    check_canonical(in);
    check_in_list(in);
    return 0;
}
