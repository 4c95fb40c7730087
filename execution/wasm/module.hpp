#pragma once
/// WASM modules: loading and validation (docs/spec/wasm-host.md). A module is accepted only in
/// the deterministic subset l2node runs (no floats, bounded memory and tables, no start function,
/// only the "env" host API as imports, an exported `call: () -> ()` and an exported memory), and
/// is stored rewritten with gas metering for the engine (engine.hpp).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

namespace l2::execution::wasm {

namespace bridge {
struct PreparedModule;
}

/// Why a module was refused.
enum class WasmErrorCode : uint8_t
{
    kMalformed,  ///< not a WebAssembly binary
    kInvalid,    ///< fails WebAssembly validation (or uses a feature l2node does not enable)
    kFloat,      ///< a float type or instruction
    kLimits,     ///< exceeds a ModuleLimits bound (size, pages, table, functions, nesting...)
    kStart,      ///< has a start function
    kImport,     ///< imports something other than the host API
    kExport,     ///< lacks the `call` entry point or the memory export
};

/// A refusal: the code and a message naming the rule (and the offending item where known).
struct WasmError
{
    WasmErrorCode code;
    std::string message;
};

/// Deploy-time bounds (docs/spec/wasm-host.md#limits).
struct ModuleLimits
{
    uint64_t max_module_bytes = 256 * 1024;
    uint32_t max_memory_pages = 16;  ///< 64 KiB pages, initial and maximum
    uint32_t max_table_elements = 1024;
    uint32_t max_functions = 1024;  ///< defined (not imported) functions
    uint32_t max_locals = 1024;     ///< per function, parameters excluded
    uint32_t max_globals = 256;
    uint32_t max_block_depth = 1024;  ///< nesting of block/loop/if within a function
};

/// A validated module: the bytes as deployed and the metered form the engine runs.
class Module
{
public:
    /// The module as deployed (what the state stores, by code hash).
    ByteView code() const noexcept { return m_code; }
    /// keccak256(code()).
    const Hash& code_hash() const noexcept { return m_code_hash; }
    /// The module rewritten with gas metering (an implementation detail of the engine).
    ByteView metered() const noexcept { return m_metered; }
    /// The metered module parsed for the interpreter once, at load: each call instantiates it
    /// without parsing again (an implementation detail of the engine; never null).
    const bridge::PreparedModule& prepared() const noexcept { return *m_prepared; }
    /// Functions the module defines (imports excluded): a call pays wasm_call_function each.
    uint32_t functions() const noexcept { return m_functions; }
    /// Its memory's declared maximum in 64 KiB pages: a call pays wasm_call_page each.
    uint32_t max_pages() const noexcept { return m_max_pages; }
    /// Bytes it holds in memory (the code, the metered code and the parsed form): what the
    /// module cache charges for it.
    size_t footprint() const noexcept { return m_footprint; }

private:
    friend Result<Module, WasmError> load_module(ByteView wasm,
                                                 const ModuleLimits& limits) noexcept;
    Bytes m_code;
    Hash m_code_hash;
    Bytes m_metered;
    std::shared_ptr<const bridge::PreparedModule> m_prepared;
    uint32_t m_functions = 0;
    uint32_t m_max_pages = 0;
    size_t m_footprint = 0;
};

/// Parses and validates `wasm` and checks every deploy rule; the error names the rule broken.
[[nodiscard]] Result<Module, WasmError> load_module(ByteView wasm,
                                                    const ModuleLimits& limits = {}) noexcept;

/// Compiles WebAssembly text (wabt's parser, all features) to a binary; for tools and tests.
[[nodiscard]] Result<Bytes, std::string> wat_to_wasm(std::string_view wat);

}  // namespace l2::execution::wasm
