// WASM module loading: what load_module accepts and each rule it refuses (docs/spec/wasm-host.md).
#include "wasm_test_helpers.hpp"

#include <gtest/gtest.h>

#include <txtypes/keccak.hpp>

namespace l2::execution::wasm {
namespace {

using test::load_wat;

constexpr std::string_view kMinimal = R"((module
  (memory (export "memory") 1 1)
  (func (export "call"))))";

TEST(WasmModule, AcceptsMinimalModule)
{
    const auto bin = wat_to_wasm(kMinimal);
    ASSERT_TRUE(bin) << bin.error();
    const auto m = load_module(*bin);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->code(), ByteView{*bin});
    EXPECT_EQ(m->code_hash(), keccak256(*bin));
    EXPECT_FALSE(m->metered().empty());
    EXPECT_NE(m->metered(), m->code());  // the metering globals and charges were added
}

TEST(WasmModule, ShapeCountsDefinedFunctionsAndTheMemoryMaximum)
{
    // What a call's entry is priced by: imports are not defined functions, and the memory's
    // maximum (not its initial size) is what a call may reach.
    const auto m = load_wat(R"((module
      (import "env" "caller" (func (param i32)))
      (memory (export "memory") 1 4)
      (func $a) (func $b)
      (func (export "call") (call $a) (call $b))))");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->functions(), 3u);
    EXPECT_EQ(m->max_pages(), 4u);
}

TEST(WasmModule, AcceptsEveryHostFunction)
{
    const auto m = load_wat(R"((module
      (import "env" "storage_read" (func (param i64 i32)))
      (import "env" "storage_write" (func (param i64 i32)))
      (import "env" "caller" (func (param i32)))
      (import "env" "value" (func (param i32)))
      (import "env" "calldata_size" (func (result i32)))
      (import "env" "calldata_copy" (func (param i32 i32 i32)))
      (import "env" "set_return" (func (param i32 i32)))
      (import "env" "revert" (func (param i32 i32)))
      (import "env" "emit_log" (func (param i32 i32 i32 i32)))
      (import "env" "block_number" (func (result i64)))
      (import "env" "block_timestamp" (func (result i64)))
      (import "env" "l1_block_number" (func (result i64)))
      (import "env" "keccak256" (func (param i32 i32 i32)))
      (import "env" "evm_storage_read" (func (param i32 i32 i32)))
      (memory (export "memory") 16 16)
      (table 4 4 funcref)
      (global $g (mut i64) (i64.const 7))
      (func (export "call") (local i64)
        (local.set 0 (i64.extend8_s (global.get $g)))
        (if (i64.eqz (local.get 0)) (then unreachable)))))");
    ASSERT_TRUE(m) << m.error().message;
}

struct Rejection
{
    const char* name;
    std::string_view wat;
    WasmErrorCode code;
    const char* message_part;
};

const Rejection kRejections[] = {
    {"float_op", R"((module (memory (export "memory") 1 1)
        (func (export "call") (drop (i32.trunc_f32_s (f32.add (f32.const 1) (f32.const 2)))))))",
     WasmErrorCode::kFloat, "float"},
    {"f64_load", R"((module (memory (export "memory") 1 1)
        (func (export "call") (drop (i64.reinterpret_f64 (f64.load (i32.const 0)))))))",
     WasmErrorCode::kFloat, "float"},
    {"f32_param", R"((module (memory (export "memory") 1 1)
        (func $f (param f32))
        (func (export "call"))))",
     WasmErrorCode::kFloat, "float"},
    {"f64_result_type", R"((module (memory (export "memory") 1 1)
        (type (func (result f64)))
        (func (export "call"))))",
     WasmErrorCode::kFloat, "float"},
    {"float_local", R"((module (memory (export "memory") 1 1)
        (func (export "call") (local f64))))",
     WasmErrorCode::kFloat, "float local"},
    {"float_global", R"((module (memory (export "memory") 1 1)
        (global f32 (f32.const 0))
        (func (export "call"))))",
     WasmErrorCode::kFloat, "float global"},
    {"too_many_pages", R"((module (memory (export "memory") 17 17)
        (func (export "call"))))",
     WasmErrorCode::kLimits, "pages"},
    {"max_too_large", R"((module (memory (export "memory") 1 100)
        (func (export "call"))))",
     WasmErrorCode::kLimits, "pages"},
    {"no_memory_max", R"((module (memory (export "memory") 1)
        (func (export "call"))))",
     WasmErrorCode::kLimits, "maximum"},
    {"table_too_large", R"((module (memory (export "memory") 1 1)
        (table 2000 funcref)
        (func (export "call"))))",
     WasmErrorCode::kLimits, "table"},
    {"start_function", R"((module (memory (export "memory") 1 1)
        (func $s)
        (start $s)
        (func (export "call"))))",
     WasmErrorCode::kStart, "start"},
    {"unknown_import", R"((module
        (import "env" "self_destruct" (func))
        (memory (export "memory") 1 1)
        (func (export "call"))))",
     WasmErrorCode::kImport, "env.self_destruct"},
    {"import_from_other_module", R"((module
        (import "wasi" "storage_read" (func (param i64 i32)))
        (memory (export "memory") 1 1)
        (func (export "call"))))",
     WasmErrorCode::kImport, "unknown module"},
    {"import_wrong_signature", R"((module
        (import "env" "storage_read" (func (param i32 i32)))
        (memory (export "memory") 1 1)
        (func (export "call"))))",
     WasmErrorCode::kImport, "signature"},
    {"imported_memory", R"((module
        (import "env" "memory" (memory 1 1))
        (export "memory" (memory 0))
        (func (export "call"))))",
     WasmErrorCode::kImport, "only host functions"},
    {"no_call_export", R"((module (memory (export "memory") 1 1)
        (func (export "main"))))",
     WasmErrorCode::kExport, "call"},
    {"call_with_params", R"((module (memory (export "memory") 1 1)
        (func (export "call") (param i32))))",
     WasmErrorCode::kExport, "() -> ()"},
    {"no_memory_export", R"((module (memory 1 1)
        (func (export "call"))))",
     WasmErrorCode::kExport, "memory"},
    {"simd", R"((module (memory (export "memory") 1 1)
        (func (export "call") (drop (i8x16.extract_lane_s 0 (v128.const i64x2 0 0))))))",
     WasmErrorCode::kMalformed, ""},
    {"bulk_memory", R"((module (memory (export "memory") 1 1)
        (func (export "call") (memory.fill (i32.const 0) (i32.const 0) (i32.const 65536)))))",
     WasmErrorCode::kMalformed, ""},
};

TEST(WasmModule, RejectsEachRule)
{
    for (const auto& r : kRejections)
    {
        SCOPED_TRACE(r.name);
        const auto m = load_wat(r.wat);
        ASSERT_FALSE(m);
        EXPECT_EQ(m.error().code, r.code) << m.error().message;
        EXPECT_NE(m.error().message.find(r.message_part), std::string::npos) << m.error().message;
    }
}

TEST(WasmModule, RejectsMalformedBytes)
{
    const Bytes cases[] = {
        Bytes{},
        Bytes{0x00, 0x61, 0x73},                                                  // truncated magic
        Bytes{0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00},                    // version 2
        Bytes{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01},  // cut section
        Bytes{0xde, 0xad, 0xbe, 0xef},
    };
    for (const auto& bytes : cases)
    {
        const auto m = load_module(bytes);
        ASSERT_FALSE(m);
        EXPECT_EQ(m.error().code, WasmErrorCode::kMalformed) << m.error().message;
        EXPECT_NE(m.error().message.find("malformed"), std::string::npos);
    }
    // A bare header parses but lacks the entry point.
    const auto empty = load_module(Bytes{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, WasmErrorCode::kExport);
}

TEST(WasmModule, RejectsInvalidModule)
{
    const auto m = load_wat(R"((module (memory (export "memory") 1 1)
        (func (export "call") (i32.add (i32.const 1) (i64.const 2)) drop)))");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, WasmErrorCode::kInvalid) << m.error().message;
}

TEST(WasmModule, ConfigurableLimits)
{
    ModuleLimits limits;
    limits.max_functions = 1;
    const std::string_view two = R"((module (memory (export "memory") 1 1)
        (func $a) (func (export "call") (call $a))))";
    auto m = load_wat(two, limits);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, WasmErrorCode::kLimits);
    EXPECT_NE(m.error().message.find("too many functions"), std::string::npos);
    EXPECT_TRUE(load_wat(two));

    limits = {};
    limits.max_module_bytes = 10;
    m = load_wat(kMinimal, limits);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, WasmErrorCode::kLimits);

    limits = {};
    limits.max_locals = 3;
    m = load_wat(R"((module (memory (export "memory") 1 1)
        (func (export "call") (local i32 i32 i64 i64))))",
                 limits);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, WasmErrorCode::kLimits);

    limits = {};
    limits.max_memory_pages = 2;
    EXPECT_TRUE(
        load_wat(R"((module (memory (export "memory") 2 2) (func (export "call"))))", limits));
    EXPECT_FALSE(
        load_wat(R"((module (memory (export "memory") 1 3) (func (export "call"))))", limits));
}

TEST(WasmModule, BoundsBlockNesting)
{
    auto nested = [](size_t depth) {
        std::string body;
        for (size_t i = 0; i < depth; ++i)
            body += "(block ";
        body += "nop";
        body += std::string(depth, ')');
        return R"((module (memory (export "memory") 1 1) (func (export "call") )" + body + "))";
    };
    EXPECT_TRUE(load_wat(nested(1024)));
    const auto m = load_wat(nested(1025));
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, WasmErrorCode::kLimits);
    EXPECT_NE(m.error().message.find("nested"), std::string::npos) << m.error().message;
    // Far deeper than a stack survives recursing on (hand-assembled: the WAT parser recurses
    // too): refused by the pre-pass, before any IR exists.
    auto leb = [](Bytes& out, size_t v) {
        do
        {
            const auto b = static_cast<uint8_t>(v & 0x7f);
            v >>= 7;
            out.push_back(v != 0 ? static_cast<uint8_t>(b | 0x80) : b);
        } while (v != 0);
    };
    auto assemble = [&leb](size_t depth) {
        Bytes body{0x00};  // no locals
        for (size_t i = 0; i < depth; ++i)
            body += Bytes{0x02, 0x40};  // block (no result)
        body.append(depth + 1, 0x0b);   // the ends, and the function's
        Bytes code{0x01};
        leb(code, body.size());
        code += body;
        Bytes wasm{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
                   0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // type () -> ()
                   0x03, 0x02, 0x01, 0x00,                          // func 0: type 0
                   0x05, 0x04, 0x01, 0x01, 0x01, 0x01,              // memory 1 1
                   0x07, 0x11, 0x02,                                // exports
                   0x04, 'c',  'a',  'l',  'l',  0x00, 0x00, 0x06, 'm',
                   'e',  'm',  'o',  'r',  'y',  0x02, 0x00, 0x0a};  // code section
        leb(wasm, code.size());
        wasm += code;
        return wasm;
    };
    const auto shallow = load_module(assemble(3));
    EXPECT_TRUE(shallow) << shallow.error().message;
    ModuleLimits limits;
    limits.max_module_bytes = 1 << 21;
    const auto deep = load_module(assemble(300'000), limits);
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, WasmErrorCode::kLimits) << deep.error().message;
}

TEST(WasmModule, WatErrorsAreReported)
{
    const auto bin = wat_to_wasm("(module (func (export \"call\") (i32.nonsense)))");
    ASSERT_FALSE(bin);
    EXPECT_FALSE(bin.error().empty());
}

}  // namespace
}  // namespace l2::execution::wasm
