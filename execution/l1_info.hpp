#pragma once
/// The L1-info system transaction: the first transaction of every L2 block, a 0x7E deposit from
/// the depositor account to the L1Block predeploy calling `setL1BlockValues(...)` with the
/// block's L1 origin and fee parameters (docs/spec/fees.md, docs/spec/contracts.md).

#include <optional>

#include <state/journaled_state.hpp>
#include <txtypes/block.hpp>
#include <txtypes/result.hpp>
#include <txtypes/transaction.hpp>

#include "l1_fee.hpp"

namespace l2::execution {

struct L1Info
{
    uint64_t number = 0;
    uint64_t timestamp = 0;
    U256 base_fee;
    Hash hash;
    uint64_t sequence_number = 0;  ///< L2 block's position in its epoch (0 = first)
    Hash batcher_hash;             ///< the batcher address, left-padded
    U256 blob_base_fee;
    uint32_t base_fee_scalar = 0;
    uint32_t blob_base_fee_scalar = 0;
    U256 proof_fee_per_gas;

    L1FeeParams fee_params() const noexcept
    {
        return {base_fee, blob_base_fee, base_fee_scalar, blob_base_fee_scalar};
    }
    friend bool operator==(const L1Info&, const L1Info&) = default;
};

/// Calldata of `setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint32,
/// uint32,uint256)`: selector + 10 ABI words.
Bytes encode_l1_info_calldata(const L1Info& info);

/// Decodes that calldata; nullopt unless it is exactly the selector and 10 in-range words.
std::optional<L1Info> decode_l1_info_calldata(ByteView data) noexcept;

/// OP deposit source hash: keccak256(uint256(domain) || keccak256(l1_hash || uint256(index))).
/// Domain 0 = user deposit (index = log index in the L1 block), 1 = L1-info (index = sequence
/// number).
Hash deposit_source_hash(uint64_t domain, const Hash& l1_hash, uint64_t index);

/// OP source hash of the L1-info deposit: keccak256(uint256(1) || keccak256(l1_hash ||
/// uint256(sequence_number))).
Hash l1_info_source_hash(const Hash& l1_hash, uint64_t sequence_number);

/// The L1 origin a block records: its first transaction's L1-info values, or nullopt when that
/// is not an L1-info deposit to the L1Block predeploy (the genesis block, a malformed body).
std::optional<L1Info> block_l1_info(const txtypes::Block& block) noexcept;

/// The whole system transaction for `info`.
txtypes::Transaction make_l1_info_transaction(const L1Info& info);

/// What the L1Block predeploy holds now (the current block's L1 origin).
L1Info read_l1_info(state::JournaledState& state);
/// The same from committed state (the head's L1 origin; the mempool's data-fee estimate).
L1Info read_l1_info(const state::StateReader& state);

}  // namespace l2::execution
