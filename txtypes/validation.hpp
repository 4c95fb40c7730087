#pragma once
/// Stateless transaction validity for a protocol revision: type support, signature values,
/// chain id, intrinsic gas (YP eq. 60 with EIP-2, EIP-2028, EIP-2930, EIP-3860), fee-field
/// relations. State-dependent checks (nonce, balance) belong to the executor.

#include <cstdint>

#include "result.hpp"
#include "revision.hpp"
#include "transaction.hpp"

namespace l2::txtypes {

enum class [[nodiscard]] TxInvalid
{
    kTypeNotSupported,
    kInvalidChainId,
    kInvalidSignature,        ///< r/s out of range or high s (EIP-2)
    kIntrinsicGasTooLow,
    kGasLimitPriceOverflow,   ///< gasLimit * maxFeePerGas exceeds 2^256
    kPriorityAboveMaxFee,     ///< EIP-1559: maxPriorityFeePerGas > maxFeePerGas
    kInitcodeTooLarge,        ///< EIP-3860
    kNonceMax,                ///< EIP-2681: nonce 2^64-1 can never be used
    kUnknownMiscKey,          ///< a 0x7D misc key no fork defines yet
    kSenderRecoveryFailed,
};

const char* to_string(TxInvalid e) noexcept;

struct TxRules
{
    Revision revision = Revision::kCancun;
    uint64_t chain_id = 1;
    /// l2node's own types (0x7D, 0x7E) are valid on L2 only.
    bool l2_types = false;
};

/// EIP-3860 initcode limit (2 * the EIP-170 code size limit).
inline constexpr size_t kMaxInitcodeSize = 2 * 24576;

/// Intrinsic gas of `txn` under `revision` (no overflow: data is bounded by memory).
uint64_t intrinsic_gas(const Transaction& txn, Revision revision) noexcept;

/// Everything that can be checked without state.
Result<void, TxInvalid> validate_stateless(const Transaction& txn, const TxRules& rules) noexcept;

}  // namespace l2::txtypes
