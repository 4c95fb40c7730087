#pragma once
/// Addresses of the L2 system accounts, placed as the OP Stack places them (DESIGN.md
/// "Precompile addresses"), and the L1Block storage layout the node reads directly.

#include <txtypes/hash.hpp>

namespace l2::execution::predeploys {

/// Sender of the L1-info system deposit (OP Stack's depositor account).
inline constexpr Address kDepositorAccount =
    address_literal("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
/// GasPriceOracle: answered natively (gas_price_oracle.hpp) so it is the block executor's fee
/// formula by construction.
inline constexpr Address kGasPriceOracle =
    address_literal("420000000000000000000000000000000000000f");
/// The block's fee recipient (coinbase): priority fees.
inline constexpr Address kSequencerFeeVault =
    address_literal("4200000000000000000000000000000000000011");
/// L1 origin attributes, written by the first transaction of every block.
inline constexpr Address kL1Block = address_literal("4200000000000000000000000000000000000015");
/// EIP-1559 base fees (OP Stack keeps them instead of burning them).
inline constexpr Address kBaseFeeVault = address_literal("4200000000000000000000000000000000000019");
/// L1 data fees.
inline constexpr Address kL1FeeVault = address_literal("420000000000000000000000000000000000001a");
/// Proof fees (where the OP Stack puts its operator-fee vault).
inline constexpr Address kProofFeeVault =
    address_literal("420000000000000000000000000000000000001b");

/// contracts/src/L2/L1Block.sol storage: one field per slot (docs/spec/contracts.md).
namespace l1block_slot {
inline constexpr uint64_t kNumber = 0;
inline constexpr uint64_t kTimestamp = 1;
inline constexpr uint64_t kBaseFee = 2;
inline constexpr uint64_t kHash = 3;
inline constexpr uint64_t kSequenceNumber = 4;
inline constexpr uint64_t kBatcherHash = 5;
inline constexpr uint64_t kBlobBaseFee = 6;
inline constexpr uint64_t kBaseFeeScalar = 7;
inline constexpr uint64_t kBlobBaseFeeScalar = 8;
inline constexpr uint64_t kProofFeePerGas = 9;
}  // namespace l1block_slot

/// Gas of the L1-info system deposit (OP Stack: 1,000,000).
inline constexpr uint64_t kL1InfoGas = 1'000'000;

}  // namespace l2::execution::predeploys
