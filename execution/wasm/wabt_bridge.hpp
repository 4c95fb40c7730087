#pragma once
/// The seam between the WASM engine (C++20) and libwabt (whose interpreter headers only compile as
/// C++17 with GCC 12, shared/DEPENDENCIES.md). This header uses only the standard library and
/// compiles in both modes; the wabt_*.cpp files behind it are compiled as C++17 and are the only
/// files that include wabt. Internal to execution/wasm: use module.hpp and engine.hpp instead.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace l2::execution::wasm::bridge {

/// One host function of the "env" module: its name and signature. Value types are written one
/// letter each: 'i' = i32, 'l' = i64; `result` is 'i', 'l' or 0 (none). docs/spec/wasm-host.md.
struct HostFnSig
{
    std::string_view name;
    std::string_view params;
    char result;
};

/// Index of each host function in kHostFns (the dispatcher switches on it).
enum class HostFn : uint32_t
{
    kStorageRead,
    kStorageWrite,
    kCaller,
    kValue,
    kCalldataSize,
    kCalldataCopy,
    kSetReturn,
    kRevert,
    kEmitLog,
    kBlockNumber,
    kBlockTimestamp,
    kL1BlockNumber,
    kKeccak256,
    kEvmStorageRead,
    kL1Sload,
};

/// The host API, in HostFn order.
inline constexpr std::array<HostFnSig, 15> kHostFns = {{
    {"storage_read", "li", 0},
    {"storage_write", "li", 0},
    {"caller", "i", 0},
    {"value", "i", 0},
    {"calldata_size", "", 'i'},
    {"calldata_copy", "iii", 0},
    {"set_return", "ii", 0},
    {"revert", "ii", 0},
    {"emit_log", "iiii", 0},
    {"block_number", "", 'l'},
    {"block_timestamp", "", 'l'},
    {"l1_block_number", "", 'l'},
    {"keccak256", "iii", 0},
    {"evm_storage_read", "iii", 0},
    {"l1_sload", "iii", 0},
}};

/// Validation limits (the plain mirror of ModuleLimits).
struct LoadLimits
{
    uint64_t max_module_bytes;
    uint32_t max_memory_pages;
    uint32_t max_table_elements;
    uint32_t max_functions;
    uint32_t max_locals;
    uint32_t max_globals;
    uint32_t max_block_depth;
};

/// Why a module was refused (the plain mirror of WasmError).
enum class LoadStatus : uint8_t
{
    kOk,
    kMalformed,
    kInvalid,
    kFloat,
    kLimits,
    kStart,
    kImport,
    kExport,
};

struct LoadResult
{
    LoadStatus status = LoadStatus::kOk;
    std::string message;
    std::vector<uint8_t> instrumented;  ///< the metered module, when status == kOk
};

/// Parses and validates `wasm`, checks the deterministic subset and the limits, and returns the
/// module rewritten with gas metering (wabt_loader.cpp).
LoadResult load(const uint8_t* wasm, size_t size, const LoadLimits& limits);

/// One host-function call, as the runner hands it to the dispatcher.
struct HostCall
{
    HostFn fn;
    std::array<uint64_t, 4> args;  ///< i32 arguments zero-extended
    uint64_t result;               ///< the return value, when the function has one
    uint8_t* memory;               ///< the instance's linear memory
    uint64_t memory_size;
    uint64_t gas_left;  ///< in: gas before the call; out: after it (the dispatcher charges)
};

enum class HostStatus : uint8_t
{
    kOk,
    kTrap,
    kRevert,
    kOutOfGas,
};

/// Implements the host functions (engine.cpp). Returns kOk or the reason to stop the module;
/// on kTrap `message` says why.
class HostDispatcher
{
public:
    virtual HostStatus dispatch(HostCall& call, std::string& message) noexcept = 0;

protected:
    ~HostDispatcher() = default;
};

enum class RunStatus : uint8_t
{
    kOk,
    kTrap,
    kRevert,
    kOutOfGas,
    kBadModule,  ///< the instrumented bytes did not load (not produced by load())
};

struct RunResult
{
    RunStatus status = RunStatus::kOk;
    uint64_t gas_left = 0;
    std::string message;
};

/// The largest gas limit a run takes (larger ones are cut to it): the injected charge keeps the
/// gas left in a signed i64.
inline constexpr uint64_t kMaxGasLimit = (uint64_t{1} << 63) - 1;

/// An instrumented module parsed for the interpreter (wabt's ModuleDesc: decoded, validated and
/// compiled to the interpreter's instruction stream). Made once per module by prepare(); every
/// run() copies it instead of parsing and validating the bytes again (for a large module that
/// was ~90% of a call's time). Immutable: shared by every thread's calls.
struct PreparedModule;

/// What instantiating a module costs grows with (docs/spec/wasm-host.md, "Metering").
struct InstanceShape
{
    uint32_t functions = 0;  ///< functions the module defines (imports excluded)
    uint32_t max_pages = 0;  ///< its memory's declared maximum, in 64 KiB pages
};

/// Parses load()'s output for run(); null (and `error` set) when the bytes do not load.
std::shared_ptr<const PreparedModule> prepare(const uint8_t* instrumented,
                                              size_t size,
                                              std::string& error);

/// The shape of a prepared module.
InstanceShape shape_of(const PreparedModule& module) noexcept;

/// Bytes a prepared module holds: its instruction stream, data segments and per-function
/// records (wabt's containers, counted from their sizes; allocator overhead not included).
size_t footprint(const PreparedModule& module) noexcept;

/// Instantiates a prepared module with the host functions and runs its `call` export with
/// `gas_limit` (at most kMaxGasLimit), charging `instruction_cost` per instruction and
/// `segment_cost` per straight-line segment entered (both < 2^32; wabt_loader.cpp, metering).
RunResult run(const PreparedModule& module,
              HostDispatcher& host,
              uint64_t gas_limit,
              uint64_t instruction_cost,
              uint64_t segment_cost);

/// Compiles WebAssembly text to binary with wabt's parser (tools and tests); on failure returns
/// false and the parser's messages in `error`.
bool wat_to_wasm(std::string_view wat, std::vector<uint8_t>& out, std::string& error);

}  // namespace l2::execution::wasm::bridge
