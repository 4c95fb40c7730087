#include "evm_entry.hpp"

#include <array>
#include <string>

#include <state/account.hpp>
#include <state/keys.hpp>
#include <txtypes/block.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/uint256.hpp>

#include "../l1sload.hpp"
#include "module_cache.hpp"

namespace l2::execution::wasm {
namespace {

Hash word_of(const U256& v) noexcept
{
    Hash h;
    to_be_bytes(v, h.data());
    return h;
}

/// The HostContext of a module over the block's state: its slots live under its identity.
class StateHost final : public HostContext
{
public:
    StateHost(const EvmFrame& frame, const Address& identity) noexcept
        : m_frame{frame}, m_identity{identity}
    {}

    const CallEnv& env() const noexcept override { return m_frame.env; }
    Hash storage_read(uint64_t slot) noexcept override
    {
        return word_of(m_frame.state.storage(m_identity, U256{slot}));
    }
    bool storage_write(uint64_t slot, const Hash& value) noexcept override
    {
        if (m_frame.is_static)
            return false;
        m_frame.state.set_storage(m_identity, U256{slot}, from_be_bytes(value.view()));
        return true;
    }
    bool emit_log(std::span<const Hash> topics, ByteView data) noexcept override
    {
        if (m_frame.is_static)
            return false;
        m_frame.logs.push_back({m_identity, {topics.begin(), topics.end()}, Bytes{data}});
        return true;
    }
    Hash evm_storage_read(const Address& address, const Hash& key) noexcept override
    {
        // Only EVM accounts: a WASM identity's slots are read through its own host API.
        if (m_frame.state.engine(address) != state::Engine::kEvm)
            return Hash{};
        return word_of(m_frame.state.storage(address, from_be_bytes(key.view())));
    }
    Result<Hash, std::string> l1_sload(const Address& address, const Hash& key) noexcept override
    {
        const CallEnv& e = m_frame.env;
        if (e.l1_storage == nullptr)
            return unexpected(std::string{"L1SLOAD: this node has no L1 storage reader"});
        try
        {
            auto v = e.l1_storage->load(address, std::span<const Hash>{&key, 1},
                                        e.l1_block_number, e.l1_block_hash);
            if (!v)
                return unexpected(std::move(v.error()));
            if (v->size() != 1)
                return unexpected(std::string{"L1SLOAD: wrong number of values"});
            return v->front();
        }
        catch (const std::exception& ex)  // allocation failure in the reader: not a revert
        {
            return unexpected(std::string{"L1SLOAD: "} + ex.what());
        }
    }

private:
    const EvmFrame& m_frame;
    Address m_identity;
};

/// Loaded modules, shared by every thread (module_cache.hpp): each is loaded and parsed once
/// per process until evicted.
ModuleCache g_modules;

FrameResult revert(int64_t gas_left, std::string_view reason)
{
    // Error(string): selector 0x08c379a0, offset, length, padded bytes.
    Bytes out{0x08, 0xc3, 0x79, 0xa0};
    out += to_be_word(U256{32});
    out += to_be_word(U256{reason.size()});
    out += as_view(reason);
    out.append((32 - reason.size() % 32) % 32, 0);
    return {CallStatus::kRevert, gas_left, std::move(out)};
}

std::array<uint8_t, 4> selector_of(std::string_view signature) noexcept
{
    const Hash h = keccak256(as_view(signature));
    return {h[0], h[1], h[2], h[3]};
}

bool has_selector(ByteView input, const std::array<uint8_t, 4>& sel) noexcept
{
    return input.size() >= 4 && ByteView{input.data(), 4} == ByteView{sel.data(), 4};
}

/// The ABI word at `pos` of `args` as a u64 (false when out of range or >= 2^64).
bool word_u64(ByteView args, uint64_t pos, uint64_t& out) noexcept
{
    if (pos > args.size() || args.size() - pos < 32)
        return false;
    for (size_t i = 0; i < 24; ++i)
        if (args[pos + i] != 0)
            return false;
    out = 0;
    for (size_t i = 24; i < 32; ++i)
        out = (out << 8) | args[pos + i];
    return true;
}

/// The `bytes`/`string` whose offset is head word `index`.
bool dynamic_arg(ByteView args, uint64_t index, ByteView& out) noexcept
{
    uint64_t offset = 0;
    uint64_t len = 0;
    if (!word_u64(args, 32 * index, offset) || !word_u64(args, offset, len))
        return false;
    const uint64_t start = offset + 32;  // word_u64 checked offset + 32 <= size
    if (len > args.size() - start)
        return false;
    out = args.substr(start, len);
    return true;
}

FrameResult from_outcome(CallOutcome&& o, int64_t gas)
{
    const auto left = gas - static_cast<int64_t>(o.gas_used);
    switch (o.status)
    {
        case CallStatus::kSuccess:
        case CallStatus::kRevert:
            return {o.status, left, std::move(o.output)};
        case CallStatus::kTrap:
            return {CallStatus::kTrap, left, {}};
        case CallStatus::kOutOfGas:
            break;
        case CallStatus::kL1Unavailable:
            return {CallStatus::kL1Unavailable, 0, {}, std::move(o.message)};
    }
    return {CallStatus::kOutOfGas, 0, {}};
}

}  // namespace

void set_module_cache_bytes(size_t bytes)
{
    g_modules.set_budget(bytes);
}

FrameResult call_module(const EvmFrame& frame, const Address& identity)
{
    const int64_t gas = frame.gas < 0 ? 0 : frame.gas;
    const Hash code_hash = frame.state.code_hash(identity);
    std::shared_ptr<const Module> module = g_modules.find(code_hash);
    if (!module)
    {
        // Evicted, or not loaded since this process started: the deployed code loads again
        // (it loaded at deployment; only a change of limits could refuse it now).
        auto m = load_module(frame.state.code(identity));
        if (!m)
            return {CallStatus::kTrap, gas, {}};
        module = g_modules.insert(std::move(*m));
    }
    StateHost host{frame, identity};
    auto out = execute(*module, host, static_cast<uint64_t>(gas), frame.schedule);
    if (!out)
        return {CallStatus::kTrap, gas, {}};
    return from_outcome(std::move(*out), gas);
}

FrameResult deploy_module(const EvmFrame& frame)
{
    static const auto kSelector = selector_of("deploy(string,uint64,bytes)");
    const ByteView input = frame.env.calldata;
    const auto base = static_cast<uint64_t>(frame.schedule.wasm_deploy_base);
    const auto per_byte = static_cast<uint64_t>(frame.schedule.wasm_deploy_byte);
    const uint64_t cost = base + per_byte * input.size();  // costs < 2^31, input < 2^32
    if (frame.gas < 0 || cost > static_cast<uint64_t>(frame.gas))
        return {CallStatus::kOutOfGas, 0, {}};
    const int64_t left = frame.gas - static_cast<int64_t>(cost);

    if (frame.is_static)
        return revert(left, "deploy: static call");
    if (frame.env.value != 0)
        return revert(left, "deploy: value not accepted");
    ByteView name;
    ByteView code;
    uint64_t version = 0;
    const ByteView args = input.size() >= 4 ? input.substr(4) : ByteView{};
    if (!has_selector(input, kSelector) || !dynamic_arg(args, 0, name) ||
        !word_u64(args, 32, version) || !dynamic_arg(args, 2, code))
        return revert(left, "deploy: bad calldata");
    if (name.empty() || name.size() > kMaxModuleName)
        return revert(left, "deploy: name must be 1 to 64 bytes");

    const Address identity = state::wasm_identity(frame.chain_id, as_chars(name), version);
    if (const auto existing = frame.state.account(identity))
    {
        // Any engine: nonce, code or storage means the identity is taken ((name, version) is
        // immutable once deployed).
        if (existing->nonce != 0 || existing->code_hash != state::kEmptyCodeHash ||
            existing->storage_root != txtypes::kEmptyRootHash)
            return revert(left, "deploy: identity in use");
    }
    auto m = load_module(code);
    if (!m)
        return revert(left, "deploy: " + m.error().message);

    frame.state.create_contract(identity, state::Engine::kWasm);
    frame.state.set_nonce(identity, 1);
    frame.state.set_code(identity, Bytes{code});
    g_modules.insert(std::move(*m));
    Bytes out(12, 0);
    out += identity.view();
    return {CallStatus::kSuccess, left, std::move(out)};
}

FrameResult read_u64(const EvmFrame& frame)
{
    static const auto kSelector = selector_of("readU64(address,uint64)");
    const auto cost = static_cast<uint64_t>(frame.schedule.wasm_read_u64);
    if (frame.gas < 0 || cost > static_cast<uint64_t>(frame.gas))
        return {CallStatus::kOutOfGas, 0, {}};
    const int64_t left = frame.gas - static_cast<int64_t>(cost);
    if (frame.env.value != 0)
        return revert(left, "readU64: value not accepted");

    const ByteView input = frame.env.calldata;
    const ByteView args = input.size() >= 4 ? input.substr(4) : ByteView{};
    uint64_t slot = 0;
    if (!has_selector(input, kSelector) || args.size() < 64 || !word_u64(args, 32, slot))
        return revert(left, "readU64: bad calldata");
    for (size_t i = 0; i < 12; ++i)
        if (args[i] != 0)
            return revert(left, "readU64: bad calldata");
    Address module;
    std::memcpy(module.data(), args.data() + 12, 20);

    Bytes out(32, 0);
    if (frame.state.engine(module) == state::Engine::kWasm)
        to_be_bytes(frame.state.storage(module, U256{slot}), out.data());
    return {CallStatus::kSuccess, left, std::move(out)};
}

}  // namespace l2::execution::wasm
