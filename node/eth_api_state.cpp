// eth_ methods over state: getBalance, getTransactionCount, getCode, getStorageAt, call,
// estimateGas, getProof, and rollup_outputAtBlock. The head is read from the flat state under
// the chain's read lock; an older block from its trie while its nodes are kept.
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include "eth_api_detail.hpp"

namespace l2::node::eth_detail {

namespace {

/// Most storage keys one eth_getProof answers.
constexpr size_t kMaxProofKeys = 1024;

/// The account of `addr` whatever its engine (EVM first).
std::optional<state::Account> any_account(const state::StateReader& r, const Address& addr)
{
    if (auto a = r.account(state::Engine::kEvm, addr))
        return a;
    return r.account(state::Engine::kWasm, addr);
}

/// Decodes (address, block tag) and opens the state.
struct AddressAndState
{
    Address address;
    StateAt state;
};

RpcParse<AddressAndState> address_and_state(EthApiContext& ctx,
                                            const json& params,
                                            size_t tag_index)
{
    auto addr = parse_address(params[0], "address");
    if (!addr)
        return unexpected(addr.error());
    auto tag = parse_block_tag(param(params, tag_index), "block", true);
    if (!tag)
        return unexpected(tag.error());
    auto s = open_state(ctx, *tag);
    if (!s)
        return unexpected(s.error());
    return AddressAndState{*addr, std::move(*s)};
}

RpcResult get_balance(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 2); !ok)
        return unexpected(ok.error());
    auto q = address_and_state(ctx, params, 1);
    if (!q)
        return unexpected(q.error());
    const auto a = any_account(*q->state.reader, q->address);
    if (auto ok = check_state(q->state); !ok)
        return unexpected(ok.error());
    return json(quantity(a ? a->balance : U256{0}));
}

RpcResult get_transaction_count(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 2); !ok)
        return unexpected(ok.error());
    const json* t = param(params, 1);
    if (t != nullptr && t->is_string() && *t == "pending" && ctx.pending_nonce)
    {
        auto addr = parse_address(params[0], "address");
        if (!addr)
            return unexpected(addr.error());
        if (auto n = ctx.pending_nonce(*addr))
            return json(quantity(*n));
    }
    auto q = address_and_state(ctx, params, 1);
    if (!q)
        return unexpected(q.error());
    const auto a = any_account(*q->state.reader, q->address);
    if (auto ok = check_state(q->state); !ok)
        return unexpected(ok.error());
    return json(quantity(a ? a->nonce : 0));
}

RpcResult get_code(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 2); !ok)
        return unexpected(ok.error());
    auto q = address_and_state(ctx, params, 1);
    if (!q)
        return unexpected(q.error());
    const auto a = any_account(*q->state.reader, q->address);
    Bytes code;
    if (a && a->code_hash != state::kEmptyCodeHash)
        code = q->state.reader->code(a->code_hash);
    if (auto ok = check_state(q->state); !ok)
        return unexpected(ok.error());
    return json(data_hex(code));
}

RpcResult get_storage_at(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 2, 3); !ok)
        return unexpected(ok.error());
    auto slot = parse_slot(params[1], "storage slot");
    if (!slot)
        return unexpected(slot.error());
    auto q = address_and_state(ctx, params, 2);
    if (!q)
        return unexpected(q.error());
    const U256 v = q->state.reader->storage(state::Engine::kEvm, q->address, *slot);
    if (auto ok = check_state(q->state); !ok)
        return unexpected(ok.error());
    Hash out;
    to_be_bytes(v, out.data());
    return json(to_0x_hex(out));
}

/// Decodes (call object, block tag[, state overrides]) and opens the state.
struct CallQuery
{
    execution::CallRequest request;
    StateAt state;
};

RpcParse<CallQuery> call_query(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 3); !ok)
        return unexpected(ok.error());
    if (param(params, 2) != nullptr)
        return rpc_error(kInvalidParams, "state overrides are not supported");
    auto req = parse_call_request(params[0], "transaction");
    if (!req)
        return unexpected(req.error());
    auto tag = parse_block_tag(param(params, 1), "block", true);
    if (!tag)
        return unexpected(tag.error());
    auto s = open_state(ctx, *tag);
    if (!s)
        return unexpected(s.error());
    return CallQuery{std::move(*req), std::move(*s)};
}

RpcError call_error(const execution::CallError& e)
{
    if (e.code == execution::CallErrc::kReverted)
        return {kRevertCode, e.message, json(data_hex(e.data))};
    return {kServerError, e.message, std::nullopt};
}

/// A call refused because its request's gas budget (rpc.max_request_gas) is spent.
Unexpected<RpcError> request_gas_error(uint64_t gas)
{
    return rpc_error(kLimitExceeded,
                     "request gas budget exhausted: this call may run " + std::to_string(gas) +
                         " gas; split the batch (rpc.max_request_gas)");
}

RpcResult eth_call(EthApiContext& ctx, const json& params)
{
    auto q = call_query(ctx, params);
    if (!q)
        return unexpected(q.error());
    execution::evm::BlockContext block = execution::child_block_context(
        ctx.chain.spec(), q->state.header, ctx.chain.block_hash_fn());
    block.l1_storage = ctx.chain.l1_storage();  // L1SLOAD
    const execution::CallEnv env{*q->state.reader, ctx.chain.spec(), std::move(block)};
    const uint64_t cap = ctx.limits.max_call_gas;
    const uint64_t gas = std::min(q->request.gas.value_or(cap), cap);
    if (!request_gas::take(gas))
        return request_gas_error(gas);
    auto out = execution::simulate_call(env, q->request, gas);
    request_gas::give_back(out ? gas - out->gas_run() : gas);
    if (auto ok = check_state(q->state); !ok)
        return unexpected(ok.error());
    if (!out)
        return unexpected(call_error(out.error()));
    if (out->success)
        return json(data_hex(out->output));
    if (out->status == execution::evm::Status::kRevert)
        return rpc_error(kRevertCode, execution::revert_message(out->output),
                         json(data_hex(out->output)));
    return server_error(execution::evm::to_string(out->status));
}

RpcResult eth_estimate_gas(EthApiContext& ctx, const json& params)
{
    auto q = call_query(ctx, params);
    if (!q)
        return unexpected(q.error());
    execution::evm::BlockContext block = execution::child_block_context(
        ctx.chain.spec(), q->state.header, ctx.chain.block_hash_fn());
    block.l1_storage = ctx.chain.l1_storage();  // L1SLOAD
    const execution::CallEnv env{*q->state.reader, ctx.chain.spec(), std::move(block)};
    // The search runs at most its upper bound per simulation: take one such run up front, then
    // charge what the whole search ran.
    const uint64_t cap = ctx.limits.max_call_gas;
    const uint64_t reserve = std::min(q->request.gas.value_or(cap), cap);
    if (!request_gas::take(reserve))
        return request_gas_error(reserve);
    uint64_t executed = 0;
    auto gas = execution::estimate_gas(env, q->request, cap, &executed);
    request_gas::give_back(reserve);
    request_gas::charge(executed);
    if (auto ok = check_state(q->state); !ok)
        return unexpected(ok.error());
    if (!gas)
        return unexpected(call_error(gas.error()));
    return json(quantity(*gas));
}

/// A trie read failure: pruned history for an older block, a database error for the head.
Unexpected<RpcError> trie_error(const StateAt& s, const state::KvError& e)
{
    if (!s.is_head)
        return pruned_error(s.header.number);  // GCed state behind the history window
    return db_error(e);
}

json proof_json(const std::vector<Bytes>& nodes)
{
    json out = json::array();
    for (const Bytes& n : nodes)
        out.push_back(data_hex(n));
    return out;
}

RpcResult get_proof(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 2, 3); !ok)
        return unexpected(ok.error());
    if (!params[1].is_array())
        return rpc_error(kInvalidParams, "invalid storage keys: expected an array");
    if (params[1].size() > kMaxProofKeys)
        return rpc_error(kInvalidParams,
                         "invalid storage keys: more than " + std::to_string(kMaxProofKeys));
    std::vector<U256> slots;
    for (const json& k : params[1])
    {
        auto s = parse_slot(k, "storage key");
        if (!s)
            return unexpected(s.error());
        slots.push_back(*s);
    }
    auto q = address_and_state(ctx, params, 2);
    if (!q)
        return unexpected(q.error());
    const StateAt& st = q->state;
    const state::Trie trie = ctx.chain.state().trie();
    const Hash& root = st.header.state_root;
    const Hash account_key = keccak256(q->address);
    auto account_proof = trie.prove(root, account_key);
    if (!account_proof)
        return trie_error(st, account_proof.error());
    auto leaf = trie.get(root, account_key);
    if (!leaf)
        return trie_error(st, leaf.error());
    state::Account account;
    if (*leaf)
    {
        auto a = state::decode_account(**leaf);
        if (!a)
            return rpc_error(kInternalError, "database error: undecodable account leaf");
        account = *a;
    }

    json storage = json::array();
    for (size_t i = 0; i < slots.size(); ++i)
    {
        const Hash key = keccak256(state::trie_slot(slots[i]));
        auto proof = trie.prove(account.storage_root, key);
        if (!proof)
            return trie_error(st, proof.error());
        auto v = trie.get(account.storage_root, key);
        if (!v)
            return trie_error(st, v.error());
        U256 value;
        if (*v)
        {
            ByteView in{**v};
            auto s = rlp::decode_string(in);
            if (!s || !in.empty() || s->size() > 32)
                return rpc_error(kInternalError, "database error: undecodable storage leaf");
            value = from_be_bytes(*s);
        }
        storage.push_back(
            {{"key", params[1][i]}, {"value", quantity(value)}, {"proof", proof_json(*proof)}});
    }
    return json{
        {"address", to_0x_hex(q->address)},     {"accountProof", proof_json(*account_proof)},
        {"balance", quantity(account.balance)}, {"codeHash", to_0x_hex(account.code_hash)},
        {"nonce", quantity(account.nonce)},     {"storageHash", to_0x_hex(account.storage_root)},
        {"storageProof", std::move(storage)}};
}

RpcResult rollup_output_at_block(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 1); !ok)
        return unexpected(ok.error());
    auto tag = parse_block_tag(param(params, 0), "block number", false);
    if (!tag)
        return unexpected(tag.error());
    auto s = open_state(ctx, *tag);
    if (!s)
        return unexpected(s.error());
    const auto& h = s->header;
    // The message passer's storage root, from the trie at that block (empty when absent).
    const state::Trie trie = ctx.chain.state().trie();
    auto leaf = trie.get(h.state_root, keccak256(kMessagePasser));
    if (!leaf)
        return trie_error(*s, leaf.error());
    Hash storage_root = txtypes::kEmptyRootHash;
    if (*leaf)
    {
        auto a = state::decode_account(**leaf);
        if (!a)
            return rpc_error(kInternalError, "database error: undecodable account leaf");
        storage_root = a->storage_root;
    }
    const Hash output = output_root_v0(h.state_root, storage_root, s->hash);

    // L1 origin and sequence number from the block's L1-info deposit (zero when pruned).
    execution::L1Info l1;
    if (auto b = ctx.chain.blocks().block(h.number, s->hash); b && *b)
        l1 = block_l1_info(**b).value_or(execution::L1Info{});
    json ref = {{"hash", to_0x_hex(s->hash)},
                {"number", h.number},
                {"parentHash", to_0x_hex(h.parent_hash)},
                {"timestamp", h.timestamp},
                {"l1origin", {{"hash", to_0x_hex(l1.hash)}, {"number", l1.number}}},
                {"sequenceNumber", l1.sequence_number}};
    json out = {{"version", to_0x_hex(Hash{})},
                {"outputRoot", to_0x_hex(output)},
                {"blockRef", std::move(ref)},
                {"withdrawalStorageRoot", to_0x_hex(storage_root)},
                {"stateRoot", to_0x_hex(h.state_root)}};
    s->lock = {};  // sync_status may take node locks of its own
    if (ctx.sync_status)
        out["syncStatus"] = ctx.sync_status();
    return out;
}

}  // namespace

void register_state_methods(RpcMethods& methods, EthApiContext& ctx)
{
    add_method(methods, ctx, "eth_getBalance", get_balance);
    add_method(methods, ctx, "eth_getTransactionCount", get_transaction_count);
    add_method(methods, ctx, "eth_getCode", get_code);
    add_method(methods, ctx, "eth_getStorageAt", get_storage_at);
    add_method(methods, ctx, "eth_call", eth_call);
    add_method(methods, ctx, "eth_estimateGas", eth_estimate_gas);
    add_method(methods, ctx, "eth_getProof", get_proof);
    add_method(methods, ctx, "rollup_outputAtBlock", rollup_output_at_block);
}

}  // namespace l2::node::eth_detail
