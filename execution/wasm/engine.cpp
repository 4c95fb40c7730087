#include "engine.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <txtypes/keccak.hpp>

#include "wabt_bridge.hpp"

namespace l2::execution::wasm {
namespace {

using bridge::HostCall;
using bridge::HostFn;
using bridge::HostStatus;

constexpr uint64_t kMaxTopics = 4;

/// A schedule cost as an unsigned amount (the gas table keeps costs in [0, 2^31 - 1]).
uint64_t cost(int64_t c) noexcept
{
    return c > 0 ? static_cast<uint64_t>(c) : 0;
}

uint64_t words(uint64_t len) noexcept
{
    return (len + 31) / 32;
}

/// The host API over a HostContext: charges, checks memory bounds, then does the work.
class Dispatcher final : public bridge::HostDispatcher
{
public:
    Dispatcher(HostContext& host, const GasSchedule& gs) noexcept : m_host{host}, m_gs{gs} {}

    HostStatus dispatch(HostCall& c, std::string& message) noexcept override;

    Bytes output;  ///< set_return / revert data
    bool l1_unavailable = false;  ///< l1_sload failed: the trap aborts the transaction

private:
    HostStatus dispatch_memory_fn(HostCall& c, std::string& message) noexcept;

    static bool charge(HostCall& c, uint64_t gas) noexcept
    {
        if (c.gas_left < gas)
            return false;
        c.gas_left -= gas;
        return true;
    }

    /// [ptr, ptr + len) inside the linear memory.
    static bool in_bounds(const HostCall& c, uint64_t ptr, uint64_t len) noexcept
    {
        return ptr <= c.memory_size && len <= c.memory_size - ptr;
    }

    static void write_word(HostCall& c, uint64_t ptr, const uint8_t* data, size_t n) noexcept
    {
        std::memcpy(c.memory + ptr, data, n);
    }

    HostContext& m_host;
    const GasSchedule& m_gs;
};

HostStatus Dispatcher::dispatch(HostCall& c, std::string& message) noexcept
{
    const auto& env = m_host.env();
    const uint64_t base = cost(m_gs.wasm_host_call);
    switch (c.fn)
    {
        case HostFn::kCalldataSize:
            if (!charge(c, base))
                return HostStatus::kOutOfGas;
            c.result = env.calldata.size();
            return HostStatus::kOk;
        case HostFn::kBlockNumber:
            if (!charge(c, base))
                return HostStatus::kOutOfGas;
            c.result = env.block_number;
            return HostStatus::kOk;
        case HostFn::kBlockTimestamp:
            if (!charge(c, base))
                return HostStatus::kOutOfGas;
            c.result = env.block_timestamp;
            return HostStatus::kOk;
        case HostFn::kL1BlockNumber:
            if (!charge(c, base))
                return HostStatus::kOutOfGas;
            c.result = env.l1_block_number;
            return HostStatus::kOk;
        default:
            return dispatch_memory_fn(c, message);
    }
}

HostStatus Dispatcher::dispatch_memory_fn(HostCall& c, std::string& message) noexcept
{
    const auto& env = m_host.env();
    const uint64_t base = cost(m_gs.wasm_host_call);
    const auto& a = c.args;
    // Gas first (what a failing call costs is deterministic), then bounds, then the work.
    uint64_t gas = 0;
    switch (c.fn)
    {
        case HostFn::kStorageRead:
            gas = cost(m_gs.wasm_storage_read);
            break;
        case HostFn::kStorageWrite:
            gas = cost(m_gs.wasm_storage_write);
            break;
        case HostFn::kEvmStorageRead:
            gas = cost(m_gs.wasm_evm_storage_read);
            break;
        case HostFn::kL1Sload:
            gas = cost(m_gs.l1sload_base) + cost(m_gs.l1sload_per_key);
            break;
        case HostFn::kCaller:
        case HostFn::kValue:
            gas = base;
            break;
        case HostFn::kCalldataCopy:
            gas = base + cost(m_gs.wasm_copy_word) * words(a[2]);
            break;
        case HostFn::kSetReturn:
        case HostFn::kRevert:
            gas = base + cost(m_gs.wasm_copy_word) * words(a[1]);
            break;
        case HostFn::kEmitLog:
            if (a[1] > kMaxTopics)
            {
                message = "emit_log: more than 4 topics";
                return HostStatus::kTrap;
            }
            gas = cost(m_gs.wasm_log_base) + cost(m_gs.wasm_log_topic) * a[1] +
                  cost(m_gs.wasm_log_data_byte) * a[3];
            break;
        case HostFn::kKeccak256:
            gas = cost(m_gs.wasm_keccak_base) + cost(m_gs.wasm_keccak_word) * words(a[1]);
            break;
        default:
            message = "unknown host function";
            return HostStatus::kTrap;
    }
    if (!charge(c, gas))
        return HostStatus::kOutOfGas;

    auto oob = [&message](const char* fn) {
        message = std::string(fn) + ": memory access out of bounds";
        return HostStatus::kTrap;
    };
    switch (c.fn)
    {
        case HostFn::kStorageRead: {
            if (!in_bounds(c, a[1], 32))
                return oob("storage_read");
            const Hash v = m_host.storage_read(a[0]);
            write_word(c, a[1], v.data(), 32);
            return HostStatus::kOk;
        }
        case HostFn::kStorageWrite: {
            if (!in_bounds(c, a[1], 32))
                return oob("storage_write");
            Hash v;
            std::memcpy(v.data(), c.memory + a[1], 32);
            if (!m_host.storage_write(a[0], v))
            {
                message = "storage_write: not allowed in a static call";
                return HostStatus::kTrap;
            }
            return HostStatus::kOk;
        }
        case HostFn::kCaller:
            if (!in_bounds(c, a[0], 20))
                return oob("caller");
            write_word(c, a[0], env.caller.data(), 20);
            return HostStatus::kOk;
        case HostFn::kValue: {
            if (!in_bounds(c, a[0], 32))
                return oob("value");
            std::array<uint8_t, 32> be{};
            to_be_bytes(env.value, be.data());
            write_word(c, a[0], be.data(), 32);
            return HostStatus::kOk;
        }
        case HostFn::kCalldataCopy: {
            // calldata_copy(out_ptr, offset, len): bytes past the end of calldata read as zero.
            if (!in_bounds(c, a[0], a[2]))
                return oob("calldata_copy");
            const uint64_t size = env.calldata.size();
            const uint64_t from = a[1] < size ? a[1] : size;
            const uint64_t n = a[2] < size - from ? a[2] : size - from;
            if (n != 0)
                std::memcpy(c.memory + a[0], env.calldata.data() + from, n);
            if (a[2] > n)
                std::memset(c.memory + a[0] + n, 0, a[2] - n);
            return HostStatus::kOk;
        }
        case HostFn::kSetReturn:
        case HostFn::kRevert: {
            const bool revert = c.fn == HostFn::kRevert;
            if (!in_bounds(c, a[0], a[1]))
                return oob(revert ? "revert" : "set_return");
            output.assign(c.memory + a[0], a[1]);
            return revert ? HostStatus::kRevert : HostStatus::kOk;
        }
        case HostFn::kEmitLog: {
            // emit_log(topics_ptr, topic_count, data_ptr, data_len)
            if (!in_bounds(c, a[0], 32 * a[1]) || !in_bounds(c, a[2], a[3]))
                return oob("emit_log");
            std::array<Hash, kMaxTopics> topics{};
            for (uint64_t i = 0; i < a[1]; ++i)
                std::memcpy(topics[i].data(), c.memory + a[0] + 32 * i, 32);
            if (!m_host.emit_log(std::span<const Hash>{topics.data(), a[1]},
                                 ByteView{c.memory + a[2], a[3]}))
            {
                message = "emit_log: not allowed in a static call";
                return HostStatus::kTrap;
            }
            return HostStatus::kOk;
        }
        case HostFn::kKeccak256: {
            // keccak256(ptr, len, out_ptr)
            if (!in_bounds(c, a[0], a[1]) || !in_bounds(c, a[2], 32))
                return oob("keccak256");
            const Hash h = keccak256(ByteView{c.memory + a[0], a[1]});
            write_word(c, a[2], h.data(), 32);
            return HostStatus::kOk;
        }
        case HostFn::kEvmStorageRead: {
            // evm_storage_read(addr_ptr, key_ptr, out_ptr)
            if (!in_bounds(c, a[0], 20) || !in_bounds(c, a[1], 32) || !in_bounds(c, a[2], 32))
                return oob("evm_storage_read");
            Address addr;
            Hash key;
            std::memcpy(addr.data(), c.memory + a[0], 20);
            std::memcpy(key.data(), c.memory + a[1], 32);
            const Hash v = m_host.evm_storage_read(addr, key);
            write_word(c, a[2], v.data(), 32);
            return HostStatus::kOk;
        }
        case HostFn::kL1Sload: {
            // l1_sload(addr_ptr, key_ptr, out_ptr)
            if (!in_bounds(c, a[0], 20) || !in_bounds(c, a[1], 32) || !in_bounds(c, a[2], 32))
                return oob("l1_sload");
            Address addr;
            Hash key;
            std::memcpy(addr.data(), c.memory + a[0], 20);
            std::memcpy(key.data(), c.memory + a[1], 32);
            auto v = m_host.l1_sload(addr, key);
            if (!v)
            {
                message = std::move(v.error());
                l1_unavailable = true;
                return HostStatus::kTrap;
            }
            write_word(c, a[2], v->data(), 32);
            return HostStatus::kOk;
        }
        default:
            message = "unknown host function";
            return HostStatus::kTrap;
    }
}

}  // namespace

Result<CallOutcome, WasmError> execute(const Module& module,
                                       HostContext& host,
                                       uint64_t gas_limit,
                                       const GasSchedule& schedule) noexcept
{
    CallOutcome out;
    // Every call first pays for its instance: instantiating the metered module is work no
    // instruction count covers, and it grows with the functions the module defines and the
    // memory it may reach (costs < 2^31, functions and pages < 2^17: no overflow).
    const uint64_t limit = std::min(gas_limit, bridge::kMaxGasLimit);
    const uint64_t entry = cost(schedule.wasm_call_base) +
                           cost(schedule.wasm_call_function) * module.functions() +
                           cost(schedule.wasm_call_page) * module.max_pages();
    if (limit < entry)
    {
        out.status = CallStatus::kOutOfGas;
        out.message = "out of gas";
        out.gas_used = gas_limit;
        return out;
    }
    Dispatcher dispatcher{host, schedule};
    const bridge::RunResult r =
        bridge::run(module.prepared(), dispatcher, limit - entry, cost(schedule.wasm_instruction),
                    cost(schedule.wasm_segment));
    switch (r.status)
    {
        case bridge::RunStatus::kBadModule:
            return unexpected(WasmError{WasmErrorCode::kInvalid, r.message});
        case bridge::RunStatus::kOk:
            out.status = CallStatus::kSuccess;
            out.output = std::move(dispatcher.output);
            break;
        case bridge::RunStatus::kRevert:
            out.status = CallStatus::kRevert;
            out.output = std::move(dispatcher.output);
            break;
        case bridge::RunStatus::kTrap:
            out.status =
                dispatcher.l1_unavailable ? CallStatus::kL1Unavailable : CallStatus::kTrap;
            out.message = r.message;
            break;
        case bridge::RunStatus::kOutOfGas:
            out.status = CallStatus::kOutOfGas;
            out.message = r.message;
            break;
    }
    out.gas_used = r.status == bridge::RunStatus::kOutOfGas ? gas_limit : limit - r.gas_left;
    return out;
}

}  // namespace l2::execution::wasm
