#pragma once
/// The EVM: message calls and contract creation over a JournaledState (YP §8-9), with the
/// interpreter (interpreter.cpp) running bytecode. One Evm per transaction.

#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <state/journaled_state.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/receipt.hpp>
#include <txtypes/revision.hpp>
#include <txtypes/uint256.hpp>

#include "../gas_schedule.hpp"

namespace l2::execution {
class L1StorageReader;
}

namespace l2::execution::evm {

enum class Status : uint8_t
{
    kSuccess,
    kRevert,
    kOutOfGas,
    kUndefinedInstruction,
    kInvalidInstruction,  ///< 0xFE
    kStackUnderflow,
    kStackOverflow,
    kBadJumpDestination,
    kStaticModeViolation,
    kCallDepthExceeded,
    kInsufficientBalance,
    kNonceOverflow,
    kAddressCollision,
    kContractValidationFailure,  ///< code too large or starting with 0xEF
    kPrecompileFailure,
    /// Not an EVM outcome: L1SLOAD could not reach L1. The whole transaction is aborted (never
    /// included, never charged); Evm::abort_reason() says why.
    kL1Unavailable,
};

const char* to_string(Status s) noexcept;

enum class CallKind : uint8_t
{
    kCall,
    kCallCode,
    kDelegateCall,
    kCreate,
    kCreate2,
};

struct Message
{
    CallKind kind = CallKind::kCall;
    bool is_static = false;
    int depth = 0;
    int64_t gas = 0;
    Address recipient;     ///< whose storage and balance the code runs with
    Address sender;        ///< CALLER
    Address code_address;  ///< whose code runs (differs for CALLCODE/DELEGATECALL)
    U256 value;
    ByteView input;        ///< calldata, or initcode for creates
    Hash salt;             ///< CREATE2
};

struct CallResult
{
    Status status = Status::kSuccess;
    int64_t gas_left = 0;
    int64_t gas_refund = 0;
    Bytes output;
    Address create_address;
};

struct BlockContext
{
    uint64_t number = 0;
    uint64_t timestamp = 0;
    uint64_t gas_limit = 0;
    Address coinbase;
    Hash prev_randao;
    U256 base_fee;
    U256 blob_base_fee;
    uint64_t chain_id = 1;
    /// L1 origin of an l2node block (the L1-info tx's): L1SLOAD reads there, the WASM host API
    /// reports the number.
    uint64_t l1_block_number = 0;
    Hash l1_block_hash;
    /// L1SLOAD's source; nullptr makes every L1SLOAD abort its transaction (kL1Unavailable).
    L1StorageReader* l1_storage = nullptr;
    /// Hash of an ancestor block (BLOCKHASH); zero hash when unknown.
    std::function<Hash(uint64_t)> block_hash;
};

struct TxContext
{
    Address origin;
    U256 gas_price;
    std::vector<Hash> blob_hashes;
};

struct CodeAnalysis;

class Evm
{
public:
    Evm(state::JournaledState& state, const BlockContext& block, const TxContext& tx,
        const GasSchedule& gas, Revision rev, bool l2);
    ~Evm();
    Evm(const Evm&) = delete;
    Evm& operator=(const Evm&) = delete;

    /// Runs a message: a call (any kind) or a creation, including value transfer, precompiles,
    /// nonce and code deposit rules. State changes of a failed message are rolled back.
    CallResult call(const Message& msg);

    state::JournaledState& state() noexcept { return m_state; }
    const BlockContext& block() const noexcept { return m_block; }
    const TxContext& tx() const noexcept { return m_tx; }
    const GasSchedule& gas() const noexcept { return m_gas; }
    Revision revision() const noexcept { return m_rev; }
    bool l2() const noexcept { return m_l2; }

    /// Aborts the transaction (kL1Unavailable): every frame unwinds, the executor drops it.
    void abort(std::string reason) { m_abort_reason = std::move(reason); }
    bool aborted() const noexcept { return !m_abort_reason.empty(); }
    const std::string& abort_reason() const noexcept { return m_abort_reason; }

    /// Logs of the transaction so far (those of reverted frames are dropped).
    std::vector<txtypes::Log>& logs() noexcept { return m_logs; }
    /// Accounts touched (EIP-161): empty ones are removed at the end of the transaction.
    const std::vector<Address>& touched() const noexcept { return m_touched; }
    void touch(const Address& addr);
    /// Contracts created in this transaction (EIP-6780 SELFDESTRUCT).
    bool created_in_tx(const Address& addr) const { return m_created.count(addr) != 0; }
    /// Marks a contract created in this transaction for deletion at the end of it (it keeps
    /// running and receiving value until then, as EIP-6780 specifies).
    void mark_destructed(const Address& addr);
    const std::vector<Address>& destructed() const noexcept { return m_destructed; }

    /// Jumpdest analysis, cached by code hash for the process lifetime of this Evm.
    const CodeAnalysis& analyze(const Hash& code_hash, ByteView code);

    /// Per-depth scratch (stack, memory) reused across frames: no allocation per call.
    struct FrameBuffers;
    FrameBuffers& buffers(int depth);

private:
    CallResult call_message(const Message& msg);
    CallResult create(const Message& msg);
    CallResult run_code(const Message& msg, const Hash& code_hash, ByteView code);

    state::JournaledState& m_state;
    const BlockContext& m_block;
    const TxContext& m_tx;
    const GasSchedule& m_gas;
    Revision m_rev;
    bool m_l2;
    std::vector<txtypes::Log> m_logs;
    std::vector<Address> m_touched;
    std::unordered_set<Address, FixedBytesHasher> m_touched_set;
    std::unordered_set<Address, FixedBytesHasher> m_created;
    std::vector<Address> m_destructed;  // journaled by truncation like m_touched

    struct Marks
    {
        size_t logs, touched, destructed;
    };
    Marks marks() const noexcept;
    void rollback_marks(const Marks& m);
    std::vector<std::unique_ptr<FrameBuffers>> m_buffers;
    std::string m_abort_reason;
};

/// Executes `code` for `msg` (the interpreter). `evm` provides state and nested calls.
CallResult execute(Evm& evm, const Message& msg, ByteView code, const CodeAnalysis& analysis);

/// Contract address of CREATE (rlp([sender, nonce])) and CREATE2 (EIP-1014).
Address create_address(const Address& sender, uint64_t nonce);
Address create2_address(const Address& sender, const Hash& salt, const Hash& init_code_hash);

inline constexpr int kMaxCallDepth = 1024;
inline constexpr size_t kMaxCodeSize = 24576;  ///< EIP-170
inline constexpr size_t kStackLimit = 1024;

}  // namespace l2::execution::evm
