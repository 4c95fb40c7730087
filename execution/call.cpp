#include "call.hpp"

#include <algorithm>

#include <state/journaled_state.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/validation.hpp>

#include "block_builder.hpp"
#include "precompiles.hpp"

namespace l2::execution {

namespace {

/// The fee fields of a call resolved as geth's eth_call does: `fee_cap` is what the balance must
/// cover per gas, `price` what is charged per gas (0 when no fee field is set).
struct CallFees
{
    U256 fee_cap;
    U256 price;
};

Result<CallFees, CallError> resolve_fees(const CallRequest& req, const U256& base_fee)
{
    if (req.gas_price && (req.max_fee_per_gas || req.max_priority_fee_per_gas))
        return unexpected(CallError{CallErrc::kInvalidFees,
                                    "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) "
                                    "specified",
                                    {}});
    CallFees f;
    if (req.gas_price)
    {
        f.fee_cap = *req.gas_price;
        f.price = *req.gas_price;
    }
    else
    {
        const U256 cap = req.max_fee_per_gas.value_or(U256{0});
        const U256 tip = req.max_priority_fee_per_gas.value_or(U256{0});
        if (req.max_fee_per_gas && tip > cap)
            return unexpected(CallError{CallErrc::kInvalidFees,
                                        "maxPriorityFeePerGas (" + to_string(tip) +
                                            ") bigger than maxFeePerGas (" + to_string(cap) + ")",
                                        {}});
        f.fee_cap = req.max_fee_per_gas ? cap : tip;
        // Without fee fields nothing is charged; with them, min(cap, baseFee + tip).
        if (f.fee_cap)
            f.price = std::min(f.fee_cap, base_fee + tip);
    }
    if (f.fee_cap && f.fee_cap < base_fee)
        return unexpected(CallError{CallErrc::kFeeCapBelowBaseFee,
                                    "max fee per gas less than block base fee: maxFeePerGas: " +
                                        to_string(f.fee_cap) + ", baseFee: " + to_string(base_fee),
                                    {}});
    return f;
}

/// The request as a transaction: what intrinsic gas and the initcode limit are computed from.
txtypes::Transaction as_transaction(const CallRequest& req, uint64_t gas_limit)
{
    txtypes::Transaction t;
    t.type = txtypes::TxType::kDynamicFee;
    t.gas_limit = gas_limit;
    t.to = req.to;
    t.value = req.value;
    t.data = req.data;
    t.access_list = req.access_list;
    return t;
}

/// gas * fee_cap + value, or nullopt when it exceeds 2^256 - 1.
std::optional<U256> max_cost(uint64_t gas, const U256& fee_cap, const U256& value)
{
    if (fee_cap && U256{gas} > kU256Max / fee_cap)
        return std::nullopt;
    const U256 gas_cost = U256{gas} * fee_cap;
    const U256 total = gas_cost + value;
    if (total < value)
        return std::nullopt;
    return total;
}

/// What the sender's balance pays for, past `value`, in gas at `fee_cap` (unbounded: UINT64_MAX).
uint64_t gas_allowance(const U256& balance, const U256& value, const U256& fee_cap)
{
    if (!fee_cap)
        return UINT64_MAX;
    if (balance < value)
        return 0;
    const U256 n = (balance - value) / fee_cap;
    return fits_u64(n) ? low_u64(n) : UINT64_MAX;
}


}  // namespace

evm::BlockContext child_block_context(const ChainSpec& spec,
                                      const txtypes::BlockHeader& parent,
                                      std::function<Hash(uint64_t)> block_hash)
{
    evm::BlockContext ctx;
    ctx.number = parent.number + 1;
    ctx.timestamp = parent.timestamp + 1;
    ctx.gas_limit = spec.gas_limit;
    ctx.coinbase = parent.beneficiary;
    ctx.prev_randao = parent.mix_hash;
    ctx.base_fee = next_base_fee(spec, parent);
    ctx.blob_base_fee = 1;  // no blobs on L2 (BlockBuilder's value)
    ctx.chain_id = spec.chain_id;
    ctx.block_hash = std::move(block_hash);
    return ctx;
}

Result<CallOutcome, CallError> simulate_call(const CallEnv& env,
                                             const CallRequest& req,
                                             uint64_t gas_limit)
{
    auto fees = resolve_fees(req, env.block.base_fee);
    if (!fees)
        return unexpected(fees.error());
    const TxEnv tenv = tx_env_for(env.spec, env.block.number);
    const Revision rev = tenv.revision;
    const txtypes::Transaction txn = as_transaction(req, gas_limit);
    if (txn.is_creation() && rev >= Revision::kShanghai &&
        txn.data.size() > txtypes::kMaxInitcodeSize)
        return unexpected(CallError{CallErrc::kInitcodeTooLarge,
                                    "max initcode size exceeded: code size " +
                                        std::to_string(txn.data.size()) + ", limit " +
                                        std::to_string(txtypes::kMaxInitcodeSize),
                                    {}});
    const uint64_t intrinsic = txtypes::intrinsic_gas(txn, rev);
    if (gas_limit < intrinsic)
        return unexpected(CallError{CallErrc::kIntrinsicGas,
                                    "intrinsic gas too low: have " + std::to_string(gas_limit) +
                                        ", want " + std::to_string(intrinsic),
                                    {}});

    state::JournaledState st{env.state};
    const Address sender = req.from.value_or(Address{});
    const U256 balance = st.balance(sender);
    const auto cost = max_cost(gas_limit, fees->fee_cap, req.value);
    if (!cost || balance < *cost)
        return unexpected(CallError{CallErrc::kInsufficientFunds,
                                    "insufficient funds for gas * price + value: address " +
                                        to_0x_hex(sender) + " have " + to_string(balance) +
                                        " want " + (cost ? to_string(*cost) : "more than 2^256"),
                                    {}});
    const uint64_t nonce = st.nonce(sender);
    if (nonce == UINT64_MAX)
        return unexpected(CallError{CallErrc::kNonceMax, "nonce has max value", {}});

    // Buy gas at the resolved price (0 without fee fields), bump the nonce as a tx would.
    st.sub_balance(sender, U256{gas_limit} * fees->price);
    if (!txn.is_creation())
        st.set_nonce(sender, nonce + 1);  // creations bump it inside Evm::create
    warm_transaction_start(st, env.block, sender, req.to, req.access_list, rev, true);

    // L1SLOAD reads at the L1 origin the state records (the pending block's, as the next block
    // in the same epoch would see it).
    evm::BlockContext block = env.block;
    if (tenv.l2 && block.l1_block_number == 0)
    {
        const L1Info info = read_l1_info(st);
        block.l1_block_number = info.number;
        block.l1_block_hash = info.hash;
    }
    evm::TxContext tx_ctx;
    tx_ctx.origin = sender;
    tx_ctx.gas_price = fees->price;
    evm::Evm vm{st, block, tx_ctx, *tenv.gas, rev, tenv.l2};
    evm::Message msg;
    msg.kind = txn.is_creation() ? evm::CallKind::kCreate : evm::CallKind::kCall;
    msg.gas = static_cast<int64_t>(gas_limit - intrinsic);
    msg.sender = sender;
    msg.recipient = txn.to.value_or(Address{});
    msg.code_address = msg.recipient;
    msg.value = txn.value;
    msg.input = txn.data;
    evm::CallResult r = vm.call(msg);
    if (r.status == evm::Status::kL1Unavailable)
        return unexpected(CallError{CallErrc::kL1Unavailable, vm.abort_reason(), {}});

    // Refunds exactly as execute_transaction takes them (EIP-3529).
    const int64_t used_before_refund = static_cast<int64_t>(gas_limit) - r.gas_left;
    const int64_t refund =
        std::min<int64_t>(r.gas_refund, used_before_refund / tenv.gas->max_refund_quotient);
    CallOutcome out;
    out.status = r.status;
    out.success = r.status == evm::Status::kSuccess;
    out.gas_refund = static_cast<uint64_t>(refund);
    out.gas_used = static_cast<uint64_t>(used_before_refund - refund);
    out.output = std::move(r.output);
    if (out.success)
    {
        out.logs = std::move(vm.logs());
        if (txn.is_creation())
            out.contract_address = r.create_address;
    }
    return out;
}

Result<uint64_t, CallError> estimate_gas(const CallEnv& env,
                                         const CallRequest& req,
                                         uint64_t gas_cap,
                                         uint64_t* executed)
{
    // Every simulation of the search, counted for the caller.
    const auto simulate = [&](uint64_t gas) {
        auto r = simulate_call(env, req, gas);
        if (r && executed != nullptr)
            *executed += r->gas_run();
        return r;
    };
    auto fees = resolve_fees(req, env.block.base_fee);
    if (!fees)
        return unexpected(fees.error());
    uint64_t hi = std::min(req.gas.value_or(env.block.gas_limit), gas_cap);
    if (fees->fee_cap)
    {
        state::JournaledState st{env.state};
        const U256 balance = st.balance(req.from.value_or(Address{}));
        if (balance < req.value)
            return unexpected(
                CallError{CallErrc::kInsufficientFunds, "insufficient funds for transfer", {}});
        hi = std::min(hi, gas_allowance(balance, req.value, fees->fee_cap));
    }
    const TxEnv tenv = tx_env_for(env.spec, env.block.number);
    const uint64_t intrinsic = txtypes::intrinsic_gas(as_transaction(req, 0), tenv.revision);

    // First at the bound: if that fails, nothing lower succeeds.
    auto top = simulate(hi);
    if (!top)
        return unexpected(top.error());
    if (!top->success)
    {
        if (top->status == evm::Status::kRevert)
            return unexpected(
                CallError{CallErrc::kReverted, revert_message(top->output), top->output});
        if (top->status == evm::Status::kOutOfGas)
            return unexpected(
                CallError{CallErrc::kFailed,
                          "gas required exceeds allowance (" + std::to_string(hi) + ")",
                          {}});
        return unexpected(CallError{CallErrc::kFailed,
                                    std::string{"execution failed: "} + evm::to_string(top->status),
                                    {}});
    }

    // A limit below the gas consumed before the refund cannot succeed (geth's lower bound).
    uint64_t lo = std::max(intrinsic, top->gas_used) - 1;
    const auto succeeds = [&](uint64_t gas) {
        auto r = simulate(gas);
        return r && r->success;
    };
    // Most calls need little more than they consumed: try that first (the 63/64 rule of
    // nested calls and the SSTORE stipend check are the usual extra), as geth does.
    const uint64_t consumed = top->gas_run();
    const uint64_t optimistic = (consumed + 2300) / 63 * 64 + 64;
    if (optimistic > lo && optimistic < hi)
    {
        if (succeeds(optimistic))
            hi = optimistic;
        else
            lo = optimistic;
    }
    while (lo + 1 < hi)
    {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (succeeds(mid))
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

std::string revert_message(ByteView out)
{
    std::string msg = "execution reverted";
    // Error(string): 0x08c379a0 || offset || length || bytes.
    static constexpr uint8_t kError[4] = {0x08, 0xc3, 0x79, 0xa0};
    static constexpr uint8_t kPanic[4] = {0x4e, 0x48, 0x7b, 0x71};
    if (out.size() >= 4 + 64 && std::equal(kError, kError + 4, out.begin()))
    {
        const ByteView body = out.substr(4);
        const U256 offset = from_be_bytes(body.substr(0, 32));
        if (!fits_u64(offset) || low_u64(offset) > body.size() - 32)
            return msg;
        const size_t off = static_cast<size_t>(low_u64(offset));
        const U256 len = from_be_bytes(body.substr(off, 32));
        if (!fits_u64(len) || low_u64(len) > body.size() - off - 32)
            return msg;
        const ByteView reason = body.substr(off + 32, static_cast<size_t>(low_u64(len)));
        msg += ": ";
        for (const uint8_t c : reason)
            msg += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    }
    else if (out.size() == 4 + 32 && std::equal(kPanic, kPanic + 4, out.begin()))
    {
        msg += ": panic " + to_hex(from_be_bytes(out.substr(4)));
    }
    return msg;
}

// ---- TrieStateReader ---------------------------------------------------------------------

TrieStateReader::TrieStateReader(const state::StateDb& db, const Hash& state_root)
    : m_db{db}, m_trie{db.trie()}, m_root{state_root}
{}

const std::optional<state::Account>& TrieStateReader::leaf(const Address& identity) const
{
    if (auto it = m_accounts.find(identity); it != m_accounts.end())
        return it->second;
    std::optional<state::Account> acc;
    auto v = m_trie.get(m_root, keccak256(identity));
    if (!v)
        m_missing = true;
    else if (*v)
    {
        auto decoded = state::decode_account(**v);
        if (decoded)
            acc = *decoded;
        else
            m_missing = true;  // a malformed leaf: as unusable as a missing one
    }
    return m_accounts.emplace(identity, acc).first->second;
}

std::optional<state::Account> TrieStateReader::account(state::Engine engine,
                                                       const Address& identity) const
{
    const auto& a = leaf(identity);
    if (!a || a->engine != engine)
        return std::nullopt;
    return a;
}

U256 TrieStateReader::storage(state::Engine engine, const Address& identity, const U256& slot) const
{
    const auto a = account(engine, identity);
    if (!a || a->storage_root == txtypes::kEmptyRootHash)
        return 0;
    auto v = m_trie.get(a->storage_root, keccak256(state::trie_slot(slot)));
    if (!v)
    {
        m_missing = true;
        return 0;
    }
    if (!*v)
        return 0;
    ByteView in{**v};
    auto s = rlp::decode_string(in);
    if (!s || !in.empty() || s->size() > 32)
    {
        m_missing = true;
        return 0;
    }
    return from_be_bytes(*s);
}

Bytes TrieStateReader::code(const Hash& code_hash) const
{
    return m_db.code(code_hash);
}

}  // namespace l2::execution
