#pragma once
/// The WASM engine: runs a loaded module's `call` export against a HostContext, metered per
/// instruction and per host call from the gas schedule (docs/spec/wasm-host.md).

#include <cstdint>
#include <string>

#include <execution/gas_schedule.hpp>
#include <txtypes/bytes.hpp>
#include <txtypes/result.hpp>

#include "host.hpp"
#include "module.hpp"

namespace l2::execution::wasm {

enum class CallStatus : uint8_t
{
    kSuccess,   ///< `call` returned; output = the last set_return data
    kRevert,    ///< the module called revert; output = its data
    kTrap,      ///< a WebAssembly or host trap (bounds, unreachable, stack...); reverts
    kOutOfGas,  ///< the gas ran out; reverts and uses all gas
    /// l1_sload could not reach L1: not an outcome of the module; the EVM aborts the whole
    /// transaction (evm::Status::kL1Unavailable), `message` says why.
    kL1Unavailable,
};

struct CallOutcome
{
    CallStatus status = CallStatus::kSuccess;
    uint64_t gas_used = 0;
    Bytes output;
    std::string message;  ///< why it trapped (diagnostics only; not consensus)
};

/// Runs `module` with `gas_limit`. Deterministic: the same module, host answers and limit give
/// the same outcome and gas. The error is only for a Module whose metered form does not load
/// (never one from load_module); every failure of the module itself is a CallOutcome.
[[nodiscard]] Result<CallOutcome, WasmError> execute(const Module& module,
                                                     HostContext& host,
                                                     uint64_t gas_limit,
                                                     const GasSchedule& schedule) noexcept;

}  // namespace l2::execution::wasm
