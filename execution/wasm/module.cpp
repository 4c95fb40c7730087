#include "module.hpp"

#include "wabt_bridge.hpp"

#include <txtypes/keccak.hpp>

namespace l2::execution::wasm {
namespace {

WasmErrorCode to_code(bridge::LoadStatus s) noexcept
{
    switch (s)
    {
        case bridge::LoadStatus::kMalformed:
            return WasmErrorCode::kMalformed;
        case bridge::LoadStatus::kFloat:
            return WasmErrorCode::kFloat;
        case bridge::LoadStatus::kLimits:
            return WasmErrorCode::kLimits;
        case bridge::LoadStatus::kStart:
            return WasmErrorCode::kStart;
        case bridge::LoadStatus::kImport:
            return WasmErrorCode::kImport;
        case bridge::LoadStatus::kExport:
            return WasmErrorCode::kExport;
        case bridge::LoadStatus::kOk:
        case bridge::LoadStatus::kInvalid:
            break;
    }
    return WasmErrorCode::kInvalid;
}

}  // namespace

Result<Module, WasmError> load_module(ByteView wasm, const ModuleLimits& limits) noexcept
{
    const bridge::LoadLimits plain{limits.max_module_bytes,   limits.max_memory_pages,
                                   limits.max_table_elements, limits.max_functions,
                                   limits.max_locals,         limits.max_globals,
                                   limits.max_block_depth};
    bridge::LoadResult r = bridge::load(wasm.data(), wasm.size(), plain);
    if (r.status != bridge::LoadStatus::kOk)
        return unexpected(WasmError{to_code(r.status), std::move(r.message)});
    std::string error;
    auto prepared = bridge::prepare(r.instrumented.data(), r.instrumented.size(), error);
    if (!prepared)  // load() produced it: a bug, reported as a refusal rather than a crash
        return unexpected(WasmError{WasmErrorCode::kInvalid, std::move(error)});
    Module m;
    const bridge::InstanceShape shape = bridge::shape_of(*prepared);
    m.m_functions = shape.functions;
    m.m_max_pages = shape.max_pages;
    m.m_prepared = std::move(prepared);
    m.m_code = Bytes{wasm};
    m.m_code_hash = keccak256(wasm);
    m.m_metered.assign(r.instrumented.begin(), r.instrumented.end());
    m.m_footprint = sizeof(Module) + m.m_code.size() + m.m_metered.size() +
                    bridge::footprint(*m.m_prepared);
    return m;
}

Result<Bytes, std::string> wat_to_wasm(std::string_view wat)
{
    std::vector<uint8_t> out;
    std::string error;
    if (!bridge::wat_to_wasm(wat, out, error))
        return unexpected(std::move(error));
    return Bytes{out.begin(), out.end()};
}

}  // namespace l2::execution::wasm
