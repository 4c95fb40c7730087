#pragma once
/// The rollup's parameters shared by sequencer and follower (rollup.json, docs/config.md): block
/// time, L1 addresses, sequencing window, drift, L1 fee parameters and the genesis anchors.
/// Key names follow OP Stack's rollup.json where one exists.

#include <string>

#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>
#include <txtypes/uint256.hpp>

namespace l2::derivation {

struct BlockAnchor
{
    uint64_t number = 0;
    Hash hash;
    friend bool operator==(const BlockAnchor&, const BlockAnchor&) = default;
};

struct RollupConfig
{
    uint64_t l1_chain_id = 0;
    uint64_t l2_chain_id = 0;
    uint64_t block_time = 2;              ///< seconds between L2 blocks
    uint64_t max_sequencer_drift = 600;   ///< seconds an L2 block may run ahead of its L1 origin
    uint64_t seq_window_size = 3600;      ///< L1 blocks a batch has to land in
    uint64_t channel_timeout = 300;       ///< L1 blocks a channel may span
    uint64_t l1_confirmations = 0;        ///< sequencer: L1 depth before adopting an origin

    BlockAnchor genesis_l1;  ///< the L1 block the chain starts from (its first epoch)
    BlockAnchor genesis_l2;  ///< the L2 genesis block
    uint64_t genesis_l2_time = 0;

    Address batch_inbox;
    Address batcher;
    Address proposer;
    Address deposit_portal;
    Address output_oracle;

    // L1 fee parameters written into every L1-info transaction.
    uint32_t base_fee_scalar = 1368;        ///< OP mainnet-like
    uint32_t blob_base_fee_scalar = 810949;
    U256 proof_fee_per_gas;                 ///< 0 by default (DESIGN.md "Fees")

    /// The sequencing window: the last L1 block a batch for an L2 block whose L1 origin is
    /// `origin` may land in (docs/spec/derivation.md). Derivation, the sequencer and the batcher
    /// all judge lateness by it.
    uint64_t window_end(uint64_t origin) const noexcept { return origin + seq_window_size; }

    static Result<RollupConfig, std::string> from_json(std::string_view json);
    std::string to_json() const;
};

}  // namespace l2::derivation
