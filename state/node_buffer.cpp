#include "node_buffer.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <mutex>

namespace l2::state {

void NodeBuffer::add_block(const std::unique_lock<std::shared_mutex>& held, Block block)
{
    assert(held.owns_lock() && held.mutex() == &m_mutex);
    (void)held;
    m_blocks.push_back(std::move(block));
    const WriteBatch& added = m_blocks.back().nodes;
    // At most half full, so probes stay short.
    if (m_cells.empty() || (m_used + added.size()) * 2 > m_cells.size())
        grow((m_used + added.size()) * 2);
    index_block(m_blocks.size() - 1);
    m_bytes += block_bytes(m_blocks.back());
}

size_t NodeBuffer::block_bytes(const Block& b) noexcept
{
    size_t bytes = b.replaced.size() * sizeof(Hash);
    for (const WriteBatch::Op& op : b.nodes.ops())
        bytes += op.key.size() + op.value.size() + kNodeOverhead;
    return bytes;
}

bool NodeBuffer::find(ByteView key, Bytes& out) const
{
    std::shared_lock lock{m_mutex};
    if (m_cells.empty())
        return false;
    const Cell& c = m_cells[probe(key)];
    if (c.block == 0)
        return false;
    out.assign(op_of(c).value);
    return true;
}

template <typename Put>
void NodeBuffer::each_live_node(bool all, Put&& put) const
{
    std::shared_lock lock{m_mutex};
    // One pass over the cells, in table order: no probe per node (each a cache miss in a
    // table larger than the caches). Table order, not block order: the store sorts a batch by
    // key, so what lands is the same.
    for (const Cell& c : m_cells)
        if (c.block != 0 && (all || c.places > 0))
        {
            const WriteBatch::Op& op = op_of(c);
            put(op.key, op.value);
        }
}

void NodeBuffer::live_nodes(WriteBatch& out, bool all) const
{
    each_live_node(all, [&](ByteView k, ByteView v) { out.put(Column::kTrieNodes, k, v); });
}

void NodeBuffer::borrow_live_nodes(WriteBatch& out) const
{
    each_live_node(false,
                   [&](ByteView k, ByteView v) { out.put_borrowed(Column::kTrieNodes, k, v); });
}

void NodeBuffer::truncate(uint64_t number)
{
    std::unique_lock lock{m_mutex};
    size_t keep = m_blocks.size();
    while (keep > 0 && m_blocks[keep - 1].number > number)
        --keep;
    keep_blocks(keep);
}

void NodeBuffer::drop_newest()
{
    std::unique_lock lock{m_mutex};
    if (!m_blocks.empty())
        keep_blocks(m_blocks.size() - 1);
}

void NodeBuffer::keep_blocks(size_t keep)
{
    if (keep == m_blocks.size())
        return;
    m_blocks.resize(keep);
    m_bytes = 0;
    for (const Block& b : m_blocks)
        m_bytes += block_bytes(b);
    reindex();
}

bool NodeBuffer::empty() const
{
    std::shared_lock lock{m_mutex};
    return m_blocks.empty();
}

size_t NodeBuffer::blocks() const
{
    std::shared_lock lock{m_mutex};
    return m_blocks.size();
}

size_t NodeBuffer::bytes() const
{
    std::shared_lock lock{m_mutex};
    return m_bytes + m_cells.size() * sizeof(Cell);
}

uint64_t NodeBuffer::last_block() const
{
    std::shared_lock lock{m_mutex};
    return m_blocks.back().number;
}

Hash NodeBuffer::last_root() const
{
    std::shared_lock lock{m_mutex};
    return m_blocks.back().root;
}

void NodeBuffer::index_block(size_t b)
{
    const Block& block = m_blocks[b];
    const auto& ops = block.nodes.ops();
    // Every put first, then the places the block lost: a node it both reads to rewrite and
    // writes again keeps the place it regains. The table is larger than the CPU caches:
    // each probe's cell is fetched a few keys ahead.
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < ops.size(); ++i)
    {
        if (i + kAhead < ops.size())
            prefetch(ops[i + kAhead].key);
        const uint64_t tag = tag_of(ops[i].key);
        Cell& c = m_cells[probe(ops[i].key, tag)];
        if (c.block == 0)
        {
            c.tag = tag;
            c.block = static_cast<uint32_t>(b + 1);
            c.op = static_cast<uint32_t>(i);
            ++m_used;
        }
        ++c.places;
    }
    const auto& replaced = block.replaced;
    for (size_t i = 0; i < replaced.size(); ++i)
    {
        if (i + kAhead < replaced.size())
            prefetch(replaced[i + kAhead]);
        Cell& c = m_cells[probe(replaced[i])];
        if (c.block != 0)
            --c.places;
    }
}

void NodeBuffer::reindex()
{
    size_t nodes = 0;
    for (const Block& b : m_blocks)
        nodes += b.nodes.size();
    size_t size = 1024;
    while (size < nodes * 2)
        size *= 2;
    m_cells.assign(size, Cell{});
    m_used = 0;
    for (size_t b = 0; b < m_blocks.size(); ++b)
        index_block(b);
}

void NodeBuffer::grow(size_t min_cells)
{
    size_t size = std::max<size_t>(1024, m_cells.size());
    while (size < min_cells)
        size *= 2;
    std::vector<Cell> old(size, Cell{});
    old.swap(m_cells);
    const size_t mask = m_cells.size() - 1;
    for (const Cell& c : old)
    {
        if (c.block == 0)
            continue;
        size_t at = static_cast<size_t>(c.tag) & mask;
        while (m_cells[at].block != 0)
            at = (at + 1) & mask;
        m_cells[at] = c;
    }
}

const WriteBatch::Op& NodeBuffer::op_of(const Cell& c) const noexcept
{
    return m_blocks[c.block - 1].nodes.ops()[c.op];
}

uint64_t NodeBuffer::tag_of(ByteView key) noexcept
{
    // Keys are keccak hashes: their first 8 bytes are as good as any hash of them.
    uint64_t h = 0;
    std::memcpy(&h, key.data(), std::min<size_t>(key.size(), sizeof h));
    return h;
}

void NodeBuffer::prefetch(ByteView key) const noexcept
{
    __builtin_prefetch(&m_cells[static_cast<size_t>(tag_of(key)) & (m_cells.size() - 1)]);
}

size_t NodeBuffer::probe(ByteView key, uint64_t tag) const noexcept
{
    const size_t mask = m_cells.size() - 1;
    for (size_t c = static_cast<size_t>(tag) & mask;; c = (c + 1) & mask)
    {
        const Cell& cell = m_cells[c];
        if (cell.block == 0 || (cell.tag == tag && ByteView{op_of(cell).key} == key))
            return c;
    }
}

}  // namespace l2::state
