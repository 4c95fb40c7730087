#pragma once
/// Message simulation for eth_call and eth_estimateGas: a transaction-call object run on a
/// throw-away JournaledState over some state (the head's flat state, or an older block's trie),
/// in the context of the block after it. Nothing is committed. Gas accounting (intrinsic gas,
/// access lists, refunds) is execute_transaction's, so an estimate is exactly the gas a real
/// transaction needs; what differs is what geth's eth_call relaxes: no nonce or EOA check, and
/// no fee unless the call names a gas price. The L1 data fee and proof fee are not gas: wallets
/// read them from the GasPriceOracle (0x420...0F), which runs natively inside the EVM.

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <state/state_db.hpp>
#include <txtypes/block.hpp>
#include <txtypes/result.hpp>
#include <txtypes/transaction.hpp>

#include "chain_spec.hpp"
#include "evm/evm.hpp"

namespace l2::execution {

/// A JSON-RPC transaction-call object (eth_call, eth_estimateGas), decoded.
struct CallRequest
{
    std::optional<Address> from;  ///< default: the zero address
    std::optional<Address> to;    ///< absent: a contract creation
    std::optional<uint64_t> gas;  ///< default: the caller's cap
    std::optional<U256> gas_price;
    std::optional<U256> max_fee_per_gas;
    std::optional<U256> max_priority_fee_per_gas;
    U256 value;
    Bytes data;
    std::optional<uint64_t> nonce;  ///< accepted and ignored, as geth's eth_call does
    std::vector<txtypes::AccessListEntry> access_list;
};

enum class CallErrc
{
    kInvalidFees,         ///< gasPrice with 1559 fields, or tip above the fee cap
    kFeeCapBelowBaseFee,  ///< a named fee cap below the block's base fee
    kIntrinsicGas,        ///< the gas limit does not cover the intrinsic gas
    kInitcodeTooLarge,    ///< EIP-3860
    kInsufficientFunds,   ///< balance < gas * feeCap + value
    kNonceMax,            ///< the sender's nonce is 2^64-1
    kReverted,            ///< (estimateGas) the call reverts even at the cap; `data` = output
    kFailed,              ///< (estimateGas) the call fails even at the cap for another reason
    kL1Unavailable,       ///< an L1SLOAD could not reach L1 (l1sload.hpp); try again later
};

struct CallError
{
    CallErrc code = CallErrc::kFailed;
    std::string message;
    Bytes data;  ///< revert output (kReverted)
};

/// What one simulated message did.
struct CallOutcome
{
    bool success = false;
    evm::Status status = evm::Status::kSuccess;
    uint64_t gas_used = 0;    ///< as a receipt would show it: intrinsic + execution - refund
    uint64_t gas_refund = 0;  ///< the refund already taken off gas_used
    Bytes output;             ///< return data, or revert data

    /// Gas the simulation ran, before the refund (intrinsic included): at most its limit.
    uint64_t gas_run() const noexcept { return gas_used + gas_refund; }
    std::vector<txtypes::Log> logs;
    std::optional<Address> contract_address;
};

/// Where a simulation runs: a state and the block it pretends to be part of.
struct CallEnv
{
    const state::StateReader& state;
    const ChainSpec& spec;
    evm::BlockContext block;
};

/// The context of the block that would follow `parent` (eth_call runs "in the pending block"):
/// number + 1, timestamp + 1, the EIP-1559 base fee after `parent`, the parent's fee recipient
/// and randao, the chain's gas limit.
evm::BlockContext child_block_context(const ChainSpec& spec,
                                      const txtypes::BlockHeader& parent,
                                      std::function<Hash(uint64_t)> block_hash);

/// Runs `req` with the gas limit `gas_limit` (the caller applies defaults and caps). A reverted
/// or failed execution is a CallOutcome with success = false; errors are the checks that stop a
/// transaction before it runs (intrinsic gas, funds, fee fields).
Result<CallOutcome, CallError> simulate_call(const CallEnv& env,
                                             const CallRequest& req,
                                             uint64_t gas_limit);

/// The least gas limit with which `req` succeeds, by binary search over simulate_call. The
/// upper bound is `req.gas` (or the block gas limit) capped at `gas_cap`, and, when the call
/// names a fee cap, what the sender's balance can buy. When the call fails even there: the
/// revert (kReverted with the output) or the failure (kFailed, "gas required exceeds
/// allowance (N)" for out of gas). With `executed`, adds to it the gas every simulation ran
/// (before refunds), so a caller can account for the whole search.
Result<uint64_t, CallError> estimate_gas(const CallEnv& env,
                                         const CallRequest& req,
                                         uint64_t gas_cap,
                                         uint64_t* executed = nullptr);

/// "execution reverted", plus ": <reason>" when `output` is an ABI `Error(string)` and
/// ": panic 0x<code>" for `Panic(uint256)` (what geth-style clients print).
std::string revert_message(ByteView output);

/// The state at an older block's root, read by walking the trie (its nodes are kept until
/// history pruning removes them). For eth_call / getBalance / getProof at a block other than
/// the head. Reads of a node that is gone answer "absent" and set missing(): the caller must
/// then report the state unavailable. Not thread-safe (one per request).
class TrieStateReader final : public state::StateReader
{
public:
    TrieStateReader(const state::StateDb& db, const Hash& state_root);

    std::optional<state::Account> account(state::Engine engine,
                                          const Address& identity) const override;
    U256 storage(state::Engine engine, const Address& identity, const U256& slot) const override;
    Bytes code(const Hash& code_hash) const override;

    /// True once a read met a missing trie node (pruned or never stored).
    bool missing() const noexcept { return m_missing; }
    const Hash& root() const noexcept { return m_root; }

private:
    /// The account leaf of `identity` (any engine), cached.
    const std::optional<state::Account>& leaf(const Address& identity) const;

    const state::StateDb& m_db;
    state::Trie m_trie;
    Hash m_root;
    mutable std::unordered_map<Address, std::optional<state::Account>, FixedBytesHasher> m_accounts;
    mutable bool m_missing = false;
};

}  // namespace l2::execution
