// The eth_ API: registration, the chain-level methods (web3_, net_, chainId, blockNumber,
// sendRawTransaction, rollup_syncStatus) and the helpers the other eth_api_*.cpp share.
#include "eth_api.hpp"

#include <exception>

#include <spdlog/spdlog.h>
#include <execution/evm/evm.hpp>
#include <execution/l1_fee.hpp>
#include <execution/predeploys.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include "eth_api_detail.hpp"

#ifndef L2NODE_VERSION
#define L2NODE_VERSION "0.1.0"  // the project version (CMakeLists.txt); the executable's flag wins
#endif

namespace l2::node {

namespace eth_detail {

void add_method(RpcMethods& methods, EthApiContext& ctx, std::string name, Method fn)
{
    methods.add(name, [&ctx, fn, name](const json& params) -> RpcResult {
        try
        {
            return fn(ctx, params);
        }
        catch (const std::exception& e)
        {
            spdlog::warn("rpc: {} failed: {}", name, e.what());
            return rpc_error(kInternalError, std::string{"internal error: "} + e.what());
        }
        catch (...)
        {
            return rpc_error(kInternalError, "internal error");
        }
    });
}

Unexpected<RpcError> server_error(std::string message)
{
    return rpc_error(kServerError, std::move(message));
}

Unexpected<RpcError> db_error(const state::KvError& e)
{
    return rpc_error(kInternalError, "database error: " + e.message);
}

Unexpected<RpcError> pruned_error(uint64_t block_number)
{
    return rpc_error(kPrunedHistory,
                     "pruned history unavailable (block " + std::to_string(block_number) + ")");
}

RpcParse<std::optional<BlockId>> resolve_block(EthApiContext& ctx, const BlockTag& tag)
{
    using K = BlockTag::Kind;
    const auto& blocks = ctx.chain.blocks();
    switch (tag.kind)
    {
        case K::kLatest:
        case K::kPending: {
            const auto head = ctx.chain.head();
            return std::optional<BlockId>{BlockId{head.header.number, head.hash}};
        }
        case K::kSafe:
        case K::kFinalized: {
            const auto ref = ctx.chain.head_ref(tag.kind == K::kSafe ? state::Head::kSafe
                                                                     : state::Head::kFinalized);
            if (!ref)
                return std::optional<BlockId>{};
            return std::optional<BlockId>{BlockId{ref->number, ref->hash}};
        }
        case K::kEarliest:
        case K::kNumber: {
            const uint64_t n = tag.kind == K::kEarliest ? 0 : tag.number;
            auto h = blocks.canonical_hash(n);
            if (!h)
                return db_error(h.error());
            if (!*h)
                return std::optional<BlockId>{};
            return std::optional<BlockId>{BlockId{n, **h}};
        }
        case K::kHash: {
            auto n = blocks.block_number(tag.hash);
            if (!n)
                return db_error(n.error());
            if (!*n)
                return std::optional<BlockId>{};
            if (tag.require_canonical && ctx.chain.canonical_hash(**n) != tag.hash)
                return server_error("hash " + to_0x_hex(tag.hash) + " is not currently canonical");
            return std::optional<BlockId>{BlockId{**n, tag.hash}};
        }
    }
    return std::optional<BlockId>{};
}

RpcParse<txtypes::Block> load_block(EthApiContext& ctx, const BlockId& id)
{
    auto b = ctx.chain.blocks().block(id.number, id.hash);
    if (!b)
        return db_error(b.error());
    if (!*b)
        return pruned_error(id.number);
    return std::move(**b);
}

RpcParse<std::vector<txtypes::Receipt>> load_receipts(EthApiContext& ctx, const BlockId& id)
{
    auto r = ctx.chain.blocks().receipts(id.number, id.hash);
    if (!r)
        return db_error(r.error());
    if (!*r)
        return pruned_error(id.number);
    return std::move(**r);
}

Address sender_of(const txtypes::Transaction& txn)
{
    if (txn.type == txtypes::TxType::kDeposit)
        return txn.from;
    auto a = txtypes::recover_sender(txn);
    return a ? *a : Address{};
}

json receipt_object(const txtypes::Block& block,
                    const Hash& block_hash,
                    const std::vector<txtypes::Receipt>& receipts,
                    size_t index,
                    const std::optional<execution::L1Info>& l1,
                    uint64_t first_log_index,
                    const Hash& tx_hash,
                    const Address& from)
{
    const txtypes::Transaction& txn = block.transactions[index];
    const txtypes::Receipt& r = receipts[index];
    ReceiptContext c;
    c.tx_hash = tx_hash;
    c.from = from;
    c.to = txn.to;
    c.block_hash = block_hash;
    c.block_number = block.header.number;
    c.index = static_cast<uint32_t>(index);
    const uint64_t before = index == 0 ? 0 : receipts[index - 1].cumulative_gas_used;
    c.gas_used = r.cumulative_gas_used >= before ? r.cumulative_gas_used - before : 0;
    c.first_log_index = first_log_index;
    if (txn.type == txtypes::TxType::kDeposit)
    {
        c.effective_gas_price = 0;
        if (txn.is_creation())
            c.contract_address = execution::evm::create_address(from, r.deposit_nonce.value_or(0));
        return receipt_json(r, c);
    }
    const U256 base = block.header.base_fee_per_gas.value_or(U256{0});
    c.effective_gas_price =
        txn.max_fee_per_gas >= base
            ? base + std::min(txn.max_priority_fee_per_gas, txn.max_fee_per_gas - base)
            : txn.max_fee_per_gas;
    if (txn.is_creation())
        c.contract_address = execution::evm::create_address(from, txn.nonce);
    if (l1)
    {
        // What the block executor charged: the data fee of the canonical encoding at the
        // block's L1 parameters, and proofFeePerGas x gasUsed.
        const Bytes raw = txtypes::encode_transaction(txn);
        ReceiptL2Fees f;
        f.l1 = *l1;
        f.l1_fee = execution::l1_data_fee(l1->fee_params(), raw);
        f.l1_gas_used = execution::l1_gas_used(raw);
        f.proof_fee = l1->proof_fee_per_gas * U256{c.gas_used};
        c.l2_fees = f;
    }
    return receipt_json(r, c);
}

RpcParse<StateAt> open_state(EthApiContext& ctx, const BlockTag& tag)
{
    StateAt s;
    s.lock = ctx.chain.read_lock();
    const auto head = ctx.chain.head();
    auto id = resolve_block(ctx, tag);
    if (!id)
        return unexpected(id.error());
    if (!*id)
        return server_error("header not found");
    if ((*id)->hash == head.hash)
    {
        s.header = head.header;
        s.hash = head.hash;
        s.is_head = true;
        s.reader = &ctx.chain.state();
        return s;
    }
    // An older block: its trie, which needs no lock (nodes are content-addressed and kept).
    s.lock.unlock();
    auto h = ctx.chain.blocks().header((*id)->number, (*id)->hash);
    if (!h)
        return db_error(h.error());
    if (!*h)
        return server_error("header not found");
    s.header = std::move(**h);
    s.hash = (*id)->hash;
    s.trie = std::make_unique<execution::TrieStateReader>(ctx.chain.state(), s.header.state_root);
    s.reader = s.trie.get();
    return s;
}

RpcParse<void> check_state(const StateAt& s)
{
    // A trie node missing below the head: its state was garbage-collected behind the history
    // window (history.blocks), the same 4444 as pruned bodies.
    if (s.trie && s.trie->missing())
        return pruned_error(s.header.number);
    return {};
}

}  // namespace eth_detail

namespace {

using namespace eth_detail;

RpcResult web3_client_version(EthApiContext&, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    return json("l2node/" L2NODE_VERSION);
}

RpcResult net_version(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    return json(std::to_string(ctx.chain.spec().chain_id));
}

RpcResult eth_chain_id(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    return json(quantity(ctx.chain.spec().chain_id));
}

RpcResult eth_block_number(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    return json(quantity(ctx.chain.head().header.number));
}

RpcResult eth_syncing(EthApiContext&, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    return json(false);
}

RpcResult eth_accounts(EthApiContext&, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    return json::array();
}

RpcResult eth_send_raw_transaction(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 1); !ok)
        return unexpected(ok.error());
    auto raw = parse_data(params[0], "transaction");
    if (!raw)
        return unexpected(raw.error());
    if (raw->empty())
        return rpc_error(kInvalidParams, "invalid transaction: empty");
    if (!ctx.submit)
        return server_error("transaction submission is not available on this node");
    auto h = ctx.submit(*raw);
    if (!h)
        return server_error(h.error());
    return json(to_0x_hex(*h));
}

RpcResult rollup_sync_status(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    if (!ctx.sync_status)
        return server_error("sync status not available");
    json j = ctx.sync_status();
    // History pruning (issue 9): the oldest block whose body, receipts and tx index are stored.
    auto oldest = ctx.chain.blocks().oldest_available();
    if (!oldest)
        return db_error(oldest.error());
    if (j.is_object())
        j["oldest_available_block"] = *oldest;
    return j;
}

}  // namespace

Hash output_root_v0(const Hash& state_root,
                    const Hash& message_passer_storage_root,
                    const Hash& block_hash)
{
    uint8_t buf[128] = {};
    std::copy(state_root.bytes.begin(), state_root.bytes.end(), buf + 32);
    std::copy(message_passer_storage_root.bytes.begin(), message_passer_storage_root.bytes.end(),
              buf + 64);
    std::copy(block_hash.bytes.begin(), block_hash.bytes.end(), buf + 96);
    return keccak256(ByteView{buf, sizeof buf});
}

void register_eth_api(RpcMethods& methods, EthApiContext& ctx)
{
    add_method(methods, ctx, "web3_clientVersion", web3_client_version);
    add_method(methods, ctx, "net_version", net_version);
    add_method(methods, ctx, "eth_chainId", eth_chain_id);
    add_method(methods, ctx, "eth_blockNumber", eth_block_number);
    add_method(methods, ctx, "eth_syncing", eth_syncing);
    add_method(methods, ctx, "eth_accounts", eth_accounts);
    add_method(methods, ctx, "eth_sendRawTransaction", eth_send_raw_transaction);
    add_method(methods, ctx, "rollup_syncStatus", rollup_sync_status);
    register_block_methods(methods, ctx);
    register_state_methods(methods, ctx);
    register_log_and_fee_methods(methods, ctx);
}

}  // namespace l2::node
