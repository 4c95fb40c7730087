#pragma once
// Shared by the wasm_*_test.cpp files: WAT -> Module and a map-backed HostContext.

#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <execution/wasm/host.hpp>
#include <execution/wasm/module.hpp>

namespace l2::execution::wasm::test {

/// Compiles `wat` (which must parse) and loads it with `limits`.
inline Result<Module, WasmError> load_wat(std::string_view wat, const ModuleLimits& limits = {})
{
    auto bin = wat_to_wasm(wat);
    EXPECT_TRUE(bin) << (bin ? "" : bin.error());
    if (!bin)
        return unexpected(WasmError{WasmErrorCode::kMalformed, "WAT does not parse"});
    return load_module(*bin, limits);
}

struct Log
{
    std::vector<Hash> topics;
    Bytes data;
};

/// Storage, logs and EVM slots in maps.
class FakeHost final : public HostContext
{
public:
    CallEnv call_env;
    std::map<uint64_t, Hash> storage;
    std::vector<Log> logs;
    std::map<std::pair<Address, Hash>, Hash> evm_storage;
    int evm_reads = 0;
    bool read_only = false;  ///< refuse writes and logs, as a static call does

    const CallEnv& env() const noexcept override { return call_env; }
    Hash storage_read(uint64_t slot) noexcept override
    {
        const auto it = storage.find(slot);
        return it == storage.end() ? Hash{} : it->second;
    }
    bool storage_write(uint64_t slot, const Hash& value) noexcept override
    {
        if (read_only)
            return false;
        storage[slot] = value;
        return true;
    }
    bool emit_log(std::span<const Hash> topics, ByteView data) noexcept override
    {
        if (read_only)
            return false;
        logs.push_back({{topics.begin(), topics.end()}, Bytes{data}});
        return true;
    }
    Hash evm_storage_read(const Address& address, const Hash& key) noexcept override
    {
        ++evm_reads;
        const auto it = evm_storage.find({address, key});
        return it == evm_storage.end() ? Hash{} : it->second;
    }
    /// l1_sload answers from `l1_storage`; `l1_down` makes it fail as an unreachable L1.
    std::map<std::pair<Address, Hash>, Hash> l1_storage;
    bool l1_down = false;
    Result<Hash, std::string> l1_sload(const Address& address, const Hash& key) noexcept override
    {
        if (l1_down)
            return unexpected(std::string{"L1 down"});
        const auto it = l1_storage.find({address, key});
        return it == l1_storage.end() ? Hash{} : it->second;
    }
};

}  // namespace l2::execution::wasm::test
