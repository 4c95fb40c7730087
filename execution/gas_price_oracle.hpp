#pragma once
/// The GasPriceOracle predeploy (0x420...0F), answered natively with the block executor's own
/// fee functions, so a wallet's quote and the fee charged cannot drift apart. It speaks OP
/// Stack's Fjord interface (getL1Fee, getL1GasUsed, getL1FeeUpperBound, l1BaseFee, blobBaseFee,
/// baseFeeScalar, blobBaseFeeScalar, decimals, isFjord, isEcotone, gasPrice, baseFee, version)
/// plus proofFeePerGas(). Like OP's, getL1Fee takes an *unsigned* transaction and adds 68 bytes
/// for the signature. docs/spec/fees.md.

#include <state/journaled_state.hpp>
#include <txtypes/bytes.hpp>

namespace l2::execution {

struct GasPriceOracleResult
{
    bool success = false;  ///< false = revert with `output`
    int64_t gas_used = 0;
    Bytes output;
};

/// Runs a call to the oracle with `input` and `gas`; `base_fee` answers gasPrice()/baseFee().
GasPriceOracleResult call_gas_price_oracle(state::JournaledState& state, ByteView input,
                                           int64_t gas, const U256& base_fee);

}  // namespace l2::execution
