// The interpreter loop: direct-threaded dispatch (computed goto), a fixed 1024-word stack per
// depth, static costs from the block's flat cost table, stack bounds checked once per
// instruction from kStackShapes. Heavy instructions live in instructions.cpp.
#include <cstring>

#include "frame.hpp"
#include "opcodes.hpp"

namespace l2::execution::evm {

namespace {

inline U256 load_push(const uint8_t* p, size_t n) noexcept
{
    uint8_t buf[32] = {};
    std::memcpy(buf + 32 - n, p, n);
    return from_be_bytes({buf, 32});
}

inline U256 address_word(const Address& a) noexcept
{
    return from_be_bytes(a);
}

inline U256 hash_word(const Hash& h) noexcept
{
    return from_be_bytes(h);
}

}  // namespace

CallResult execute(Evm& evm, const Message& msg, ByteView code_bytes, const CodeAnalysis& code)
{
    Evm::FrameBuffers& buf = evm.buffers(msg.depth);
    buf.memory.clear();
    buf.return_data.clear();
    Frame f{evm, msg, code, buf.stack.get(), buf.stack.get(), msg.gas, 0, buf.memory,
            buf.return_data, Status::kSuccess, {}};
    (void)code_bytes;

    const OpCostTable& costs = evm.gas().op_costs;
    const uint8_t* const code_begin = code.padded.data();
    const uint8_t* ip = code_begin;

    static void* const kLabels[256] = {
#define L2_L(name) &&name
#include "dispatch_table.inc"
#undef L2_L
    };

#define DISPATCH()                                                                  \
    do                                                                              \
    {                                                                               \
        const uint8_t op_ = *ip;                                                    \
        const int32_t cost_ = costs[op_];                                           \
        if (cost_ < 0)                                                              \
            goto undefined;                                                         \
        if ((f.gas -= cost_) < 0)                                                   \
            goto out_of_gas;                                                        \
        const StackShape shape_ = kStackShapes[op_];                                \
        const ptrdiff_t height_ = f.sp - f.stack_base;                              \
        if (height_ < shape_.required)                                              \
            goto stack_underflow;                                                   \
        if (height_ + shape_.change > static_cast<ptrdiff_t>(kStackLimit))         \
            goto stack_overflow;                                                    \
        goto* kLabels[op_];                                                         \
    } while (0)
#define NEXT()     \
    do             \
    {              \
        ++ip;      \
        DISPATCH(); \
    } while (0)
#define BINARY(expr)              \
    do                            \
    {                             \
        const U256 a = f.pop();   \
        U256& b = f.top();        \
        b = (expr);               \
        NEXT();                   \
    } while (0)
#define CHECK(call)        \
    do                     \
    {                      \
        if (!(call))       \
            goto failed;   \
    } while (0)

    DISPATCH();

op_stop:
    f.status = Status::kSuccess;
    goto done;
op_add:
    BINARY(a + b);
op_mul:
    BINARY(a * b);
op_sub:
    BINARY(a - b);
op_div:
    BINARY(a / b);
op_sdiv:
    BINARY(sdiv(a, b));
op_mod:
    BINARY(a % b);
op_smod:
    BINARY(smod(a, b));
op_addmod:
{
    const U256 a = f.pop();
    const U256 b = f.pop();
    U256& m = f.top();
    m = addmod(a, b, m);
    NEXT();
}
op_mulmod:
{
    const U256 a = f.pop();
    const U256 b = f.pop();
    U256& m = f.top();
    m = mulmod(a, b, m);
    NEXT();
}
op_exp:
    CHECK(op_exp(f));
    NEXT();
op_signextend:
    BINARY(signextend(a, b));
op_lt:
    BINARY(U256{a < b});
op_gt:
    BINARY(U256{a > b});
op_slt:
    BINARY(U256{slt(a, b)});
op_sgt:
    BINARY(U256{sgt(a, b)});
op_eq:
    BINARY(U256{a == b});
op_iszero:
    f.top() = U256{!f.top()};
    NEXT();
op_and:
    BINARY(a & b);
op_or:
    BINARY(a | b);
op_xor:
    BINARY(a ^ b);
op_not:
    f.top() = ~f.top();
    NEXT();
op_byte:
    BINARY(byte(a, b));
op_shl:
    BINARY(fits_u64(a) ? b << low_u64(a) : U256{0});
op_shr:
    BINARY(fits_u64(a) ? b >> low_u64(a) : U256{0});
op_sar:
    BINARY(sar(a, b));
op_keccak256:
    CHECK(op_keccak(f));
    NEXT();
op_address:
    f.push(address_word(msg.recipient));
    NEXT();
op_balance:
    CHECK(op_balance(f));
    NEXT();
op_origin:
    f.push(address_word(evm.tx().origin));
    NEXT();
op_caller:
    f.push(address_word(msg.sender));
    NEXT();
op_callvalue:
    f.push(msg.value);
    NEXT();
op_calldataload:
{
    U256& x = f.top();
    if (!fits_u64(x) || low_u64(x) >= msg.input.size())
        x = 0;
    else
    {
        const size_t off = static_cast<size_t>(low_u64(x));
        uint8_t word[32] = {};
        const size_t n = std::min<size_t>(32, msg.input.size() - off);
        std::memcpy(word, msg.input.data() + off, n);
        x = from_be_bytes({word, 32});
    }
    NEXT();
}
op_calldatasize:
    f.push(U256{msg.input.size()});
    NEXT();
op_calldatacopy:
    CHECK(op_copy(f, msg.input));
    NEXT();
op_codesize:
    f.push(U256{code.code_size});
    NEXT();
op_codecopy:
    CHECK(op_copy(f, {code_begin, code.code_size}));
    NEXT();
op_gasprice:
    f.push(evm.tx().gas_price);
    NEXT();
op_extcodesize:
    CHECK(op_extcodesize(f));
    NEXT();
op_extcodecopy:
    CHECK(op_extcodecopy(f));
    NEXT();
op_returndatasize:
    f.push(U256{f.return_data.size()});
    NEXT();
op_returndatacopy:
    CHECK(op_returndatacopy(f));
    NEXT();
op_extcodehash:
    CHECK(op_extcodehash(f));
    NEXT();
op_blockhash:
    CHECK(op_blockhash(f));
    NEXT();
op_coinbase:
    f.push(address_word(evm.block().coinbase));
    NEXT();
op_timestamp:
    f.push(U256{evm.block().timestamp});
    NEXT();
op_number:
    f.push(U256{evm.block().number});
    NEXT();
op_prevrandao:
    f.push(hash_word(evm.block().prev_randao));
    NEXT();
op_gaslimit:
    f.push(U256{evm.block().gas_limit});
    NEXT();
op_chainid:
    f.push(U256{evm.block().chain_id});
    NEXT();
op_selfbalance:
    f.push(evm.state().balance(msg.recipient));
    NEXT();
op_basefee:
    f.push(evm.block().base_fee);
    NEXT();
op_blobhash:
{
    U256& i = f.top();
    const auto& hashes = evm.tx().blob_hashes;
    i = fits_u64(i) && low_u64(i) < hashes.size() ? hash_word(hashes[low_u64(i)]) : U256{0};
    NEXT();
}
op_blobbasefee:
    f.push(evm.block().blob_base_fee);
    NEXT();
op_pop:
    --f.sp;
    NEXT();
op_mload:
{
    U256& x = f.top();
    CHECK(expand_memory(f, x, 32));
    x = from_be_bytes({f.memory.data() + low_u64(x), 32});
    NEXT();
}
op_mstore:
{
    const U256 off = f.pop();
    const U256 v = f.pop();
    CHECK(expand_memory(f, off, 32));
    to_be_bytes(v, f.memory.data() + low_u64(off));
    NEXT();
}
op_mstore8:
{
    const U256 off = f.pop();
    const U256 v = f.pop();
    CHECK(expand_memory(f, off, 1));
    f.memory[low_u64(off)] = static_cast<uint8_t>(v.w[0]);
    NEXT();
}
op_sload:
    CHECK(op_sload(f));
    NEXT();
op_sstore:
    CHECK(op_sstore(f));
    NEXT();
op_jump:
{
    const U256 dst = f.pop();
    if (!fits_u64(dst) || !code.is_jumpdest(low_u64(dst)))
        goto bad_jump;
    ip = code_begin + low_u64(dst);
    DISPATCH();
}
op_jumpi:
{
    const U256 dst = f.pop();
    const U256 cond = f.pop();
    if (!cond)
        NEXT();
    if (!fits_u64(dst) || !code.is_jumpdest(low_u64(dst)))
        goto bad_jump;
    ip = code_begin + low_u64(dst);
    DISPATCH();
}
op_pc:
    f.push(U256{static_cast<uint64_t>(ip - code_begin)});
    NEXT();
op_msize:
    f.push(U256{f.memory.size()});
    NEXT();
op_gas:
    f.push(U256{static_cast<uint64_t>(f.gas)});
    NEXT();
op_jumpdest:
    NEXT();
op_tload:
{
    U256& slot = f.top();
    slot = evm.state().transient_storage(msg.recipient, slot);
    NEXT();
}
op_tstore:
{
    if (msg.is_static)
        goto static_violation;
    const U256 slot = f.pop();
    const U256 v = f.pop();
    evm.state().set_transient_storage(msg.recipient, slot, v);
    NEXT();
}
op_mcopy:
    CHECK(op_mcopy(f));
    NEXT();
op_push0:
    f.push(U256{0});
    NEXT();
op_push:
{
    const size_t n = static_cast<size_t>(*ip - OP_PUSH1 + 1);
    f.push(load_push(ip + 1, n));
    ip += n;
    NEXT();
}
op_dup:
{
    const size_t n = static_cast<size_t>(*ip - OP_DUP1);
    f.push(f.top(n));
    NEXT();
}
op_swap:
{
    const size_t n = static_cast<size_t>(*ip - OP_SWAP1 + 1);
    std::swap(f.top(), f.top(n));
    NEXT();
}
op_log:
    if (msg.is_static)
        goto static_violation;
    CHECK(op_log(f, *ip - OP_LOG0));
    NEXT();
op_create:
    if (msg.is_static)
        goto static_violation;
    CHECK(op_create(f, false));
    NEXT();
op_create2:
    if (msg.is_static)
        goto static_violation;
    CHECK(op_create(f, true));
    NEXT();
op_calls:
    CHECK(op_call(f, *ip));
    NEXT();
op_return:
    CHECK(op_return(f));
    f.status = Status::kSuccess;
    goto done;
op_revert:
    CHECK(op_return(f));
    f.status = Status::kRevert;
    goto done;
op_invalid:
    f.status = Status::kInvalidInstruction;
    goto failed;
op_selfdestruct:
    if (msg.is_static)
        goto static_violation;
    CHECK(op_selfdestruct(f));
    f.status = Status::kSuccess;
    goto done;

undefined:
    f.status = Status::kUndefinedInstruction;
    goto failed;
out_of_gas:
    f.status = Status::kOutOfGas;
    goto failed;
stack_underflow:
    f.status = Status::kStackUnderflow;
    goto failed;
stack_overflow:
    f.status = Status::kStackOverflow;
    goto failed;
bad_jump:
    f.status = Status::kBadJumpDestination;
    goto failed;
static_violation:
    f.status = Status::kStaticModeViolation;
    goto failed;
failed:
    if (f.status == Status::kSuccess)
        f.status = Status::kOutOfGas;
    return CallResult{f.status, 0, 0, {}, {}};
done:
    CallResult r{f.status, f.gas, f.status == Status::kSuccess ? f.refund : 0,
                 std::move(f.output), {}};
    return r;

#undef DISPATCH
#undef NEXT
#undef BINARY
#undef CHECK
}

}  // namespace l2::execution::evm
