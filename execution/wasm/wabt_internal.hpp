#pragma once
/// Shared by the C++17 wabt_*.cpp files only (includes wabt; never include it from C++20 code).

#include <wabt/feature.h>

namespace l2::execution::wasm::bridge {

/// The WebAssembly features l2node accepts: the MVP plus mutable globals, sign extension and
/// multi-value. SIMD, saturating float conversions, bulk memory (whose memory.fill/copy would
/// cost one instruction for any length), reference types, threads and the rest are off.
inline wabt::Features deterministic_features()
{
    wabt::Features f;
    f.disable_simd();
    f.disable_sat_float_to_int();
    f.disable_bulk_memory();
    f.disable_reference_types();
    f.disable_threads();
    f.disable_exceptions();
    f.disable_tail_call();
    f.disable_memory64();
    f.disable_multi_memory();
    f.disable_extended_const();
    f.disable_relaxed_simd();
    f.disable_gc();
    f.disable_function_references();
    f.enable_mutable_globals();
    f.enable_sign_extension();
    f.enable_multi_value();
    return f;
}

/// The name of the export l2node runs, and of the memory export the host functions use.
inline constexpr const char* kEntryExport = "call";
inline constexpr const char* kMemoryExport = "memory";

}  // namespace l2::execution::wasm::bridge
