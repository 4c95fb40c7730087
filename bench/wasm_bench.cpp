// The WASM engine against the EVM on the same algorithm (docs/performance.md "WASM engine"):
// fibonacci mod 2^64 over 10,000 iterations, as hand-assembled EVM bytecode and as WASM
// (examples/wasm/fib.wat), each run through l2node's engines. Counters: gas per call, Mgas/s,
// and for WASM the executed instructions per second. Also the shapes the WASM prices are set
// by (docs/spec/wasm-host.md, "Metering"): a one-instruction loop (per-segment cost), an empty
// call (per-call cost), against the EVM's tightest loop.
#include <benchmark/benchmark.h>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <execution/evm/evm.hpp>
#include <execution/gas_schedule.hpp>
#include <execution/wasm/engine.hpp>
#include <execution/wasm/evm_entry.hpp>
#include <execution/wasm/module.hpp>
#include <state/journaled_state.hpp>
#include <state/keys.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/keccak.hpp>

namespace {

using namespace l2;
using namespace l2::execution;

constexpr uint64_t kIterations = 10'000;
constexpr uint64_t kChainId = 901;
constexpr int64_t kGas = 10'000'000;
const Address kUser = address_literal("000000000000000000000000000000000000ca11");
const Address kEvmFib = address_literal("00000000000000000000000000000000000f1b00");

/// fib mod 2^64 after kIterations steps (a, b) = (b, a + b) from (0, 1): the expected output.
uint64_t fib_reference()
{
    uint64_t a = 0;
    uint64_t b = 1;
    for (uint64_t i = 0; i < kIterations; ++i)
    {
        const uint64_t t = a + b;
        a = b;
        b = t;
    }
    return b;
}

/// The same loop in EVM bytecode, stack [a b i] (i on top); 14 opcodes, 47 gas per iteration:
///   PUSH1 0  PUSH1 1  PUSH2 N
///   7: JUMPDEST SWAP2 DUP2 ADD PUSH8 2^64-1 AND SWAP1 SWAP2 PUSH1 1 SWAP1 SUB DUP1 PUSH1 7 JUMPI
///   POP PUSH1 0 MSTORE POP PUSH1 32 PUSH1 0 RETURN          (returns b as a 32-byte word)
Bytes evm_fib_code()
{
    static_assert(kIterations < 0x10000);
    Bytes c = {0x60, 0x00, 0x60, 0x01, 0x61};  // PUSH1 0  PUSH1 1  PUSH2 N
    c += static_cast<uint8_t>(kIterations >> 8);
    c += static_cast<uint8_t>(kIterations & 0xff);
    const Bytes loop = {0x5b, 0x91, 0x81, 0x01, 0x67, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                        0xff, 0x16, 0x90, 0x91, 0x60, 0x01, 0x90, 0x03, 0x80, 0x60, 0x07, 0x57};
    const Bytes tail = {0x50, 0x60, 0x00, 0x52, 0x50, 0x60, 0x20, 0x60, 0x00, 0xf3};
    return c + loop + tail;
}

Bytes wasm_fib_module()
{
    std::ifstream in(std::string(L2_WASM_EXAMPLES_DIR) + "/fib.wat");
    std::stringstream text;
    text << in.rdbuf();
    auto bin = wasm::wat_to_wasm(text.str());
    if (!bin)
        throw std::runtime_error("fib.wat: " + bin.error());
    return *bin;
}

uint64_t le64(ByteView b)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < b.size(); ++i)
        v |= uint64_t{b[i]} << (8 * i);
    return v;
}

/// A host with nothing in it (the loop only calls set_return).
class NullHost final : public wasm::HostContext
{
public:
    const wasm::CallEnv& env() const noexcept override { return m_env; }
    Hash storage_read(uint64_t) noexcept override { return {}; }
    bool storage_write(uint64_t, const Hash&) noexcept override { return true; }
    bool emit_log(std::span<const Hash>, ByteView) noexcept override { return true; }
    Hash evm_storage_read(const Address&, const Hash&) noexcept override { return {}; }
    Result<Hash, std::string> l1_sload(const Address&, const Hash&) noexcept override { return Hash{}; }

private:
    wasm::CallEnv m_env;
};

/// One EVM over an in-memory state, with the fib contract (and optionally the WASM module).
struct Chain
{
    Chain()
    {
        block.number = 1;
        block.gas_limit = 30'000'000;
        block.chain_id = kChainId;
        tx.origin = kUser;
        st.set_code(kEvmFib, evm_fib_code());
    }

    evm::CallResult call(const Address& to, ByteView input)
    {
        evm::Message msg;
        msg.kind = evm::CallKind::kCall;
        msg.gas = kGas;
        msg.sender = kUser;
        msg.recipient = msg.code_address = to;
        msg.input = input;
        return vm.call(msg);
    }

    state::MemoryStore kv;
    state::StateDb db{kv};
    state::JournaledState st{db};
    evm::BlockContext block;
    evm::TxContext tx;
    GasSchedule gas = cancun_schedule();
    evm::Evm vm{st, block, tx, gas, Revision::kCancun, true};
};

Bytes abi_word(uint64_t v)
{
    return to_be_word(U256{v});
}

/// deploy(string name, uint64 version, bytes module) calldata.
Bytes deploy_input(std::string_view name, uint64_t version, ByteView module)
{
    const auto padded = [](ByteView b) {
        Bytes out = abi_word(b.size());
        out += b;
        out.append((32 - b.size() % 32) % 32, 0);
        return out;
    };
    const Hash sel = keccak256(as_view(std::string_view{"deploy(string,uint64,bytes)"}));
    const Bytes name_tail = padded(as_view(name));
    Bytes in{sel.data(), 4};
    in += abi_word(96);
    in += abi_word(version);
    in += abi_word(96 + name_tail.size());
    in += name_tail;
    in += padded(module);
    return in;
}

/// Gas per second as "Mgas/s", for `gas` used per iteration.
void report_rate(benchmark::State& state, double gas)
{
    state.counters["Mgas/s"] =
        benchmark::Counter(gas / 1e6, benchmark::Counter::kIsIterationInvariantRate);
}

/// A module from WebAssembly text, or nullopt with the bench skipped.
std::optional<wasm::Module> wat_module(benchmark::State& state, std::string_view wat)
{
    auto bin = wasm::wat_to_wasm(wat);
    auto module = bin ? wasm::load_module(*bin, {}) : unexpected(wasm::WasmError{});
    if (!module)
    {
        state.SkipWithError("the bench's module does not load");
        return std::nullopt;
    }
    return std::move(*module);
}

void report(benchmark::State& state, int64_t gas_used)
{
    const auto gas = static_cast<double>(gas_used);
    state.counters["gas"] = gas;
    report_rate(state, gas);
    state.counters["iter/s"] = benchmark::Counter(static_cast<double>(kIterations),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

void BM_fib_evm(benchmark::State& state)
{
    Chain chain;
    int64_t gas_used = 0;
    for (auto _ : state)
    {
        const auto r = chain.call(kEvmFib, {});
        if (r.status != evm::Status::kSuccess || r.output.size() != 32 ||
            from_be_bytes(r.output) != U256{fib_reference()})
        {
            state.SkipWithError("EVM fib failed");
            return;
        }
        gas_used = kGas - r.gas_left;
    }
    report(state, gas_used);
}
BENCHMARK(BM_fib_evm)->Unit(benchmark::kMicrosecond);

void BM_fib_wasm(benchmark::State& state)
{
    auto module = wasm::load_module(wasm_fib_module(), {});
    if (!module)
    {
        state.SkipWithError(module.error().message.c_str());
        return;
    }
    const GasSchedule schedule = cancun_schedule();
    NullHost host;
    int64_t gas_used = 0;
    for (auto _ : state)
    {
        const auto r = wasm::execute(*module, host, static_cast<uint64_t>(kGas), schedule);
        if (!r || r->status != wasm::CallStatus::kSuccess || le64(r->output) != fib_reference())
        {
            state.SkipWithError("WASM fib failed");
            return;
        }
        gas_used = static_cast<int64_t>(r->gas_used);
    }
    report(state, gas_used);
    // The instructions executed (metering excluded): the gas of a run priced at one per
    // instruction and nothing else.
    GasSchedule counting = schedule;
    counting.wasm_instruction = 1;
    counting.wasm_segment = 0;
    counting.wasm_call_base = 0;
    counting.wasm_host_call = 0;
    counting.wasm_copy_word = 0;
    const auto counted = wasm::execute(*module, host, static_cast<uint64_t>(kGas), counting);
    const auto instructions = counted ? static_cast<int64_t>(counted->gas_used) : 0;
    state.counters["instr"] = static_cast<double>(instructions);
    state.counters["Minstr/s"] = benchmark::Counter(static_cast<double>(instructions) / 1e6,
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_fib_wasm)->Unit(benchmark::kMicrosecond);

/// The module deployed through 0x20001 and called through the EVM, as a transaction would:
/// adds the identity's code lookup and the module cache to BM_fib_wasm.
void BM_fib_wasm_via_evm(benchmark::State& state)
{
    Chain chain;
    const auto dep = chain.call(wasm::kDeployerAddress, deploy_input("fib", 1, wasm_fib_module()));
    if (dep.status != evm::Status::kSuccess)
    {
        state.SkipWithError("deploy failed");
        return;
    }
    const Address id = state::wasm_identity(kChainId, "fib", 1);
    int64_t gas_used = 0;
    for (auto _ : state)
    {
        const auto r = chain.call(id, {});
        if (r.status != evm::Status::kSuccess || le64(r.output) != fib_reference())
        {
            state.SkipWithError("WASM fib through the EVM failed");
            return;
        }
        gas_used = kGas - r.gas_left;
    }
    report(state, gas_used);
}
BENCHMARK(BM_fib_wasm_via_evm)->Unit(benchmark::kMicrosecond);

/// Calls that do nothing in modules as large as ModuleLimits admits, one dimension at a time:
/// what a call costs that no instruction count sees (instantiating the module), for pricing
/// wasm_call_function, wasm_call_page and wasm_call_word (docs/spec/wasm-host.md, "Metering").
std::string functions_wat(size_t functions, size_t pairs_per_function, unsigned pages)
{
    std::string wat = "(module (memory (export \"memory\") " + std::to_string(pages) + " " +
                      std::to_string(pages) + ")\n";
    for (size_t f = 0; f < functions; ++f)
    {
        wat += "(func (result i64) (i64.const 1)";
        for (size_t i = 0; i < pairs_per_function; ++i)
            wat += " (i64.const 77777) (i64.add)";
        wat += ")\n";
    }
    wat += "(func (export \"call\")))";
    return wat;
}
std::string data_wat(size_t bytes, unsigned pages)
{
    std::string wat = "(module (memory (export \"memory\") " + std::to_string(pages) + " " +
                      std::to_string(pages) + ")\n(data (i32.const 0) \"";
    for (size_t i = 0; i < bytes; ++i)
        wat += static_cast<char>('a' + i % 26);
    wat += "\")\n(func (export \"call\")))";
    return wat;
}
/// The modules whose call cost (run_instance_cost) and load cost (run_load_cost, a module
/// cache miss) are set side by side in docs/performance.md.
const std::string kEmptyModule =
    R"((module (memory (export "memory") 1 1) (func (export "call"))))";
/// 1,000 functions of 40 additions (~234 KB metered) and 16 pages: the widest mix.
const std::string kLargeModule = functions_wat(1000, 40, 16);
/// One function of 21,000 additions (~105 KB), one page: the most code per entry gas.
const std::string kCodeBytesModule = functions_wat(1, 21'000, 1);

void run_instance_cost(benchmark::State& state, const std::string& wat)
{
    const auto module = wat_module(state, wat);
    if (!module)
        return;
    const GasSchedule schedule = cancun_schedule();
    NullHost host;
    uint64_t gas_used = 0;
    for (auto _ : state)
    {
        const auto r = wasm::execute(*module, host, 10'000'000, schedule);
        gas_used = r ? r->gas_used : 0;
        benchmark::DoNotOptimize(r);
    }
    state.counters["gas"] = static_cast<double>(gas_used);
    state.counters["module_bytes"] = static_cast<double>(module->metered().size());
    report_rate(state, static_cast<double>(gas_used));
}
/// The fixed cost of a call: an empty `call` (instantiating the metered module, running it)
/// against an EVM call to a contract that is one STOP; for WASM also the gas it is charged per
/// second of that work (what the call's entry has to cover).
void BM_empty_call_wasm(benchmark::State& state)
{
    run_instance_cost(state, kEmptyModule);
}
BENCHMARK(BM_empty_call_wasm)->Unit(benchmark::kMicrosecond);

/// The widest mix (kLargeModule).
void BM_large_empty_call_wasm(benchmark::State& state)
{
    run_instance_cost(state, kLargeModule);
}
BENCHMARK(BM_large_empty_call_wasm)->Unit(benchmark::kMicrosecond);
/// Per function: 1,023 trivial functions (max_functions), one page.
void BM_empty_call_wasm_functions(benchmark::State& state)
{
    run_instance_cost(state, functions_wat(1023, 0, 1));
}
BENCHMARK(BM_empty_call_wasm_functions)->Unit(benchmark::kMicrosecond);
/// Per page: an empty module with 16 pages (max_memory_pages).
void BM_empty_call_wasm_pages(benchmark::State& state)
{
    run_instance_cost(state, functions_wat(0, 0, 16));
}
BENCHMARK(BM_empty_call_wasm_pages)->Unit(benchmark::kMicrosecond);
/// Per byte of code (kCodeBytesModule).
void BM_empty_call_wasm_code_bytes(benchmark::State& state)
{
    run_instance_cost(state, kCodeBytesModule);
}
BENCHMARK(BM_empty_call_wasm_code_bytes)->Unit(benchmark::kMicrosecond);
/// What a module cache miss costs (execution/wasm/module_cache.hpp): load_module of the
/// deployed bytes (parse, validate, meter, parse the metered module), against the call's entry
/// gas, which covers instantiation only; and the bytes the cache charges for the module.
void run_load_cost(benchmark::State& state, const std::string& wat)
{
    const auto wasm = wasm::wat_to_wasm(wat);
    if (!wasm)
    {
        state.SkipWithError(wasm.error().c_str());
        return;
    }
    size_t footprint = 0;
    for (auto _ : state)
    {
        auto m = wasm::load_module(*wasm);
        if (!m)
        {
            state.SkipWithError(m.error().message.c_str());
            return;
        }
        footprint = m->footprint();
        benchmark::DoNotOptimize(m);
    }
    state.counters["code_bytes"] = static_cast<double>(wasm->size());
    state.counters["footprint"] = static_cast<double>(footprint);
}
void BM_load_wasm_large(benchmark::State& state)
{
    run_load_cost(state, kLargeModule);
}
BENCHMARK(BM_load_wasm_large)->Unit(benchmark::kMicrosecond);
void BM_load_wasm_code_bytes(benchmark::State& state)
{
    run_load_cost(state, kCodeBytesModule);
}
BENCHMARK(BM_load_wasm_code_bytes)->Unit(benchmark::kMicrosecond);
void BM_load_wasm_empty(benchmark::State& state)
{
    run_load_cost(state, kEmptyModule);
}
BENCHMARK(BM_load_wasm_empty)->Unit(benchmark::kMicrosecond);

/// Per byte of data: a 240 KB data segment copied into 4 pages at every instantiation.
void BM_empty_call_wasm_data_bytes(benchmark::State& state)
{
    run_instance_cost(state, data_wat(240'000, 4));
}
BENCHMARK(BM_empty_call_wasm_data_bytes)->Unit(benchmark::kMicrosecond);

/// Per table element: a 1,024-element table (max_table_elements) filled by an element segment.
void BM_empty_call_wasm_table(benchmark::State& state)
{
    std::string wat = R"((module (memory (export "memory") 1 1) (table 1024 1024 funcref)
      (func $f) (elem (i32.const 0))";
    for (int i = 0; i < 1024; ++i)
        wat += " $f";
    wat += R"() (func (export "call"))))";
    run_instance_cost(state, wat);
}
BENCHMARK(BM_empty_call_wasm_table)->Unit(benchmark::kMicrosecond);

/// The cheapest host functions in a loop (10,000 calls): what `wasm_host_call` has to cover.
/// `calldata_size` returns a value; `caller` also writes 20 bytes into memory.
void run_host_loop(benchmark::State& state, std::string_view body)
{
    const std::string wat = std::string{R"((module
      (import "env" "calldata_size" (func $calldata_size (result i32)))
      (import "env" "caller" (func $caller (param i32)))
      (memory (export "memory") 1 1)
      (func (export "call") (local $i i32)
        (local.set $i (i32.const 10000))
        (loop $l
          )"} + std::string{body} + R"(
          (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))))";
    run_instance_cost(state, wat);
}
void BM_host_call_wasm_calldata_size(benchmark::State& state)
{
    run_host_loop(state, "(drop (call $calldata_size))");
}
BENCHMARK(BM_host_call_wasm_calldata_size)->Unit(benchmark::kMicrosecond);
void BM_host_call_wasm_caller(benchmark::State& state)
{
    run_host_loop(state, "(call $caller (i32.const 0))");
}
BENCHMARK(BM_host_call_wasm_caller)->Unit(benchmark::kMicrosecond);

/// The metering's worst case: a loop of one instruction (`loop br end`), run until out of gas.
/// Each iteration is one segment of one charged instruction (and 12 metering ones), so gas per
/// second is what the per-segment cost has to cover. 2M gas per call.
void BM_spin_wasm(benchmark::State& state)
{
    const auto module = wat_module(
        state, R"((module (memory (export "memory") 1 1) (func (export "call") (loop $l (br $l)))))");
    if (!module)
        return;
    const GasSchedule schedule = cancun_schedule();
    NullHost host;
    constexpr uint64_t kSpinGas = 2'000'000;
    for (auto _ : state)
    {
        const auto r = wasm::execute(*module, host, kSpinGas, schedule);
        if (!r || r->status != wasm::CallStatus::kOutOfGas)
        {
            state.SkipWithError("WASM spin did not run out of gas");
            return;
        }
    }
    report_rate(state, static_cast<double>(kSpinGas));
}
BENCHMARK(BM_spin_wasm)->Unit(benchmark::kMicrosecond);

/// The EVM's tightest loop, for comparison: JUMPDEST PUSH1 0 JUMP (12 gas), run until out of
/// gas (kGas per call).
void BM_spin_evm(benchmark::State& state)
{
    Chain chain;
    const Address spin = address_literal("000000000000000000000000000000000000095e");
    chain.st.set_code(spin, Bytes{0x5b, 0x60, 0x00, 0x56});
    for (auto _ : state)
    {
        const auto r = chain.call(spin, {});
        if (r.status != evm::Status::kOutOfGas)
        {
            state.SkipWithError("EVM spin did not run out of gas");
            return;
        }
    }
    report_rate(state, static_cast<double>(kGas));
}
BENCHMARK(BM_spin_evm)->Unit(benchmark::kMicrosecond);

void BM_empty_call_evm(benchmark::State& state)
{
    Chain chain;
    const Address stop = address_literal("00000000000000000000000000000000000057e0");
    chain.st.set_code(stop, Bytes{0x00});
    for (auto _ : state)
        benchmark::DoNotOptimize(chain.call(stop, {}));
}
BENCHMARK(BM_empty_call_evm)->Unit(benchmark::kMicrosecond);

}  // namespace
