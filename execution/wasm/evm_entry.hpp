#pragma once
/// Where the EVM meets the WASM engine (DESIGN.md "Unified state", docs/spec/wasm-host.md):
/// the deployer precompile 0x20001, the readU64 precompile 0x20002 and calls to a WASM identity,
/// all over the block's JournaledState. The EVM (evm.cpp) calls these for l2node chains and maps
/// the result to its own CallResult; state changes of a result other than kSuccess are rolled
/// back by the EVM frame.

#include <cstdint>
#include <vector>

#include <execution/gas_schedule.hpp>
#include <state/journaled_state.hpp>
#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/receipt.hpp>

#include "engine.hpp"
#include "host.hpp"

namespace l2::execution::wasm {

/// `deploy(string name, uint64 version, bytes module) returns (address)`.
inline constexpr Address kDeployerAddress =
    address_literal("0000000000000000000000000000000000020001");
/// `readU64(address module, uint64 slot) returns (bytes32)`.
inline constexpr Address kReadU64Address =
    address_literal("0000000000000000000000000000000000020002");

/// Longest module name the deployer accepts, in bytes.
inline constexpr size_t kMaxModuleName = 64;

/// One EVM frame entering the WASM side.
struct EvmFrame
{
    state::JournaledState& state;
    std::vector<txtypes::Log>& logs;  ///< the transaction's logs (the EVM truncates on failure)
    const GasSchedule& schedule;
    uint64_t chain_id = 0;
    CallEnv env;  ///< caller, value, calldata (the message input), block facts
    bool is_static = false;
    int64_t gas = 0;
};

/// The outcome in the EVM's terms: kTrap is a revert that keeps the gas left (as kRevert);
/// kOutOfGas uses all gas.
struct FrameResult
{
    CallStatus status = CallStatus::kSuccess;
    int64_t gas_left = 0;
    Bytes output;
    std::string message;  ///< kL1Unavailable: why
};

/// Runs the module at `identity` (an account with engine WASM) for the frame.
FrameResult call_module(const EvmFrame& frame, const Address& identity);

/// The process's loaded-module cache budget in bytes (module_cache.hpp; default unbounded);
/// evicts down to it at once. Results never depend on it.
void set_module_cache_bytes(size_t bytes);

/// Precompile 0x20001: validates the module (module.hpp) and creates the account
/// wasm_identity(chain_id, name, version) with engine WASM, nonce 1 and the module as code.
/// Refuses (reverts, with an Error(string) reason) a static call, value, bad calldata, a name
/// that is empty or longer than kMaxModuleName, an identity already used by any engine and a
/// module load_module refuses. Gas: wasm_deploy_base + wasm_deploy_byte * input size.
FrameResult deploy_module(const EvmFrame& frame);

/// Precompile 0x20002: the 32-byte value of WASM slot `slot` of `module` (zero when `module` is
/// not a WASM identity). Gas: wasm_read_u64.
FrameResult read_u64(const EvmFrame& frame);

}  // namespace l2::execution::wasm
