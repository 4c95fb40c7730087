#include "l1sload_source.hpp"

#include <algorithm>
#include <chrono>

#include <execution/l1_info.hpp>
#include <spdlog/spdlog.h>
#include <txtypes/hex.hpp>

namespace l2::node {

L1SloadSource::L1SloadSource(const NodeConfig& cfg, state::KvStore& cache_store)
{
    using std::chrono::milliseconds;
    l1client::RpcClientOptions o;
    o.request_timeout = milliseconds{cfg.l1sload_timeout_ms};
    o.connect_timeout = std::min(o.request_timeout, milliseconds{2000});
    o.max_retries = 0;         // the caller retries (a later block, the next derivation step)
    o.log_failures = false;    // logged here, once per outage
    auto rpc = std::make_shared<l1client::RpcClient>(
        cfg.l1sload_rpc.empty() ? cfg.l1_rpc : cfg.l1sload_rpc, std::move(o));
    l1client::L1StorageOptions so;
    so.memory_entries = cfg.l1sload_cache_entries;
    m_reader = std::make_unique<l1client::L1StorageReader>(std::move(rpc), &cache_store, so);
}

Result<std::vector<Hash>, std::string> L1SloadSource::load(const Address& account,
                                                           std::span<const Hash> keys,
                                                           uint64_t number, const Hash& hash)
{
    auto r = m_reader->read(account, keys, number, hash);
    if (!r)
    {
        std::string msg = "L1SLOAD of " + to_0x_hex(account.view()) + " at L1 block " +
                          std::to_string(number) + ": " + r.error().to_string();
        if (!m_down.exchange(true))
            spdlog::warn("{} (transactions that call L1SLOAD wait until L1 answers)", msg);
        return unexpected(std::move(msg));
    }
    if (m_down.exchange(false))
        spdlog::info("L1SLOAD: L1 answers again");
    return std::move(*r);
}

std::optional<uint64_t> L1SloadSource::prune_for_history(const state::BlockStore& blocks,
                                                         uint64_t oldest_kept,
                                                         uint64_t min_step)
{
    const auto hash = blocks.canonical_hash(oldest_kept);
    if (!hash || !*hash)
        return std::nullopt;
    const auto block = blocks.block(oldest_kept, **hash);
    if (!block || !*block)
        return std::nullopt;
    const auto info = execution::block_l1_info(**block);
    const uint64_t last = m_pruned_below.load();
    if (!info || info->number < last + std::max<uint64_t>(min_step, 1))
        return std::nullopt;
    m_reader->prune_below(info->number);
    m_pruned_below = info->number;
    spdlog::debug("L1SLOAD cache: reads of L1 blocks below {} dropped (origin of block {}, the "
                  "oldest kept)",
                  info->number, oldest_kept);
    return info->number;
}

}  // namespace l2::node
