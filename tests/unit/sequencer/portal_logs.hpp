#pragma once
// Test helper shared by the sequencer, batcher and follower tests: L1 logs as the DepositPortal
// emits them (docs/spec/contracts.md).

#include <cstring>

#include <derivation/deposits.hpp>
#include <l1client/l1_types.hpp>
#include <txtypes/uint256.hpp>

namespace l2::test {

/// A TransactionDeposited log of `portal`: `depositor` deposits to itself, minting `mint`, with
/// 100,000 gas and no data.
inline l1client::L1Log deposit_log(const Address& portal, const Address& depositor,
                                   const U256& mint)
{
    Bytes opaque = to_be_word(mint) + to_be_word(U256{0});
    for (int i = 7; i >= 0; --i)
        opaque.push_back(static_cast<uint8_t>(uint64_t{100'000} >> (8 * i)));
    opaque.push_back(0);
    Bytes data = to_be_word(U256{32}) + to_be_word(U256{opaque.size()}) + opaque;
    data.resize(64 + (opaque.size() + 31) / 32 * 32, 0);
    Hash who;
    std::memcpy(who.data() + 12, depositor.data(), 20);
    l1client::L1Log log;
    log.address = portal;
    log.topics = {derivation::transaction_deposited_topic(), who, who, Hash{}};
    log.data = data;
    return log;
}

}  // namespace l2::test
