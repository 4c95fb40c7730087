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

/// The L2 fees of one transaction (DESIGN.md "Fees"): the data fee from its encoding and the
/// block's L1 parameters, and the proof fee per gas of the block.
struct L2TxFees
{
    U256 data_fee;
    U256 proof_fee_per_gas;
};

struct TxEnv
{
    Revision revision = Revision::kCancun;
    bool l2 = false;
    const GasSchedule* gas = nullptr;  ///< the block's schedule
    std::optional<BlobFields> blob;
    /// Set on L2 chains: the sender also pays the data and proof fees, and the base fee, data
    /// fee and proof fee go to their vaults (predeploys.hpp) instead of being burned.
    std::optional<L2TxFees> l2_fees;
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
    kDataFeeAboveCap,   ///< 0x7D: the data fee exceeds maxDataFee
    kProofFeeAboveCap,  ///< 0x7D: gasLimit x proofFeePerGas exceeds maxProofFee
    /// L1SLOAD could not reach L1 (l1sload.hpp): the transaction is not included now, but is
    /// not invalid either; it may be tried again once L1 answers.
    kL1Unavailable,
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
    U256 data_fee;   ///< L1 data fee paid (L2)
    U256 proof_fee;  ///< proof fee paid (L2)
    std::optional<uint64_t> deposit_nonce;  ///< deposits: the sender's nonce before the tx
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

/// What is warm when a transaction starts (EIP-2929, EIP-2930, EIP-3651): the sender, the
/// recipient, the coinbase (Shanghai on), the active precompiles and the access list.
void warm_transaction_start(state::JournaledState& state, const evm::BlockContext& block,
                            const Address& sender, const std::optional<Address>& to,
                            const std::vector<txtypes::AccessListEntry>& access_list, Revision rev,
                            bool l2);

/// Applies a 0x7E deposit (OP Stack Regolith semantics): `mint` is credited and the sender's
/// nonce bumped whatever happens; no gas is bought and no fee paid; a failed deposit keeps only
/// those two changes and uses its whole gas limit. Never rejected except for exceeding the
/// block's gas (a derivation error) and for an L1SLOAD that could not reach L1 (kL1Unavailable:
/// the block cannot be built until L1 answers).
Result<TxOutcome, TxRejection> execute_deposit(state::JournaledState& state,
                                               const evm::BlockContext& block,
                                               const txtypes::Transaction& txn,
                                               const TxEnv& env, uint64_t block_gas_left);

}  // namespace l2::execution
