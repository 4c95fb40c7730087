#include "evm.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include <txtypes/keccak.hpp>
#include <txtypes/rlp.hpp>

#include "../gas_price_oracle.hpp"
#include "../l1sload.hpp"
#include "../precompiles.hpp"
#include "../predeploys.hpp"
#include "../wasm/evm_entry.hpp"
#include "analysis.hpp"
#include "frame.hpp"

namespace l2::execution::evm {

namespace {
struct AnalysisCache
{
    std::unordered_map<Hash, CodeAnalysis, FixedBytesHasher> map;
};
thread_local AnalysisCache t_analysis_cache;  // code is immutable per hash: share across txs

enum class WasmEntry : uint8_t
{
    kDeploy,
    kReadU64,
    kModule,
};

/// L1SLOAD (../l1sload.hpp): malformed input or too little gas fails consuming all gas; an L1
/// that cannot answer aborts the transaction.
CallResult call_l1sload(Evm& evm, const Message& msg)
{
    const uint64_t cost = l1sload_gas(msg.input, evm.gas());
    if (cost > static_cast<uint64_t>(msg.gas))
        return {Status::kOutOfGas, 0, 0, {}, {}};
    const auto in = decode_l1sload_input(msg.input);  // valid: the cost was finite
    const BlockContext& b = evm.block();
    if (b.l1_storage == nullptr)
    {
        evm.abort("L1SLOAD: this node has no L1 storage reader");
        return {Status::kL1Unavailable, 0, 0, {}, {}};
    }
    auto values = b.l1_storage->load(in->account, in->keys, b.l1_block_number, b.l1_block_hash);
    if (!values || values->size() != in->keys.size())
    {
        evm.abort(values ? "L1SLOAD: wrong number of values" : values.error());
        return {Status::kL1Unavailable, 0, 0, {}, {}};
    }
    Bytes out(32 * values->size(), 0);
    for (size_t i = 0; i < values->size(); ++i)
        std::memcpy(out.data() + 32 * i, (*values)[i].data(), 32);
    return {Status::kSuccess, msg.gas - static_cast<int64_t>(cost), 0, std::move(out), {}};
}

/// A message to the WASM side (wasm/evm_entry.hpp): a trap reverts, keeping the gas left.
CallResult call_wasm(Evm& evm, const Message& msg, WasmEntry entry)
{
    wasm::CallEnv env;
    env.caller = msg.sender;
    env.value = msg.value;
    env.calldata = msg.input;
    env.block_number = evm.block().number;
    env.block_timestamp = evm.block().timestamp;
    env.l1_block_number = evm.block().l1_block_number;
    env.l1_block_hash = evm.block().l1_block_hash;
    env.l1_storage = evm.block().l1_storage;
    const wasm::EvmFrame frame{evm.state(), evm.logs(), evm.gas(), evm.block().chain_id, env,
                               msg.is_static, msg.gas};
    wasm::FrameResult r;
    switch (entry)
    {
    case WasmEntry::kDeploy:
        r = wasm::deploy_module(frame);
        break;
    case WasmEntry::kReadU64:
        r = wasm::read_u64(frame);
        break;
    case WasmEntry::kModule:
        // A module runs only as itself: DELEGATECALL/CALLCODE into one would mix engines.
        if (msg.kind != CallKind::kCall || msg.recipient != msg.code_address)
            return {Status::kRevert, msg.gas, 0, {}, {}};
        r = wasm::call_module(frame, msg.code_address);
        break;
    }
    switch (r.status)
    {
    case wasm::CallStatus::kSuccess:
        return {Status::kSuccess, r.gas_left, 0, std::move(r.output), {}};
    case wasm::CallStatus::kRevert:
    case wasm::CallStatus::kTrap:
        return {Status::kRevert, r.gas_left, 0, std::move(r.output), {}};
    case wasm::CallStatus::kOutOfGas:
        break;
    case wasm::CallStatus::kL1Unavailable:
        evm.abort(r.message.empty() ? std::string{"L1SLOAD: L1 unavailable"} : r.message);
        return {Status::kL1Unavailable, 0, 0, {}, {}};
    }
    return {Status::kOutOfGas, 0, 0, {}, {}};
}
}  // namespace

const char* to_string(Status s) noexcept
{
    switch (s)
    {
    case Status::kSuccess:
        return "success";
    case Status::kRevert:
        return "revert";
    case Status::kOutOfGas:
        return "out of gas";
    case Status::kUndefinedInstruction:
        return "undefined instruction";
    case Status::kInvalidInstruction:
        return "invalid instruction";
    case Status::kStackUnderflow:
        return "stack underflow";
    case Status::kStackOverflow:
        return "stack overflow";
    case Status::kBadJumpDestination:
        return "bad jump destination";
    case Status::kStaticModeViolation:
        return "state change in a static call";
    case Status::kCallDepthExceeded:
        return "call depth exceeded";
    case Status::kInsufficientBalance:
        return "insufficient balance";
    case Status::kNonceOverflow:
        return "nonce overflow";
    case Status::kAddressCollision:
        return "contract address collision";
    case Status::kContractValidationFailure:
        return "invalid contract code (too large or 0xEF prefix)";
    case Status::kPrecompileFailure:
        return "precompile failure";
    case Status::kL1Unavailable:
        return "L1 unavailable";
    }
    return "unknown";
}

Evm::Evm(state::JournaledState& state, const BlockContext& block, const TxContext& tx,
         const GasSchedule& gas, Revision rev, bool l2)
  : m_state{state}, m_block{block}, m_tx{tx}, m_gas{gas}, m_rev{rev}, m_l2{l2}
{}

Evm::~Evm() = default;

Evm::FrameBuffers& Evm::buffers(int depth)
{
    const auto d = static_cast<size_t>(depth);
    if (m_buffers.size() <= d)
        m_buffers.resize(d + 1);
    if (!m_buffers[d])
        m_buffers[d] = std::make_unique<FrameBuffers>();
    return *m_buffers[d];
}

const CodeAnalysis& Evm::analyze(const Hash& code_hash, ByteView code)
{
    auto& map = t_analysis_cache.map;
    auto it = map.find(code_hash);
    if (it == map.end())
    {
        if (map.size() > 4096)
            map.clear();
        it = map.emplace(code_hash, evm::analyze(code)).first;
    }
    return it->second;
}

void Evm::mark_destructed(const Address& addr)
{
    if (std::find(m_destructed.begin(), m_destructed.end(), addr) == m_destructed.end())
        m_destructed.push_back(addr);
}

Evm::Marks Evm::marks() const noexcept
{
    return {m_logs.size(), m_touched.size(), m_destructed.size()};
}

void Evm::rollback_marks(const Marks& m)
{
    m_logs.resize(m.logs);
    while (m_touched.size() > m.touched)
    {
        m_touched_set.erase(m_touched.back());
        m_touched.pop_back();
    }
    m_destructed.resize(m.destructed);
}

void Evm::touch(const Address& addr)
{
    if (m_touched_set.insert(addr).second)
        m_touched.push_back(addr);
}

CallResult Evm::call(const Message& msg)
{
    if (msg.kind == CallKind::kCreate || msg.kind == CallKind::kCreate2)
        return create(msg);
    return call_message(msg);
}

CallResult Evm::run_code(const Message& msg, const Hash& code_hash, ByteView code)
{
    return execute(*this, msg, code, analyze(code_hash, code));
}

CallResult Evm::call_message(const Message& msg)
{
    const size_t cp = m_state.checkpoint();
    const Marks marks_before = marks();
    auto fail = [&](CallResult r) {
        m_state.rollback(cp);
        rollback_marks(marks_before);
        if (r.status != Status::kRevert)
            r.gas_left = 0;
        r.gas_refund = 0;
        return r;
    };

    const Precompile* pc = find_precompile(msg.code_address, m_rev, m_l2);
    if (msg.kind == CallKind::kCall)
    {
        // EIP-161: a zero-value call to a nonexistent account creates nothing.
        if (msg.value || m_state.exists(msg.recipient) || pc)
        {
            if (msg.value)
            {
                m_state.sub_balance(msg.sender, msg.value);
                m_state.add_balance(msg.recipient, msg.value);
            }
            else
                m_state.touch(msg.recipient);
            touch(msg.recipient);
        }
    }
    else if (msg.kind == CallKind::kCallCode)
        touch(msg.recipient);

    if (m_l2 && (msg.code_address == wasm::kDeployerAddress ||
                 msg.code_address == wasm::kReadU64Address))
    {
        CallResult r = call_wasm(*this, msg,
                                 msg.code_address == wasm::kDeployerAddress ? WasmEntry::kDeploy
                                                                            : WasmEntry::kReadU64);
        return r.status == Status::kSuccess ? r : fail(std::move(r));
    }

    if (pc && m_l2 && msg.code_address == kL1SloadAddress)
    {
        CallResult r = call_l1sload(*this, msg);
        return r.status == Status::kSuccess ? r : fail(std::move(r));
    }

    if (pc)
    {
        const uint64_t cost = pc->gas(msg.input, m_gas, m_rev);
        if (cost > static_cast<uint64_t>(msg.gas))
            return fail({Status::kOutOfGas, 0, 0, {}, {}});
        PrecompileResult out = pc->run(msg.input, m_rev);
        if (!out.success)
            return fail({Status::kPrecompileFailure, 0, 0, {}, {}});
        return {Status::kSuccess, msg.gas - static_cast<int64_t>(cost), 0,
                std::move(out.output), {}};
    }

    if (m_l2 && msg.code_address == predeploys::kGasPriceOracle)
    {
        // Answered natively (gas_price_oracle.hpp); it holds no ether, like OP's.
        if (msg.value)
            return fail({Status::kRevert, msg.gas, 0, {}, {}});
        GasPriceOracleResult out =
            call_gas_price_oracle(m_state, msg.input, msg.gas, m_block.base_fee);
        const int64_t left = msg.gas - out.gas_used;
        if (!out.success)
            return fail({left > 0 ? Status::kRevert : Status::kOutOfGas, left, 0,
                         std::move(out.output), {}});
        return {Status::kSuccess, left, 0, std::move(out.output), {}};
    }

    const ByteView code = m_state.code(msg.code_address);
    if (code.empty())
        return {Status::kSuccess, msg.gas, 0, {}, {}};
    if (m_l2 && m_state.engine(msg.code_address) == state::Engine::kWasm)
    {
        CallResult r = call_wasm(*this, msg, WasmEntry::kModule);
        return r.status == Status::kSuccess ? r : fail(std::move(r));
    }
    CallResult r = run_code(msg, m_state.code_hash(msg.code_address), code);
    if (r.status != Status::kSuccess)
        return fail(std::move(r));
    return r;
}

CallResult Evm::create(const Message& msg)
{
    const uint64_t nonce = m_state.nonce(msg.sender);
    m_state.set_nonce(msg.sender, nonce + 1);
    const Address addr = msg.kind == CallKind::kCreate
                             ? create_address(msg.sender, nonce)
                             : create2_address(msg.sender, msg.salt, keccak256(msg.input));
    m_state.access_account(addr);

    // Collision (EIP-684, EIP-7610): nonce, code or storage at the address.
    if (const auto existing = m_state.account(addr))
    {
        if (existing->nonce != 0 || existing->code_hash != state::kEmptyCodeHash ||
            existing->storage_root != txtypes::kEmptyRootHash)
            return {Status::kAddressCollision, 0, 0, {}, addr};
    }

    const size_t cp = m_state.checkpoint();
    const Marks marks_before = marks();
    m_state.create_contract(addr, state::Engine::kEvm);
    m_state.set_nonce(addr, 1);  // EIP-161
    if (msg.value)
    {
        m_state.sub_balance(msg.sender, msg.value);
        m_state.add_balance(addr, msg.value);
    }
    const bool newly_created = m_created.insert(addr).second;

    Message init = msg;
    init.recipient = addr;
    init.code_address = addr;
    init.input = {};
    const CodeAnalysis analysis = evm::analyze(msg.input);
    CallResult r = execute(*this, init, msg.input, analysis);
    r.create_address = addr;

    if (r.status == Status::kSuccess)
    {
        const int64_t deposit = m_gas.code_deposit_byte * static_cast<int64_t>(r.output.size());
        if (r.output.size() > kMaxCodeSize ||
            (!r.output.empty() && r.output[0] == 0xEF && m_rev >= Revision::kLondon))
            r.status = Status::kContractValidationFailure;
        else if (r.gas_left < deposit)
            r.status = Status::kOutOfGas;
        else
        {
            r.gas_left -= deposit;
            m_state.set_code(addr, std::move(r.output));
            r.output.clear();
            return r;
        }
    }
    m_state.rollback(cp);
    rollback_marks(marks_before);
    if (newly_created)
        m_created.erase(addr);
    if (r.status != Status::kRevert)
    {
        r.gas_left = 0;
        r.output.clear();
    }
    r.gas_refund = 0;
    return r;
}

Address create_address(const Address& sender, uint64_t nonce)
{
    Bytes p;
    rlp::encode(p, sender);
    rlp::encode(p, nonce);
    const Hash h = keccak256(rlp::wrap_list(p));
    Address a;
    std::memcpy(a.data(), h.data() + 12, 20);
    return a;
}

Address create2_address(const Address& sender, const Hash& salt, const Hash& init_code_hash)
{
    uint8_t buf[1 + 20 + 32 + 32];
    buf[0] = 0xff;
    std::memcpy(buf + 1, sender.data(), 20);
    std::memcpy(buf + 21, salt.data(), 32);
    std::memcpy(buf + 53, init_code_hash.data(), 32);
    const Hash h = keccak256({buf, sizeof(buf)});
    Address a;
    std::memcpy(a.data(), h.data() + 12, 20);
    return a;
}

}  // namespace l2::execution::evm
