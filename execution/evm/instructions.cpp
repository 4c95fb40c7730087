// Out-of-line instructions: memory, copies, hashing, storage (EIP-2200/2929/3529), accounts,
// logs, calls (63/64 rule, EIP-150), creation (EIP-3860), SELFDESTRUCT (EIP-6780).
#include <algorithm>
#include <cstring>

#include <txtypes/keccak.hpp>

#include "frame.hpp"
#include "opcodes.hpp"

namespace l2::execution::evm {

namespace {

Address to_address(const U256& v) noexcept
{
    uint8_t b[32];
    to_be_bytes(v, b);
    Address a;
    std::memcpy(a.data(), b + 12, 20);
    return a;
}

bool charge(Frame& f, int64_t cost) noexcept
{
    if ((f.gas -= cost) < 0)
    {
        f.status = Status::kOutOfGas;
        return false;
    }
    return true;
}

/// EIP-2929 account access cost (warm or cold); before Berlin the static cost is all.
int64_t access_cost(Frame& f, const Address& a)
{
    const auto& g = f.evm.gas();
    if (f.evm.revision() < Revision::kBerlin)
        return 0;
    return f.evm.state().access_account(a) ? g.warm_access : g.cold_account_access;
}

void copy_padded(uint8_t* dst, ByteView src, const U256& src_off, size_t size) noexcept
{
    size_t copied = 0;
    if (fits_u64(src_off) && low_u64(src_off) < src.size())
    {
        const size_t off = static_cast<size_t>(low_u64(src_off));
        copied = std::min(size, src.size() - off);
        std::memcpy(dst, src.data() + off, copied);
    }
    std::memset(dst + copied, 0, size - copied);
}

}  // namespace

bool expand_memory(Frame& f, const U256& offset, const U256& size) noexcept
{
    if (!size)
        return true;
    if (!fits_u64(offset) || !fits_u64(size) || low_u64(offset) > kMaxMemory ||
        low_u64(size) > kMaxMemory)
    {
        f.status = Status::kOutOfGas;
        return false;
    }
    const uint64_t end = low_u64(offset) + low_u64(size);
    if (end <= f.memory.size())
        return true;
    const auto& g = f.evm.gas();
    const auto cost_of = [&](uint64_t w) {
        return static_cast<int64_t>(w) * g.memory_word +
               static_cast<int64_t>(w * w) / g.memory_quad_divisor;
    };
    const uint64_t new_words = words(end);
    const int64_t cost = cost_of(new_words) - cost_of(f.memory.size() / 32);
    if (!charge(f, cost))
        return false;
    f.memory.resize(new_words * 32, 0);
    return true;
}

bool op_exp(Frame& f) noexcept
{
    const U256 base = f.pop();
    U256& e = f.top();
    if (!charge(f, f.evm.gas().exp_byte * count_significant_bytes(e)))
        return false;
    e = exp(base, e);
    return true;
}

bool op_keccak(Frame& f) noexcept
{
    const U256 off = f.pop();
    U256& size = f.top();
    if (!expand_memory(f, off, size))
        return false;
    const uint64_t n = low_u64(size);
    if (!charge(f, f.evm.gas().keccak_word * static_cast<int64_t>(words(n))))
        return false;
    const ByteView data = n ? ByteView{f.memory.data() + low_u64(off), n} : ByteView{};
    size = from_be_bytes(keccak256(data));
    return true;
}

bool op_copy(Frame& f, ByteView source) noexcept
{
    const U256 mem_off = f.pop();
    const U256 src_off = f.pop();
    const U256 size = f.pop();
    if (!expand_memory(f, mem_off, size))
        return false;
    const uint64_t n = low_u64(size);
    if (!charge(f, f.evm.gas().copy_word * static_cast<int64_t>(words(n))))
        return false;
    if (n)
        copy_padded(f.memory.data() + low_u64(mem_off), source, src_off, n);
    return true;
}

bool op_returndatacopy(Frame& f) noexcept
{
    const U256 mem_off = f.pop();
    const U256 src_off = f.pop();
    const U256 size = f.pop();
    // EIP-211: reading past the return data is an exceptional halt.
    const ByteView rd = f.return_data;
    if (!fits_u64(src_off) || !fits_u64(size) || low_u64(src_off) + low_u64(size) < low_u64(size) ||
        low_u64(src_off) + low_u64(size) > rd.size())
    {
        f.status = Status::kInvalidInstruction;
        return false;
    }
    if (!expand_memory(f, mem_off, size))
        return false;
    const uint64_t n = low_u64(size);
    if (!charge(f, f.evm.gas().copy_word * static_cast<int64_t>(words(n))))
        return false;
    if (n)
        std::memcpy(f.memory.data() + low_u64(mem_off), rd.data() + low_u64(src_off), n);
    return true;
}

bool op_mcopy(Frame& f) noexcept
{
    const U256 dst = f.pop();
    const U256 src = f.pop();
    const U256 size = f.pop();
    if (size)
    {
        if (!expand_memory(f, std::max(dst, src), size))
            return false;
    }
    const uint64_t n = low_u64(size);
    if (!charge(f, f.evm.gas().copy_word * static_cast<int64_t>(words(n))))
        return false;
    if (n)
        std::memmove(f.memory.data() + low_u64(dst), f.memory.data() + low_u64(src), n);
    return true;
}

bool op_sload(Frame& f) noexcept
{
    U256& slot = f.top();
    const auto& g = f.evm.gas();
    auto& st = f.evm.state();
    if (f.evm.revision() >= Revision::kBerlin)
    {
        if (!charge(f, st.access_storage(f.msg.recipient, slot) ? g.warm_access : g.cold_sload))
            return false;
    }
    slot = st.storage(f.msg.recipient, slot);
    return true;
}

bool op_sstore(Frame& f) noexcept
{
    if (f.msg.is_static)
    {
        f.status = Status::kStaticModeViolation;
        return false;
    }
    const auto& g = f.evm.gas();
    // EIP-2200: SSTORE needs more than the call stipend left.
    if (f.gas <= g.sstore_sentry)
    {
        f.status = Status::kOutOfGas;
        return false;
    }
    const U256 slot = f.pop();
    const U256 value = f.pop();
    auto& st = f.evm.state();
    const Address& a = f.msg.recipient;
    int64_t cost = 0;
    if (f.evm.revision() >= Revision::kBerlin && !st.access_storage(a, slot))
        cost += g.cold_sload;
    const U256 current = st.storage(a, slot);
    const U256 original = st.original_storage(a, slot);
    const int64_t warm = g.warm_access;
    if (current == value)
        cost += warm;
    else if (original == current)
    {
        if (!original)
            cost += g.sstore_set;
        else
        {
            cost += g.sstore_reset;
            if (!value)
                f.refund += g.sstore_clears_refund;
        }
    }
    else
    {
        cost += warm;
        if (original)
        {
            if (!current)
                f.refund -= g.sstore_clears_refund;
            else if (!value)
                f.refund += g.sstore_clears_refund;
        }
        if (original == value)
            f.refund += !original ? g.sstore_set - warm : g.sstore_reset - warm;
    }
    if (!charge(f, cost))
        return false;
    st.set_storage(a, slot, value);
    return true;
}

/// BALANCE, EXTCODESIZE, EXTCODEHASH: charge the account access, replace the top with `read`.
template <typename Read>
bool account_query(Frame& f, Read read) noexcept
{
    U256& x = f.top();
    const Address a = to_address(x);
    if (!charge(f, access_cost(f, a)))
        return false;
    x = read(f.evm.state(), a);
    return true;
}

bool op_balance(Frame& f) noexcept
{
    return account_query(f, [](auto& st, const Address& a) { return st.balance(a); });
}

bool op_extcodesize(Frame& f) noexcept
{
    return account_query(f, [](auto& st, const Address& a) { return U256{st.code(a).size()}; });
}

bool op_extcodehash(Frame& f) noexcept
{
    // EIP-1052 / EIP-161: 0 for a nonexistent or empty account.
    return account_query(f, [](auto& st, const Address& a) {
        return st.is_empty(a) ? U256{0} : from_be_bytes(st.code_hash(a));
    });
}

bool op_extcodecopy(Frame& f) noexcept
{
    const Address a = to_address(f.pop());
    const U256 mem_off = f.pop();
    const U256 src_off = f.pop();
    const U256 size = f.pop();
    if (!charge(f, access_cost(f, a)) || !expand_memory(f, mem_off, size))
        return false;
    const uint64_t n = low_u64(size);
    if (!charge(f, f.evm.gas().copy_word * static_cast<int64_t>(words(n))))
        return false;
    if (n)
        copy_padded(f.memory.data() + low_u64(mem_off), f.evm.state().code(a), src_off, n);
    return true;
}

bool op_blockhash(Frame& f) noexcept
{
    U256& x = f.top();
    const uint64_t current = f.evm.block().number;
    if (!fits_u64(x) || low_u64(x) >= current || current - low_u64(x) > 256 ||
        !f.evm.block().block_hash)
        x = 0;
    else
        x = from_be_bytes(f.evm.block().block_hash(low_u64(x)));
    return true;
}

bool op_log(Frame& f, int topics) noexcept
{
    const U256 off = f.pop();
    const U256 size = f.pop();
    if (!expand_memory(f, off, size))
        return false;
    const auto& g = f.evm.gas();
    const uint64_t n = low_u64(size);
    if (!charge(f, g.log_topic * topics + g.log_data_byte * static_cast<int64_t>(n)))
        return false;
    txtypes::Log log;
    log.address = f.msg.recipient;
    for (int i = 0; i < topics; ++i)
    {
        uint8_t b[32];
        to_be_bytes(f.pop(), b);
        Hash h;
        std::memcpy(h.data(), b, 32);
        log.topics.push_back(h);
    }
    if (n)
        log.data.assign(f.memory.data() + low_u64(off), n);
    f.evm.logs().push_back(std::move(log));
    return true;
}

bool op_return(Frame& f) noexcept
{
    const U256 off = f.pop();
    const U256 size = f.pop();
    if (!expand_memory(f, off, size))
        return false;
    if (size)
        f.output.assign(f.memory.data() + low_u64(off), low_u64(size));
    return true;
}

bool op_call(Frame& f, uint8_t op) noexcept
{
    const bool has_value = op == OP_CALL || op == OP_CALLCODE;
    const U256 gas_req = f.pop();
    const Address target = to_address(f.pop());
    const U256 value = has_value ? f.pop() : U256{0};
    const U256 in_off = f.pop();
    const U256 in_size = f.pop();
    const U256 out_off = f.pop();
    const U256 out_size = f.pop();
    f.push(U256{0});  // the result slot; set to 1 on success
    f.return_data.clear();

    const auto& g = f.evm.gas();
    auto& st = f.evm.state();
    if (op == OP_CALL && value && f.msg.is_static)
    {
        f.status = Status::kStaticModeViolation;
        return false;
    }
    if (!charge(f, access_cost(f, target)))
        return false;
    if (!expand_memory(f, in_off, in_size) || !expand_memory(f, out_off, out_size))
        return false;
    int64_t cost = 0;
    if (value)
    {
        cost += g.call_value;
        if (op == OP_CALL && st.is_empty(target))
            cost += g.new_account;
    }
    if (!charge(f, cost))
        return false;

    // EIP-150: pass at most all but one 64th of what is left.
    const int64_t cap = f.gas - f.gas / 64;
    int64_t gas = fits_u64(gas_req) && low_u64(gas_req) < static_cast<uint64_t>(cap)
                      ? static_cast<int64_t>(low_u64(gas_req))
                      : cap;
    f.gas -= gas;
    if (value)
        gas += g.call_stipend;

    if (f.msg.depth >= kMaxCallDepth || (value && st.balance(f.msg.recipient) < value))
    {
        f.gas += gas;  // the call does not happen: its gas comes back
        return true;
    }

    Message m;
    m.kind = op == OP_CALLCODE      ? CallKind::kCallCode
             : op == OP_DELEGATECALL ? CallKind::kDelegateCall
                                     : CallKind::kCall;
    m.is_static = f.msg.is_static || op == OP_STATICCALL;
    m.depth = f.msg.depth + 1;
    m.gas = gas;
    m.code_address = target;
    if (op == OP_DELEGATECALL)
    {
        m.recipient = f.msg.recipient;
        m.sender = f.msg.sender;
        m.value = f.msg.value;
    }
    else
    {
        m.recipient = op == OP_CALLCODE ? f.msg.recipient : target;
        m.sender = f.msg.recipient;
        m.value = value;
    }
    const uint64_t in_n = low_u64(in_size);
    m.input = in_n ? ByteView{f.memory.data() + low_u64(in_off), in_n} : ByteView{};

    CallResult r = f.evm.call(m);
    if (r.status == Status::kL1Unavailable) [[unlikely]]
    {
        f.status = Status::kL1Unavailable;  // unwinds every frame: the tx is dropped
        return false;
    }
    f.return_data = std::move(r.output);
    const uint64_t copy_n = std::min<uint64_t>(low_u64(out_size), f.return_data.size());
    if (copy_n)
        std::memcpy(f.memory.data() + low_u64(out_off), f.return_data.data(), copy_n);
    f.gas += r.gas_left;
    if (r.status == Status::kSuccess)
    {
        f.refund += r.gas_refund;
        f.top() = 1;
    }
    return true;
}

bool op_create(Frame& f, bool create2) noexcept
{
    const U256 value = f.pop();
    const U256 off = f.pop();
    const U256 size = f.pop();
    const U256 salt = create2 ? f.pop() : U256{0};
    f.push(U256{0});
    f.return_data.clear();

    const auto& g = f.evm.gas();
    if (!expand_memory(f, off, size))
        return false;
    const uint64_t n = low_u64(size);
    if (f.evm.revision() >= Revision::kShanghai)
    {
        if (n > 2 * kMaxCodeSize)  // EIP-3860
        {
            f.status = Status::kOutOfGas;
            return false;
        }
        if (!charge(f, g.initcode_word * static_cast<int64_t>(words(n))))
            return false;
    }
    if (create2 && !charge(f, g.create_hash_word * static_cast<int64_t>(words(n))))
        return false;

    const int64_t gas = f.gas - f.gas / 64;
    auto& st = f.evm.state();
    if (f.msg.depth >= kMaxCallDepth || (value && st.balance(f.msg.recipient) < value) ||
        st.nonce(f.msg.recipient) == UINT64_MAX)
        return true;  // fails without consuming the gas it would have passed
    f.gas -= gas;

    Message m;
    m.kind = create2 ? CallKind::kCreate2 : CallKind::kCreate;
    m.depth = f.msg.depth + 1;
    m.gas = gas;
    m.sender = f.msg.recipient;
    m.value = value;
    m.input = n ? ByteView{f.memory.data() + low_u64(off), n} : ByteView{};
    to_be_bytes(salt, m.salt.data());

    CallResult r = f.evm.call(m);
    if (r.status == Status::kL1Unavailable) [[unlikely]]
    {
        f.status = Status::kL1Unavailable;
        return false;
    }
    f.gas += r.gas_left;
    if (r.status == Status::kSuccess)
    {
        f.refund += r.gas_refund;
        f.top() = from_be_bytes(r.create_address);
    }
    else if (r.status == Status::kRevert)
        f.return_data = std::move(r.output);
    return true;
}

bool op_selfdestruct(Frame& f) noexcept
{
    const Address beneficiary = to_address(f.pop());
    const auto& g = f.evm.gas();
    auto& st = f.evm.state();
    int64_t cost = access_cost(f, beneficiary) == g.cold_account_access ? g.cold_account_access : 0;
    const Address& self = f.msg.recipient;
    const U256 balance = st.balance(self);
    if (balance && st.is_empty(beneficiary))
        cost += g.selfdestruct_new_account;
    if (!charge(f, cost))
        return false;

    // EIP-6780: only a contract created in this transaction is deleted (at the end of the
    // transaction; its balance, even sent to itself, is burnt); otherwise only the balance
    // moves (to itself: nothing happens).
    if (f.evm.created_in_tx(self))
    {
        st.set_balance(self, 0);
        if (beneficiary != self)
            st.add_balance(beneficiary, balance);
        f.evm.touch(beneficiary);
        f.evm.mark_destructed(self);
    }
    else if (beneficiary != self)
    {
        st.set_balance(self, 0);
        st.add_balance(beneficiary, balance);
        f.evm.touch(beneficiary);
    }
    return true;
}

}  // namespace l2::execution::evm
