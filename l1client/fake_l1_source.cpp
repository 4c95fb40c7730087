#include "fake_l1_source.hpp"

#include <cstring>
#include <iterator>

#include <txtypes/keccak.hpp>

namespace l2::l1client {

namespace {

void put_be64(uint8_t* out, uint64_t v) noexcept
{
    for (int i = 7; i >= 0; --i, v >>= 8)
        out[i] = static_cast<uint8_t>(v);
}

RpcError not_found(const char* method, std::string what)
{
    return RpcError{.code = RpcErrc::kRpc,
                    .rpc_code = -32000,
                    .message = std::move(what),
                    .method = method,
                    .url = "fake://l1"};
}

L1Block without_tx_bodies(L1Block b)
{
    for (auto& tx : b.transactions)
        tx = L1Tx{.hash = tx.hash};
    return b;
}

}  // namespace

L1Block FakeL1Source::push_block(L1Block block, std::vector<L1Log> logs)
{
    std::lock_guard lock{m_mutex};
    if (!m_canonical.empty())
    {
        const auto& parent = m_blocks.at(m_canonical.back()).block;
        block.number = parent.number + 1;
        block.parent_hash = parent.hash;
        if (block.timestamp == 0)
            block.timestamp = parent.timestamp + 12;
    }
    else
        m_first = block.number;
    if (block.hash.is_zero())
    {
        uint8_t buf[8 + 32 + 8 + 8];
        put_be64(buf, block.number);
        std::memcpy(buf + 8, block.parent_hash.data(), 32);
        put_be64(buf + 40, block.timestamp);
        put_be64(buf + 48, m_forks);
        block.hash = keccak256({buf, sizeof(buf)});
    }
    for (size_t i = 0; i < logs.size(); ++i)
    {
        logs[i].block_number = block.number;
        logs[i].block_hash = block.hash;
        logs[i].log_index = i;
    }
    m_canonical.push_back(block.hash);
    m_blocks[block.hash] = Stored{block, std::move(logs)};
    return block;
}

void FakeL1Source::rewind(uint64_t number)
{
    std::lock_guard lock{m_mutex};
    if (m_canonical.empty() || number < m_first)
        m_canonical.clear();
    else if (number - m_first + 1 < m_canonical.size())
        m_canonical.resize(number - m_first + 1);
    if (m_safe && *m_safe > number)
        m_safe = number;
    if (m_finalized && *m_finalized > number)
        m_finalized = number;
    ++m_forks;
}

void FakeL1Source::set_safe(uint64_t number)
{
    std::lock_guard lock{m_mutex};
    m_safe = number;
}

void FakeL1Source::set_finalized(uint64_t number)
{
    std::lock_guard lock{m_mutex};
    m_finalized = number;
}

void FakeL1Source::set_storage(const Address& address, const U256& slot, uint64_t from_block,
                               const Hash& value)
{
    std::lock_guard lock{m_mutex};
    m_storage[SlotKey{address, slot}][from_block] = value;
}

void FakeL1Source::add_receipt(const L1Receipt& receipt)
{
    std::lock_guard lock{m_mutex};
    m_receipts[receipt.tx_hash] = receipt;
}

void FakeL1Source::fail_next(unsigned count, const RpcError& error)
{
    std::lock_guard lock{m_mutex};
    m_failures.insert(m_failures.end(), count, error);
}

std::optional<L1Block> FakeL1Source::head() const
{
    std::lock_guard lock{m_mutex};
    if (m_canonical.empty())
        return std::nullopt;
    return m_blocks.at(m_canonical.back()).block;
}

uint64_t FakeL1Source::call_count() const
{
    std::lock_guard lock{m_mutex};
    return m_calls;
}

std::optional<RpcError> FakeL1Source::take_failure(const char* method)
{
    ++m_calls;
    if (m_failures.empty())
        return std::nullopt;
    RpcError e = std::move(m_failures.front());
    m_failures.pop_front();
    e.method = method;
    if (e.url.empty())
        e.url = "fake://l1";
    return e;
}

const FakeL1Source::Stored* FakeL1Source::resolve(BlockTag tag) const
{
    if (m_canonical.empty())
        return nullptr;
    const uint64_t head = m_first + m_canonical.size() - 1;
    uint64_t n = head;
    switch (tag.kind)
    {
    case BlockTag::Kind::kNumber:
        n = tag.number;
        break;
    case BlockTag::Kind::kLatest:
    case BlockTag::Kind::kPending:
        break;
    case BlockTag::Kind::kEarliest:
        n = m_first;
        break;
    case BlockTag::Kind::kSafe:
        if (!m_safe)
            return nullptr;
        n = *m_safe;
        break;
    case BlockTag::Kind::kFinalized:
        if (!m_finalized)
            return nullptr;
        n = *m_finalized;
        break;
    }
    if (n < m_first || n > head)
        return nullptr;
    return &m_blocks.at(m_canonical[n - m_first]);
}

Result<uint64_t, RpcError> FakeL1Source::chain_id()
{
    std::lock_guard lock{m_mutex};
    if (auto e = take_failure("eth_chainId"))
        return unexpected(std::move(*e));
    return m_chain_id;
}

Result<uint64_t, RpcError> FakeL1Source::block_number()
{
    std::lock_guard lock{m_mutex};
    if (auto e = take_failure("eth_blockNumber"))
        return unexpected(std::move(*e));
    if (m_canonical.empty())
        return unexpected(not_found("eth_blockNumber", "no blocks"));
    return m_first + m_canonical.size() - 1;
}

Result<std::optional<L1Block>, RpcError> FakeL1Source::block_by_number(BlockTag tag,
                                                                       bool full_txs)
{
    std::lock_guard lock{m_mutex};
    if (auto e = take_failure("eth_getBlockByNumber"))
        return unexpected(std::move(*e));
    const auto* s = resolve(tag);
    if (s == nullptr)
        return std::optional<L1Block>{};
    return std::optional<L1Block>{full_txs ? s->block : without_tx_bodies(s->block)};
}

Result<std::optional<L1Block>, RpcError> FakeL1Source::block_by_hash(const Hash& hash,
                                                                     bool full_txs)
{
    std::lock_guard lock{m_mutex};
    if (auto e = take_failure("eth_getBlockByHash"))
        return unexpected(std::move(*e));
    const auto it = m_blocks.find(hash);
    if (it == m_blocks.end())
        return std::optional<L1Block>{};
    const auto& b = it->second.block;
    return std::optional<L1Block>{full_txs ? b : without_tx_bodies(b)};
}

Result<std::vector<L1Log>, RpcError> FakeL1Source::logs(const LogFilter& filter)
{
    std::lock_guard lock{m_mutex};
    if (auto e = take_failure("eth_getLogs"))
        return unexpected(std::move(*e));
    std::vector<L1Log> out;
    const auto add = [&](const Stored& s) {
        for (const auto& log : s.logs)
            if (matches(filter, log))
                out.push_back(log);
    };
    if (filter.block_hash)
    {
        const auto it = m_blocks.find(*filter.block_hash);
        if (it == m_blocks.end())
            return unexpected(not_found("eth_getLogs", "unknown block"));
        add(it->second);
        return out;
    }
    for (uint64_t n = filter.from_block; n <= filter.to_block; ++n)
    {
        const auto* s = resolve(BlockTag{n});
        if (s == nullptr)
            break;
        add(*s);
    }
    return out;
}

Result<Hash, RpcError> FakeL1Source::storage_at(const Address& address, const U256& slot,
                                                const BlockId& block)
{
    std::lock_guard lock{m_mutex};
    if (auto e = take_failure("eth_getStorageAt"))
        return unexpected(std::move(*e));
    uint64_t n = 0;
    if (const auto* tag = std::get_if<BlockTag>(&block.value))
    {
        const auto* s = resolve(*tag);
        if (s == nullptr)
            return unexpected(not_found("eth_getStorageAt", "header not found"));
        n = s->block.number;
    }
    else
    {
        const auto it = m_blocks.find(std::get<Hash>(block.value));
        if (it == m_blocks.end())
            return unexpected(not_found("eth_getStorageAt", "header for hash not found"));
        n = it->second.block.number;
    }
    const auto slots = m_storage.find(SlotKey{address, slot});
    if (slots == m_storage.end())
        return Hash{};
    auto it = slots->second.upper_bound(n);
    if (it == slots->second.begin())
        return Hash{};
    return std::prev(it)->second;
}

Result<std::optional<L1Receipt>, RpcError> FakeL1Source::transaction_receipt(const Hash& tx_hash)
{
    std::lock_guard lock{m_mutex};
    if (auto e = take_failure("eth_getTransactionReceipt"))
        return unexpected(std::move(*e));
    const auto it = m_receipts.find(tx_hash);
    if (it == m_receipts.end())
        return std::optional<L1Receipt>{};
    return std::optional<L1Receipt>{it->second};
}

}  // namespace l2::l1client
