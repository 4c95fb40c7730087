#pragma once
/// Payload attributes of an L2 block from its L1 origin (OP Stack): the L1-info deposit, then,
/// in the first block of the epoch only, the origin's user deposits (forced inclusion).

#include <vector>

#include <execution/block_builder.hpp>
#include <l1client/l1_types.hpp>

#include "rollup_config.hpp"

namespace l2::derivation {

/// The L1-info values for an L2 block at `sequence_number` within the epoch of `origin`.
execution::L1Info l1_info_for(const RollupConfig& cfg, const l1client::L1Block& origin,
                              uint64_t sequence_number);

/// Attributes of the L2 block at `timestamp`; `deposits` are the origin's user deposits and are
/// included only when `sequence_number == 0`.
execution::PayloadAttributes make_attributes(const RollupConfig& cfg,
                                             const l1client::L1Block& origin,
                                             uint64_t sequence_number, uint64_t timestamp,
                                             const std::vector<txtypes::Transaction>& deposits);

}  // namespace l2::derivation
