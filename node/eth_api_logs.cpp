// eth_getLogs (bloom-skipping scan with range and result limits) and the fee methods:
// eth_feeHistory, eth_gasPrice, eth_maxPriorityFeePerGas.
#include <algorithm>

#include <txtypes/hex.hpp>

#include "eth_api_detail.hpp"

namespace l2::node::eth_detail {

namespace {

/// eth_feeHistory accepts at most this many reward percentiles.
constexpr size_t kMaxPercentiles = 100;

/// Collects the logs of blocks matching one filter, up to the result limit.
class LogCollector
{
public:
    LogCollector(EthApiContext& ctx, const LogFilter& f) : m_ctx{ctx}, m_filter{f} {}

    /// Adds the matching logs of one block (skipped by its bloom when it cannot match).
    RpcParse<void> scan(const BlockId& id, const txtypes::BlockHeader& header)
    {
        if (!bloom_may_match(m_filter, header.logs_bloom))
            return {};
        auto receipts = load_receipts(m_ctx, id);
        if (!receipts)
            return unexpected(receipts.error());
        std::optional<txtypes::Block> body;  // read only when a log matches (tx hashes)
        uint64_t log_index = 0;
        for (size_t i = 0; i < receipts->size(); ++i)
        {
            std::optional<Hash> tx_hash;
            for (const auto& log : (*receipts)[i].logs)
            {
                const uint64_t index = log_index++;
                if (!log_matches(m_filter, log))
                    continue;
                if (!tx_hash)
                {
                    if (!body)
                    {
                        auto b = load_block(m_ctx, id);
                        if (!b)
                            return unexpected(b.error());
                        body = std::move(*b);
                    }
                    if (i >= body->transactions.size())
                        return rpc_error(kInternalError,
                                         "database error: receipts do not match block " +
                                             std::to_string(id.number));
                    tx_hash = txtypes::transaction_hash(body->transactions[i]);
                }
                if (m_out.size() >= m_ctx.limits.max_logs)
                    return rpc_error(kLimitExceeded,
                                     "query returned more than " +
                                         std::to_string(m_ctx.limits.max_logs) +
                                         " logs; narrow the block range or the filter");
                m_out.push_back(
                    log_json(log, id.hash, id.number, *tx_hash, static_cast<uint32_t>(i), index));
            }
        }
        return {};
    }

    json take() { return std::move(m_out); }

private:
    EthApiContext& m_ctx;
    const LogFilter& m_filter;
    json m_out = json::array();
};

/// A filter bound as a block number: tags resolve against the current heads.
RpcParse<uint64_t> bound_number(EthApiContext& ctx,
                                const std::optional<BlockTag>& tag,
                                uint64_t head)
{
    if (!tag)
        return head;
    using K = BlockTag::Kind;
    switch (tag->kind)
    {
        case K::kNumber:
            return tag->number;
        case K::kEarliest:
            return uint64_t{0};
        case K::kLatest:
        case K::kPending:
            return head;
        default: {
            auto id = resolve_block(ctx, *tag);
            if (!id)
                return unexpected(id.error());
            if (!*id)
                return server_error("safe/finalized block not known yet");
            return (*id)->number;
        }
    }
}

/// The canonical header and hash at `n` (nullopt when there is none).
RpcParse<std::optional<std::pair<BlockId, txtypes::BlockHeader>>> canonical_header(
    EthApiContext& ctx,
    uint64_t n)
{
    using Out = std::optional<std::pair<BlockId, txtypes::BlockHeader>>;
    auto hash = ctx.chain.blocks().canonical_hash(n);
    if (!hash)
        return db_error(hash.error());
    if (!*hash)
        return Out{};
    auto h = ctx.chain.blocks().header(n, **hash);
    if (!h)
        return db_error(h.error());
    if (!*h)
        return Out{};
    return Out{std::pair{BlockId{n, **hash}, std::move(**h)}};
}

RpcResult get_logs(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 1, 1); !ok)
        return unexpected(ok.error());
    auto f = parse_log_filter(params[0], "filter");
    if (!f)
        return unexpected(f.error());
    LogCollector logs{ctx, *f};
    if (f->block_hash)
    {
        BlockTag t;
        t.kind = BlockTag::Kind::kHash;
        t.hash = *f->block_hash;
        auto id = resolve_block(ctx, t);
        if (!id)
            return unexpected(id.error());
        if (!*id)
            return server_error("unknown block");
        auto h = ctx.chain.blocks().header((*id)->number, (*id)->hash);
        if (!h)
            return db_error(h.error());
        if (!*h)
            return server_error("unknown block");
        auto oldest = ctx.chain.blocks().oldest_available();
        if (!oldest)
            return db_error(oldest.error());
        if ((*id)->number < *oldest)
            return pruned_error((*id)->number);
        if (auto ok = logs.scan(**id, **h); !ok)
            return unexpected(ok.error());
        return logs.take();
    }

    const uint64_t head = ctx.chain.head().header.number;
    auto from = bound_number(ctx, f->from_block, head);
    if (!from)
        return unexpected(from.error());
    auto to = bound_number(ctx, f->to_block, head);
    if (!to)
        return unexpected(to.error());
    if (*from > *to)
        return rpc_error(kInvalidParams, "invalid block range params: fromBlock " +
                                             std::to_string(*from) + " > toBlock " +
                                             std::to_string(*to));
    if (*from > head)
        return json::array();
    const uint64_t last = std::min(*to, head);
    if (last - *from >= ctx.limits.max_logs_block_range)
        return rpc_error(kLimitExceeded, "block range of " + std::to_string(last - *from + 1) +
                                             " blocks exceeds the limit of " +
                                             std::to_string(ctx.limits.max_logs_block_range));
    // A range reaching below the history window cannot be answered completely (the receipts
    // are gone): 4444, even where the blooms would have skipped the pruned blocks.
    auto oldest = ctx.chain.blocks().oldest_available();
    if (!oldest)
        return db_error(oldest.error());
    if (*from < *oldest)
        return pruned_error(*from);
    for (uint64_t n = *from; n <= last; ++n)
    {
        auto h = canonical_header(ctx, n);
        if (!h)
            return unexpected(h.error());
        if (!*h)
            break;  // a reorg shortened the chain meanwhile
        if (auto ok = logs.scan((*h)->first, (*h)->second); !ok)
            return unexpected(ok.error());
    }
    return logs.take();
}

/// The tip a transaction paid per gas in a block of base fee `base`.
U256 effective_tip(const txtypes::Transaction& txn, const U256& base)
{
    if (txn.max_fee_per_gas < base)
        return 0;
    return std::min(txn.max_priority_fee_per_gas, txn.max_fee_per_gas - base);
}

/// Rewards at `percentiles` of one block (geth's method: transactions sorted by tip, the tip
/// of the one where the cumulative gas reaches the percentile). Deposits pay no tip and are
/// left out, so the L1-info transaction does not pull every block's low percentiles to 0.
RpcParse<json> block_rewards(EthApiContext& ctx,
                             const BlockId& id,
                             const U256& base,
                             const std::vector<double>& percentiles)
{
    auto block = load_block(ctx, id);
    if (!block)
        return unexpected(block.error());
    auto receipts = load_receipts(ctx, id);
    if (!receipts)
        return unexpected(receipts.error());
    std::vector<std::pair<U256, uint64_t>> txs;  // (tip, gas used)
    uint64_t total = 0;
    for (size_t i = 0; i < block->transactions.size() && i < receipts->size(); ++i)
    {
        const uint64_t before = i == 0 ? 0 : (*receipts)[i - 1].cumulative_gas_used;
        const uint64_t used = (*receipts)[i].cumulative_gas_used - before;
        if (block->transactions[i].type == txtypes::TxType::kDeposit)
            continue;
        txs.emplace_back(effective_tip(block->transactions[i], base), used);
        total += used;
    }
    json out = json::array();
    if (txs.empty())
    {
        for (size_t i = 0; i < percentiles.size(); ++i)
            out.push_back("0x0");
        return out;
    }
    std::sort(txs.begin(), txs.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t k = 0;
    uint64_t sum = txs[0].second;
    for (const double p : percentiles)
    {
        const auto threshold = static_cast<uint64_t>(static_cast<double>(total) * p / 100.0);
        while (sum < threshold && k + 1 < txs.size())
            sum += txs[++k].second;
        out.push_back(quantity(txs[k].first));
    }
    return out;
}

RpcResult fee_history(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 2, 3); !ok)
        return unexpected(ok.error());
    auto count = parse_u64_or_int(params[0], "block count");
    if (!count)
        return unexpected(count.error());
    auto tag = parse_block_tag(param(params, 1), "newest block", false);
    if (!tag)
        return unexpected(tag.error());
    std::vector<double> percentiles;
    const json* pj = param(params, 2);
    if (pj != nullptr)
    {
        if (!pj->is_array() || pj->size() > kMaxPercentiles)
            return rpc_error(kInvalidParams,
                             "invalid reward percentiles: expected an array of "
                             "at most 100 numbers");
        for (const json& p : *pj)
        {
            if (!p.is_number())
                return rpc_error(kInvalidParams, "invalid reward percentiles: not a number");
            const double v = p.get<double>();
            if (!(v >= 0.0 && v <= 100.0) || (!percentiles.empty() && v < percentiles.back()))
                return rpc_error(kInvalidParams,
                                 "invalid reward percentiles: each in [0, 100], "
                                 "ascending");
            percentiles.push_back(v);
        }
    }
    auto newest = resolve_block(ctx, *tag);
    if (!newest)
        return unexpected(newest.error());
    if (!*newest)
        return server_error("request beyond head block");
    if (*count == 0)
        return json{{"oldestBlock", "0x0"},
                    {"baseFeePerGas", json::array()},
                    {"gasUsedRatio", json::array()}};
    const uint64_t n = std::min({*count, kMaxFeeHistoryBlocks, (*newest)->number + 1});
    const uint64_t oldest = (*newest)->number + 1 - n;

    json base_fees = json::array();
    json ratios = json::array();
    json blob_fees = json::array();
    json blob_ratios = json::array();
    json rewards = json::array();
    txtypes::BlockHeader last;
    for (uint64_t b = oldest; b <= (*newest)->number; ++b)
    {
        auto h = canonical_header(ctx, b);
        if (!h)
            return unexpected(h.error());
        if (!*h)
            return server_error("header not found for block " + std::to_string(b));
        const auto& header = (*h)->second;
        const U256 base = header.base_fee_per_gas.value_or(U256{0});
        base_fees.push_back(quantity(base));
        ratios.push_back(header.gas_limit == 0 ? 0.0
                                               : static_cast<double>(header.gas_used) /
                                                     static_cast<double>(header.gas_limit));
        blob_fees.push_back("0x1");
        blob_ratios.push_back(0.0);
        if (pj != nullptr)
        {
            auto r = block_rewards(ctx, (*h)->first, base, percentiles);
            if (!r)
                return unexpected(r.error());
            rewards.push_back(std::move(*r));
        }
        last = header;
    }
    base_fees.push_back(quantity(execution::next_base_fee(ctx.chain.spec(), last)));
    blob_fees.push_back("0x1");
    json out = {{"oldestBlock", quantity(oldest)},
                {"baseFeePerGas", std::move(base_fees)},
                {"gasUsedRatio", std::move(ratios)},
                {"baseFeePerBlobGas", std::move(blob_fees)},
                {"blobGasUsedRatio", std::move(blob_ratios)}};
    if (pj != nullptr)
        out["reward"] = std::move(rewards);
    return out;
}

RpcResult gas_price(EthApiContext& ctx, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    const auto head = ctx.chain.head();
    return json(
        quantity(execution::next_base_fee(ctx.chain.spec(), head.header) + U256{kSuggestedTip}));
}

RpcResult max_priority_fee(EthApiContext&, const json& params)
{
    if (auto ok = check_params(params, 0, 0); !ok)
        return unexpected(ok.error());
    return json(quantity(kSuggestedTip));
}

}  // namespace

void register_log_and_fee_methods(RpcMethods& methods, EthApiContext& ctx)
{
    add_method(methods, ctx, "eth_getLogs", get_logs);
    add_method(methods, ctx, "eth_feeHistory", fee_history);
    add_method(methods, ctx, "eth_gasPrice", gas_price);
    add_method(methods, ctx, "eth_maxPriorityFeePerGas", max_priority_fee);
}

}  // namespace l2::node::eth_detail
