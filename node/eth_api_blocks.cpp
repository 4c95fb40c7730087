// eth_ methods over blocks, transactions and receipts (no state): getBlockBy*,
// getBlockTransactionCountBy*, getTransactionBy*, getTransactionReceipt, getBlockReceipts.
#include <txtypes/hex.hpp>

#include "eth_api_detail.hpp"

namespace l2::node::eth_detail {

namespace {

/// The full transaction object of `block.transactions[i]`; `receipts` (may be empty) give a
/// deposit's nonce.
json tx_object(const txtypes::Block& block,
               const Hash& block_hash,
               size_t i,
               const std::vector<txtypes::Receipt>& receipts)
{
    const txtypes::Transaction& txn = block.transactions[i];
    TxPosition pos{block_hash, block.header.number, static_cast<uint32_t>(i),
                   block.header.base_fee_per_gas};
    std::optional<uint64_t> dn;
    std::optional<uint64_t> dv;
    if (i < receipts.size())
    {
        dn = receipts[i].deposit_nonce;
        dv = receipts[i].deposit_receipt_version;
    }
    return transaction_json(txn, txtypes::transaction_hash(txn), sender_of(txn), pos, dn, dv);
}

bool has_deposit(const txtypes::Block& block)
{
    for (const auto& t : block.transactions)
        if (t.type == txtypes::TxType::kDeposit)
            return true;
    return false;
}

RpcResult block_object(EthApiContext& ctx, const std::optional<BlockId>& id, bool full)
{
    if (!id)
        return json(nullptr);
    auto block = load_block(ctx, *id);
    if (!block)
        return unexpected(block.error());
    const uint64_t size = txtypes::encode_block(*block).size();
    json j = header_json(block->header, id->hash, size);
    json txs = json::array();
    if (full)
    {
        std::vector<txtypes::Receipt> receipts;
        if (has_deposit(*block))
        {
            auto r = load_receipts(ctx, *id);
            if (!r)
                return unexpected(r.error());
            receipts = std::move(*r);
        }
        for (size_t i = 0; i < block->transactions.size(); ++i)
            txs.push_back(tx_object(*block, id->hash, i, receipts));
    }
    else
    {
        for (const auto& t : block->transactions)
            txs.push_back(to_0x_hex(txtypes::transaction_hash(t)));
    }
    j["transactions"] = std::move(txs);
    json withdrawals = json::array();
    if (block->withdrawals)
        for (const auto& w : *block->withdrawals)
            withdrawals.push_back({{"index", quantity(w.index)},
                                   {"validatorIndex", quantity(w.validator_index)},
                                   {"address", to_0x_hex(w.address)},
                                   {"amount", quantity(w.amount_gwei)}});
    j["withdrawals"] = std::move(withdrawals);
    return j;
}

/// Decodes (tag or hash, optional bool) and resolves the block.
RpcParse<std::optional<BlockId>> block_param(EthApiContext& ctx, const json& params, bool by_hash)
{
    if (by_hash)
    {
        auto h = parse_hash(params[0], "block hash");
        if (!h)
            return unexpected(h.error());
        BlockTag t;
        t.kind = BlockTag::Kind::kHash;
        t.hash = *h;
        return resolve_block(ctx, t);
    }
    auto tag = parse_block_tag(param(params, 0), "block number", false);
    if (!tag)
        return unexpected(tag.error());
    return resolve_block(ctx, *tag);
}

RpcResult get_block(EthApiContext& ctx, const json& params, bool by_hash)
{
    if (auto ok = check_params(params, 1, 2); !ok)
        return unexpected(ok.error());
    auto id = block_param(ctx, params, by_hash);
    if (!id)
        return unexpected(id.error());
    bool full = false;
    if (const json* f = param(params, 1))
    {
        auto b = parse_bool(*f, "full transactions flag");
        if (!b)
            return unexpected(b.error());
        full = *b;
    }
    return block_object(ctx, *id, full);
}

RpcResult get_block_by_number(EthApiContext& ctx, const json& params)
{
    return get_block(ctx, params, false);
}

RpcResult get_block_by_hash(EthApiContext& ctx, const json& params)
{
    return get_block(ctx, params, true);
}

RpcResult tx_count(EthApiContext& ctx, const json& params, bool by_hash)
{
    if (auto ok = check_params(params, 1, 1); !ok)
        return unexpected(ok.error());
    auto id = block_param(ctx, params, by_hash);
    if (!id)
        return unexpected(id.error());
    if (!*id)
        return json(nullptr);
    auto block = load_block(ctx, **id);
    if (!block)
        return unexpected(block.error());
    return json(quantity(uint64_t{block->transactions.size()}));
}

RpcResult tx_count_by_number(EthApiContext& ctx, const json& params)
{
    return tx_count(ctx, params, false);
}

RpcResult tx_count_by_hash(EthApiContext& ctx, const json& params)
{
    return tx_count(ctx, params, true);
}

/// The transaction at `index` of a block, with its receipts when it is a deposit.
RpcResult tx_in_block(EthApiContext& ctx, const BlockId& id, uint64_t index)
{
    auto block = load_block(ctx, id);
    if (!block)
        return unexpected(block.error());
    if (index >= block->transactions.size())
        return json(nullptr);
    const size_t i = static_cast<size_t>(index);
    std::vector<txtypes::Receipt> receipts;
    if (block->transactions[i].type == txtypes::TxType::kDeposit)
    {
        auto r = load_receipts(ctx, id);
        if (!r)
            return unexpected(r.error());
        receipts = std::move(*r);
    }
    return tx_object(*block, id.hash, i, receipts);
}

/// The transaction hash that is the only parameter, and where it stands in the canonical chain
/// (none when it is not there).
struct TxLookup
{
    Hash hash;
    std::optional<state::TxLocation> location;
};

Result<TxLookup, RpcError> lookup_tx_param(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 1); !ok)
        return unexpected(ok.error());
    auto h = parse_hash(params[0], "transaction hash");
    if (!h)
        return unexpected(h.error());
    auto loc = ctx.chain.blocks().tx_location(*h);
    if (!loc)
        return db_error(loc.error());
    return TxLookup{*h, *loc};
}

RpcResult get_tx_by_hash(EthApiContext& ctx, const json& params)
{
    auto found = lookup_tx_param(ctx, params);
    if (!found)
        return unexpected(found.error());
    if (found->location)
        return tx_in_block(ctx, {found->location->block_num, found->location->block_hash},
                           found->location->index);
    if (ctx.pending_tx)
    {
        if (auto txn = ctx.pending_tx(found->hash))
            return transaction_json(*txn, found->hash, sender_of(*txn), std::nullopt);
    }
    return json(nullptr);
}

RpcResult tx_by_block_and_index(EthApiContext& ctx, const json& params, bool by_hash)
{
    if (auto ok = check_params(params, 2, 2); !ok)
        return unexpected(ok.error());
    auto id = block_param(ctx, params, by_hash);
    if (!id)
        return unexpected(id.error());
    auto index = parse_u64(params[1], "transaction index");
    if (!index)
        return unexpected(index.error());
    if (!*id)
        return json(nullptr);
    return tx_in_block(ctx, **id, *index);
}

RpcResult tx_by_number_and_index(EthApiContext& ctx, const json& params)
{
    return tx_by_block_and_index(ctx, params, false);
}

RpcResult tx_by_hash_and_index(EthApiContext& ctx, const json& params)
{
    return tx_by_block_and_index(ctx, params, true);
}

RpcResult get_receipt(EthApiContext& ctx, const json& params)
{
    auto found = lookup_tx_param(ctx, params);
    if (!found)
        return unexpected(found.error());
    if (!found->location)
        return json(nullptr);
    const BlockId id{found->location->block_num, found->location->block_hash};
    auto block = load_block(ctx, id);
    if (!block)
        return unexpected(block.error());
    auto receipts = load_receipts(ctx, id);
    if (!receipts)
        return unexpected(receipts.error());
    const size_t i = found->location->index;
    if (i >= block->transactions.size() || receipts->size() != block->transactions.size())
        return rpc_error(kInternalError, "database error: receipts do not match block " +
                                             std::to_string(id.number));
    uint64_t first_log = 0;
    for (size_t k = 0; k < i; ++k)
        first_log += (*receipts)[k].logs.size();
    return receipt_object(*block, id.hash, *receipts, i, block_l1_info(*block), first_log,
                          found->hash, sender_of(block->transactions[i]));
}

RpcResult get_block_receipts(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 1); !ok)
        return unexpected(ok.error());
    auto tag = parse_block_tag(param(params, 0), "block", true);
    if (!tag)
        return unexpected(tag.error());
    auto id = resolve_block(ctx, *tag);
    if (!id)
        return unexpected(id.error());
    if (!*id)
        return json(nullptr);
    auto block = load_block(ctx, **id);
    if (!block)
        return unexpected(block.error());
    auto receipts = load_receipts(ctx, **id);
    if (!receipts)
        return unexpected(receipts.error());
    if (receipts->size() != block->transactions.size())
        return rpc_error(kInternalError, "database error: receipts do not match block " +
                                             std::to_string((*id)->number));
    const auto l1 = block_l1_info(*block);
    json out = json::array();
    uint64_t log_index = 0;
    for (size_t i = 0; i < receipts->size(); ++i)
    {
        const auto& txn = block->transactions[i];
        out.push_back(receipt_object(*block, (*id)->hash, *receipts, i, l1, log_index,
                                     txtypes::transaction_hash(txn), sender_of(txn)));
        log_index += (*receipts)[i].logs.size();
    }
    return out;
}

}  // namespace

void register_block_methods(RpcMethods& methods, EthApiContext& ctx)
{
    add_method(methods, ctx, "eth_getBlockByNumber", get_block_by_number);
    add_method(methods, ctx, "eth_getBlockByHash", get_block_by_hash);
    add_method(methods, ctx, "eth_getBlockTransactionCountByNumber", tx_count_by_number);
    add_method(methods, ctx, "eth_getBlockTransactionCountByHash", tx_count_by_hash);
    add_method(methods, ctx, "eth_getTransactionByHash", get_tx_by_hash);
    add_method(methods, ctx, "eth_getTransactionByBlockNumberAndIndex", tx_by_number_and_index);
    add_method(methods, ctx, "eth_getTransactionByBlockHashAndIndex", tx_by_hash_and_index);
    add_method(methods, ctx, "eth_getTransactionReceipt", get_receipt);
    add_method(methods, ctx, "eth_getBlockReceipts", get_block_receipts);
}

}  // namespace l2::node::eth_detail
