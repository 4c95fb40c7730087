// Random bytes as a WASM module (issue 7): load_module must refuse or accept without crashing;
// an accepted module is run twice with a small gas limit against an in-memory host, and both runs
// must agree (status, gas, output, effects) with gas used within the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <vector>

#include <execution/gas_schedule.hpp>
#include <execution/wasm/engine.hpp>
#include <execution/wasm/host.hpp>
#include <execution/wasm/module.hpp>

using namespace l2;
using namespace l2::execution;

namespace {

class FuzzHost final : public wasm::HostContext
{
public:
    wasm::CallEnv call_env;
    std::map<uint64_t, Hash> storage;
    size_t log_bytes = 0;

    const wasm::CallEnv& env() const noexcept override { return call_env; }
    Hash storage_read(uint64_t slot) noexcept override
    {
        const auto it = storage.find(slot);
        return it == storage.end() ? Hash{} : it->second;
    }
    bool storage_write(uint64_t slot, const Hash& value) noexcept override
    {
        storage[slot] = value;
        return true;
    }
    bool emit_log(std::span<const Hash> topics, ByteView data) noexcept override
    {
        log_bytes += 32 * topics.size() + data.size();
        return true;
    }
    Hash evm_storage_read(const Address& address, const Hash& key) noexcept override
    {
        Hash h = key;
        h[0] = address[0];
        return h;
    }
    /// L1 answers every other key and is "down" for the rest: both paths get exercised.
    Result<Hash, std::string> l1_sload(const Address& address, const Hash& key) noexcept override
    {
        if ((key[31] & 1) != 0)
            return unexpected(std::string{"L1 unavailable (fuzz host)"});
        Hash h = key;
        h[1] = address[19];
        return h;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const GasSchedule gas = cancun_schedule();
    // Bounds the work per input: ~50k instructions at the default prices.
    constexpr uint64_t kGasLimit = 200'000;

    const auto module = wasm::load_module(ByteView{data, size});
    if (!module)
    {
        if (module.error().message.empty())
            std::abort();
        return 0;
    }
    const Bytes calldata{data, size < 64 ? size : 64};
    FuzzHost a;
    FuzzHost b;
    a.call_env.calldata = b.call_env.calldata = calldata;
    const auto ra = wasm::execute(*module, a, kGasLimit, gas);
    const auto rb = wasm::execute(*module, b, kGasLimit, gas);
    if (!ra || !rb)  // a loaded module always runs
        std::abort();
    if (ra->gas_used > kGasLimit || ra->status != rb->status || ra->gas_used != rb->gas_used ||
        ra->output != rb->output || a.storage != b.storage || a.log_bytes != b.log_bytes)
        std::abort();
    if (ra->status == wasm::CallStatus::kOutOfGas && ra->gas_used != kGasLimit)
        std::abort();
    return 0;
}
