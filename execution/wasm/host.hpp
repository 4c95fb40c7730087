#pragma once
/// What a WASM module sees of the chain: the host side of the "env" API (docs/spec/wasm-host.md).
/// An interface so the engine does not depend on the executor; the executor implements it over
/// the journaled state with the module's identity (state/keys.hpp, Engine::kWasm), tests with
/// maps. The engine charges gas before each call; the implementation only does the work.

#include <cstdint>
#include <span>
#include <string>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>
#include <txtypes/uint256.hpp>

namespace l2::execution {
class L1StorageReader;
}

namespace l2::execution::wasm {

/// The facts of one call, fixed while it runs.
struct CallEnv
{
    Address caller;
    U256 value;
    ByteView calldata;  ///< owned by the caller of execute(); outlives the call
    uint64_t block_number = 0;
    uint64_t block_timestamp = 0;
    uint64_t l1_block_number = 0;  ///< the L1 origin recorded by the block's L1-info tx
    Hash l1_block_hash;            ///< its hash (l1_sload reads that block)
    L1StorageReader* l1_storage = nullptr;  ///< l1_sload's source (../l1sload.hpp)
};

/// The host of one module call. Effects (storage writes, logs) are the caller's to roll back
/// when the call does not succeed (CallOutcome::status != kSuccess).
class HostContext
{
public:
    virtual ~HostContext() = default;

    virtual const CallEnv& env() const noexcept = 0;
    /// The module's own storage slot (zero when never written).
    virtual Hash storage_read(uint64_t slot) noexcept = 0;
    /// Writes a slot; false refuses (a static call), which traps the module.
    virtual bool storage_write(uint64_t slot, const Hash& value) noexcept = 0;
    /// A log from the module's identity; at most 4 topics. False refuses (a static call), which
    /// traps the module.
    virtual bool emit_log(std::span<const Hash> topics, ByteView data) noexcept = 0;
    /// Cross-engine read: slot `key` of EVM account `address` (zero when absent).
    virtual Hash evm_storage_read(const Address& address, const Hash& key) noexcept = 0;
    /// L1SLOAD (../l1sload.hpp): slot `key` of L1 account `address` at the block's L1 origin;
    /// an error when L1 could not answer, which aborts the whole transaction.
    virtual Result<Hash, std::string> l1_sload(const Address& address, const Hash& key) noexcept = 0;
};

}  // namespace l2::execution::wasm
