// Mempool bookkeeping: per-sender queues, the executable run, eviction, new heads, best().
#include "mempool.hpp"

#include <algorithm>
#include <mutex>

#include "mempool_detail.hpp"
#include <txtypes/worker_pool.hpp>

namespace l2::sequencer {

Mempool::Mempool(PoolConfig config, const PoolView& view)
  : m_config{config},
    m_view{view},
    m_workers{std::make_unique<WorkerPool>(config.recovery_threads)},
    m_base_fee{view.base_fee()}
{}

Mempool::~Mempool() = default;

bool Mempool::known(const Hash& hash) const
{
    std::shared_lock lock{m_mutex};
    return m_by_hash.contains(hash);
}

Result<Hash, PoolError> Mempool::add(ByteView raw)
{
    auto prepared = prepare(raw);
    if (!prepared)
        return unexpected(prepared.error());
    std::unique_lock lock{m_mutex};
    return insert(std::move(*prepared));
}

std::vector<Result<Hash, PoolError>> Mempool::add_batch(std::span<const Bytes> raw)
{
    // Decode + recover in parallel, outside the lock; then one lock for the in-order inserts.
    std::vector<std::optional<Result<Prepared, PoolError>>> prepared(raw.size());
    m_workers->parallel_for(raw.size(), [&](size_t i) { prepared[i].emplace(prepare(raw[i])); });

    std::vector<Result<Hash, PoolError>> out;
    out.reserve(raw.size());
    std::unique_lock lock{m_mutex};
    for (auto& p : prepared)
    {
        if (*p)
            out.push_back(insert(std::move(**p)));
        else
            out.push_back(unexpected(p->error()));
    }
    return out;
}

PooledTxPtr Mempool::get(const Hash& hash) const
{
    std::shared_lock lock{m_mutex};
    const auto it = m_by_hash.find(hash);
    return it == m_by_hash.end() ? nullptr : it->second;
}

size_t Mempool::size() const
{
    std::shared_lock lock{m_mutex};
    return m_by_hash.size();
}

size_t Mempool::pending_count() const
{
    std::shared_lock lock{m_mutex};
    return m_pending;
}

std::optional<uint64_t> Mempool::pending_nonce(const Address& sender) const
{
    std::shared_lock lock{m_mutex};
    const auto it = m_senders.find(sender);
    if (it == m_senders.end() || it->second.pending_end == it->second.account_nonce)
        return std::nullopt;
    return it->second.pending_end;
}

std::vector<PooledTxPtr> Mempool::content() const
{
    std::vector<PooledTxPtr> out;
    {
        std::shared_lock lock{m_mutex};
        out.reserve(m_by_hash.size());
        for (const auto& [sender, q] : m_senders)
            for (const auto& [nonce, ptx] : q.txs)
                out.push_back(ptx);
    }
    std::sort(out.begin(), out.end(), [](const PooledTxPtr& a, const PooledTxPtr& b) {
        return a->sender != b->sender ? a->sender < b->sender : a->txn.nonce < b->txn.nonce;
    });
    return out;
}

Mempool::EvictKey Mempool::evict_key(const PooledTx& ptx) const noexcept
{
    return {effective_tip(ptx.txn, m_base_fee), ptx.arrival};
}

void Mempool::update_tail(const Address& sender, SenderQueue& q)
{
    if (q.tail_key)
        m_tails.erase(*q.tail_key);
    q.tail_key.reset();
    if (q.txs.empty())
        return;
    q.tail_key = evict_key(*q.txs.rbegin()->second);
    m_tails.emplace(*q.tail_key, sender);
}

void Mempool::drop_if_empty(SenderMap::iterator it)
{
    if (it == m_senders.end() || !it->second.txs.empty())
        return;
    if (it->second.tail_key)
        m_tails.erase(*it->second.tail_key);
    m_senders.erase(it);
}

std::map<uint64_t, PooledTxPtr>::iterator Mempool::erase_tx(
    SenderQueue& q, std::map<uint64_t, PooledTxPtr>::iterator it)
{
    const uint64_t nonce = it->first;
    if (nonce >= q.account_nonce && nonce < q.pending_end)
    {
        // A gap: everything after it waits again.
        m_pending -= static_cast<size_t>(q.pending_end - nonce);
        q.pending_end = nonce;
    }
    q.total_cost -= it->second->max_cost;
    m_by_hash.erase(it->second->hash);
    return q.txs.erase(it);
}

void Mempool::sync_sender(SenderQueue& q, uint64_t account_nonce)
{
    while (!q.txs.empty() && q.txs.begin()->first < account_nonce)
        erase_tx(q, q.txs.begin());
    m_pending -= static_cast<size_t>(q.pending_end - q.account_nonce);
    q.account_nonce = q.pending_end = account_nonce;
    while (q.txs.contains(q.pending_end))
        ++q.pending_end;
    m_pending += static_cast<size_t>(q.pending_end - q.account_nonce);
}

bool Mempool::evict_one(const Address& except, const U256& new_tip)
{
    // Only senders' last txs are candidates, so eviction never opens a gap.
    for (auto t = m_tails.begin(); t != m_tails.end() && t->first.tip < new_tip; ++t)
    {
        if (t->second == except)
            continue;  // its tail may be what the new tx builds on
        const auto sit = m_senders.find(t->second);
        SenderQueue& q = sit->second;
        erase_tx(q, std::prev(q.txs.end()));
        update_tail(sit->first, q);  // invalidates `t`
        drop_if_empty(sit);
        return true;
    }
    return false;
}

void Mempool::remove(std::span<const Hash> hashes)
{
    std::unique_lock lock{m_mutex};
    for (const Hash& h : hashes)
    {
        const auto hit = m_by_hash.find(h);
        if (hit == m_by_hash.end())
            continue;
        const PooledTxPtr ptx = hit->second;
        const auto sit = m_senders.find(ptx->sender);
        SenderQueue& q = sit->second;
        erase_tx(q, q.txs.find(ptx->txn.nonce));
        update_tail(sit->first, q);
        drop_if_empty(sit);
    }
}

void Mempool::on_new_head()
{
    std::vector<Address> senders;
    {
        std::shared_lock lock{m_mutex};
        senders.reserve(m_senders.size());
        for (const auto& [sender, q] : m_senders)
            senders.push_back(sender);
    }
    // State reads outside the lock (and spread over the workers: one read per sender).
    struct Head
    {
        uint64_t nonce = 0;
        U256 balance;
    };
    std::vector<Head> heads(senders.size());
    m_workers->parallel_for(senders.size(), [&](size_t i) {
        heads[i] = {m_view.nonce(senders[i]), m_view.balance(senders[i])};
    });
    const U256 base_fee = m_view.base_fee();

    std::unique_lock lock{m_mutex};
    for (size_t i = 0; i < senders.size(); ++i)
    {
        const auto sit = m_senders.find(senders[i]);
        if (sit == m_senders.end())
            continue;
        SenderQueue& q = sit->second;
        sync_sender(q, heads[i].nonce);
        // In nonce order, each tx must fit in what the earlier ones leave (geth demotes the
        // rest; here an unaffordable tx goes and the later ones wait behind its gap).
        U256 spent;
        for (auto it = q.txs.begin(); it != q.txs.end();)
        {
            const U256 s = spent + it->second->max_cost;
            if (s < spent || s > heads[i].balance)
                it = erase_tx(q, it);
            else
            {
                spent = s;
                ++it;
            }
        }
        drop_if_empty(sit);
    }
    // Re-price the eviction order at the new base fee.
    m_base_fee = base_fee;
    m_tails.clear();
    for (auto& [sender, q] : m_senders)
    {
        q.tail_key.reset();
        update_tail(sender, q);
    }
}

Mempool::Best Mempool::best(const U256& base_fee) const
{
    Best b;
    b.m_base_fee = base_fee;
    {
        std::shared_lock lock{m_mutex};
        b.m_queues.reserve(m_senders.size());
        for (const auto& [sender, q] : m_senders)
        {
            Best::Queue bq;
            for (auto it = q.txs.begin(); it != q.txs.end() && it->first < q.pending_end; ++it)
            {
                if (it->second->txn.max_fee_per_gas < base_fee)
                    break;  // neither it nor the sender's later txs can go in this block
                bq.txs.push_back(it->second);
            }
            if (!bq.txs.empty())
                b.m_queues.push_back(std::move(bq));
        }
    }
    b.m_heap.reserve(b.m_queues.size());
    for (size_t i = 0; i < b.m_queues.size(); ++i)
        b.push(static_cast<uint32_t>(i));
    return b;
}

namespace {
/// Heap order: higher tip first, then earlier arrival.
struct BestOrder
{
    template <typename T>
    bool operator()(const T& a, const T& b) const noexcept
    {
        return a.tip != b.tip ? a.tip < b.tip : a.arrival > b.arrival;
    }
};
}  // namespace

void Mempool::Best::push(uint32_t queue)
{
    const Queue& q = m_queues[queue];
    if (q.pos >= q.txs.size())
        return;
    const PooledTx& ptx = *q.txs[q.pos];
    m_heap.push_back({effective_tip(ptx.txn, m_base_fee), ptx.arrival, queue});
    std::push_heap(m_heap.begin(), m_heap.end(), BestOrder{});
}

PooledTxPtr Mempool::Best::next()
{
    while (!m_heap.empty())
    {
        std::pop_heap(m_heap.begin(), m_heap.end(), BestOrder{});
        const uint32_t queue = m_heap.back().queue;
        m_heap.pop_back();
        Queue& q = m_queues[queue];
        if (q.invalid)
            continue;
        PooledTxPtr ptx = q.txs[q.pos++];
        push(queue);
        m_last = queue;
        return ptx;
    }
    return nullptr;
}

void Mempool::Best::mark_invalid(const Address& sender)
{
    // Usually the sender of the tx just returned.
    if (m_last && m_queues[*m_last].txs.front()->sender == sender)
    {
        m_queues[*m_last].invalid = true;
        return;
    }
    if (m_index.empty())
        for (uint32_t i = 0; i < m_queues.size(); ++i)
            m_index.emplace(m_queues[i].txs.front()->sender, i);
    if (const auto it = m_index.find(sender); it != m_index.end())
        m_queues[it->second].invalid = true;
}

}  // namespace l2::sequencer
