#pragma once
/// Transaction-level processing (YP §6), shared by the sequencer and the follower: validity
/// against state (nonce, balance, EIP-3607, fee caps, blob fields), buying gas, the access list
/// (EIP-2929/2930/3651), running the message, refunds (EIP-3529), paying the coinbase, EIP-161
/// cleanup. L2 fees (data fee, proof fee, vaults) come with the block executor (issue 5).

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <state/journaled_state.hpp>
#include <txtypes/receipt.hpp>
#include <txtypes/transaction.hpp>

#include "evm/evm.hpp"
#include "gas_schedule.hpp"

namespace l2::execution {

/// EIP-4844 fields of a blob transaction (type 0x03 exists only on L1; the state tests use it).
struct BlobFields
{
    std::vector<Hash> versioned_hashes;
    U256 max_fee_per_blob_gas;
};

struct TxEnv
{
    Revision revision = Revision::kCancun;
    bool l2 = false;
    const GasSchedule* gas = nullptr;  ///< the block's schedule
    std::optional<BlobFields> blob;
};

enum class [[nodiscard]] TxRejection
{
    kStateless,  ///< see `stateless` (signature, intrinsic gas, ...)
    kNonceTooLow,
    kNonceTooHigh,
    kNonceMax,
    kSenderNotEoa,  ///< EIP-3607: the sender has code
    kInsufficientFunds,
    kFeeCapBelowBaseFee,
    kGasLimitAboveBlock,
    kBlobFeeCapTooLow,
    kInvalidBlob,  ///< no blobs, too many, bad version byte, or a creation
};

const char* to_string(TxRejection r) noexcept;

struct TxOutcome
{
    bool success = false;
    evm::Status status = evm::Status::kSuccess;
    uint64_t gas_used = 0;
    std::vector<txtypes::Log> logs;
    std::optional<Address> contract_address;
    Bytes output;
};

inline constexpr uint64_t kBlobGasPerBlob = 131072;  ///< EIP-4844
inline constexpr size_t kMaxBlobsPerBlock = 6;

/// The consensus receipt of an executed transaction, given the block's gas used up to and
/// including it (logs bloom computed here).
txtypes::Receipt make_receipt(const TxOutcome& outcome, txtypes::TxType type,
                              uint64_t cumulative_gas_used);

/// EIP-4844 blob base fee: fake_exponential(1, excess_blob_gas, 3338477).
U256 blob_base_fee(uint64_t excess_blob_gas);

/// Applies `txn` from `sender` to `state` (one transaction: ends with finish_transaction()).
/// A rejected transaction changes nothing.
Result<TxOutcome, TxRejection> execute_transaction(state::JournaledState& state,
                                                   const evm::BlockContext& block,
                                                   const txtypes::Transaction& txn,
                                                   const Address& sender, const TxEnv& env,
                                                   uint64_t block_gas_left);

}  // namespace l2::execution
