#include "attributes.hpp"

#include <cstring>

#include <execution/predeploys.hpp>

namespace l2::derivation {

execution::L1Info l1_info_for(const RollupConfig& cfg, const l1client::L1Block& origin,
                              uint64_t sequence_number)
{
    execution::L1Info info;
    info.number = origin.number;
    info.timestamp = origin.timestamp;
    info.base_fee = origin.base_fee.value_or(U256{0});
    info.hash = origin.hash;
    info.sequence_number = sequence_number;
    std::memcpy(info.batcher_hash.data() + 12, cfg.batcher.data(), 20);
    // Pre-Cancun L1s have no blob gas: the EIP-4844 minimum of 1 wei.
    info.blob_base_fee = execution::blob_base_fee(origin.excess_blob_gas.value_or(0));
    info.base_fee_scalar = cfg.base_fee_scalar;
    info.blob_base_fee_scalar = cfg.blob_base_fee_scalar;
    info.proof_fee_per_gas = cfg.proof_fee_per_gas;
    return info;
}

execution::PayloadAttributes make_attributes(const RollupConfig& cfg,
                                             const l1client::L1Block& origin,
                                             uint64_t sequence_number, uint64_t timestamp,
                                             const std::vector<txtypes::Transaction>& deposits)
{
    execution::PayloadAttributes a;
    a.timestamp = timestamp;
    a.prev_randao = origin.mix_hash;
    a.fee_recipient = execution::predeploys::kSequencerFeeVault;
    a.deposits.push_back(
        execution::make_l1_info_transaction(l1_info_for(cfg, origin, sequence_number)));
    if (sequence_number == 0)
        a.deposits.insert(a.deposits.end(), deposits.begin(), deposits.end());
    return a;
}

}  // namespace l2::derivation
