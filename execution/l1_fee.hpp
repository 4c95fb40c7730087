#pragma once
/// The L1 data fee of an L2 transaction, Fjord-style (OP Stack): the FastLZ-compressed size of
/// the signed transaction, through a linear estimate of its size in an L1 batch, priced at the L1
/// base fee and blob base fee with their scalars. Consensus-critical: the block executor charges
/// it and the GasPriceOracle predeploy answers it with the same functions. docs/spec/fees.md.

#include <cstdint>

#include <txtypes/bytes.hpp>
#include <txtypes/uint256.hpp>

namespace l2::execution {

/// The L1 fee parameters of a block, as its L1-info transaction wrote them into L1Block.
struct L1FeeParams
{
    U256 l1_base_fee;
    U256 blob_base_fee;
    uint32_t base_fee_scalar = 0;
    uint32_t blob_base_fee_scalar = 0;
};

/// Fjord's estimate: size = max(100e6, -42'585'600 + 836'500 * flz_len), scaled by 1e6.
inline constexpr int64_t kL1CostIntercept = -42'585'600;
inline constexpr int64_t kL1CostFastlzCoef = 836'500;
inline constexpr uint64_t kMinTxSizeScaled = 100 * 1'000'000;

/// Length of `data` after FastLZ (level 1) compression, as solady's flzCompress produces it:
/// the compressor's output length without building the output.
uint32_t flz_compress_len(ByteView data) noexcept;

/// The estimated size in an L1 batch, in bytes x 1e6, of a transaction whose FastLZ length is
/// `flz_len`.
uint64_t estimated_da_size_scaled(uint64_t flz_len) noexcept;

/// The L1 data fee of a transaction of estimated size `size_scaled` (bytes x 1e6).
U256 l1_fee_for_size(const L1FeeParams& p, uint64_t size_scaled) noexcept;

/// The L1 data fee in wei of the signed transaction `tx_bytes` (its EIP-2718 encoding).
U256 l1_data_fee(const L1FeeParams& p, ByteView tx_bytes) noexcept;

/// L1 gas the transaction is accounted as using (OP's getL1GasUsed after Fjord):
/// estimated size x 16.
uint64_t l1_gas_used(ByteView tx_bytes) noexcept;

}  // namespace l2::execution
