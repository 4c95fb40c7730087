#pragma once
/// L1SLOAD (RIP-7728) at 0x10001: L2 code reads L1 storage at the L1 origin of its block
/// (docs/spec/l1sload.md). The precompile decodes and charges here; the values come from an
/// L1StorageReader the node provides (l1client's JSON-RPC reader with its caches). An L1 that
/// cannot answer never becomes a revert: the transaction is aborted as a whole and the block
/// builder's caller decides (the sequencer returns it to the mempool, a follower retries).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

#include "gas_schedule.hpp"

namespace l2::execution {

inline constexpr Address kL1SloadAddress =
    address_literal("0000000000000000000000000000000000010001");
inline constexpr size_t kL1SloadMaxKeys = 5;

/// Where L1SLOAD's values come from. Implementations are thread-safe: block building, eth_call
/// and derivation read concurrently.
class L1StorageReader
{
public:
    virtual ~L1StorageReader() = default;
    /// The values of `keys` of L1 account `account` in L1 block (`number`, `hash`), in key
    /// order; an error (with a message for the log) when L1 could not answer.
    virtual Result<std::vector<Hash>, std::string> load(const Address& account,
                                                        std::span<const Hash> keys,
                                                        uint64_t number, const Hash& hash) = 0;
};

/// The decoded input `address(20) || key(32) x k`, 1 <= k <= kL1SloadMaxKeys.
struct L1SloadInput
{
    Address account;
    std::vector<Hash> keys;
};

/// nullopt for any other input length.
std::optional<L1SloadInput> decode_l1sload_input(ByteView input);

/// l1sload_base + l1sload_per_key * k, or UINT64_MAX for a malformed input (which therefore
/// consumes all the gas given to the call).
uint64_t l1sload_gas(ByteView input, const GasSchedule& gas) noexcept;

}  // namespace l2::execution
