#pragma once
/// Precompiled contracts: Ethereum's 0x01-0x0a as each revision defines them, RIP-7212
/// P256VERIFY at 0x100 (l2node chains), and later l2node's own (L1SLOAD 0x10001, WASM deployer
/// 0x20001, readU64 0x20002) registered by the execution layer. Costs come from the GasSchedule.

#include <cstdint>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/revision.hpp>

#include "gas_schedule.hpp"

namespace l2::execution {

struct PrecompileResult
{
    bool success = false;  ///< false: the call fails and consumes all the gas given to it
    Bytes output;
};

/// Gas a call with `input` costs (before running it). May exceed any gas limit (e.g. modexp
/// with huge lengths); callers compare against the gas available.
using PrecompileGasFn = uint64_t (*)(ByteView input, const GasSchedule& gas, Revision rev);
using PrecompileRunFn = PrecompileResult (*)(ByteView input, Revision rev);

struct Precompile
{
    const char* name;
    PrecompileGasFn gas;
    PrecompileRunFn run;
};

/// The precompile at `addr` under `rev`, or nullptr. `l2` enables the RIP precompiles
/// (P256VERIFY) that only l2node chains have.
const Precompile* find_precompile(const Address& addr, Revision rev, bool l2) noexcept;

/// Addresses of active precompiles (warm from the start of every tx, EIP-2929).
bool is_precompile(const Address& addr, Revision rev, bool l2) noexcept;

}  // namespace l2::execution
