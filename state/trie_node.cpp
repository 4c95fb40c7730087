#include "trie_node.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include <txtypes/block.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/rlp.hpp>

#include "trie.hpp"

namespace l2::state {

const char* to_string(NodeError e) noexcept
{
    switch (e)
    {
        case NodeError::kRlp:
            return "trie node: malformed RLP";
        case NodeError::kShape:
            return "trie node: a list of neither 2 nor 17 items";
        case NodeError::kHexPrefix:
            return "trie node: bad hex-prefix path";
        case NodeError::kPathLength:
            return "trie node: path length does not fit its depth";
        case NodeError::kRef:
            return "trie node: bad child reference";
        case NodeError::kBranchValue:
            return "trie node: branch with a value";
        case NodeError::kEmptyValue:
            return "trie node: leaf without a value";
    }
    return "trie node: unknown error";
}

namespace {

/// Hex-prefix encoding (YP Appendix C) of at most 64 nibbles: at most 33 bytes.
struct HexPrefix
{
    std::array<uint8_t, kKeyNibbles / 2 + 1> b{};
    size_t size = 0;

    HexPrefix(const Nibbles& path, bool leaf) noexcept
    {
        const bool odd = path.size % 2 == 1;
        const auto flag = static_cast<uint8_t>((leaf ? 2 : 0) + (odd ? 1 : 0));
        size_t i = 0;
        if (odd)
            b[size++] = static_cast<uint8_t>((flag << 4) | path.n[i++]);
        else
            b[size++] = static_cast<uint8_t>(flag << 4);
        for (; i < path.size; i += 2)
            b[size++] = static_cast<uint8_t>((path.n[i] << 4) | path.n[i + 1]);
    }
    ByteView view() const noexcept { return {b.data(), size}; }
};

size_t ref_length(const NodeRef& r) noexcept
{
    if (r.empty())
        return 1;
    return r.hashed ? 33 : r.size;
}

void append_ref(Bytes& out, const NodeRef& r, std::vector<HashHole>* holes)
{
    if (r.empty())
        out.push_back(0x80);
    else if (r.hashed)
    {
        out.push_back(0xa0);
        if (r.pending && holes != nullptr)
            holes->push_back({static_cast<uint32_t>(out.size()), r.pending_index()});
        out.append(r.view());
    }
    else
        out.append(r.view());  // an inline node is embedded as itself
}

/// One item of a list payload, header included, consumed from `in`.
Result<ByteView, NodeError> next_item(ByteView& in) noexcept
{
    ByteView rest = in;
    const auto h = rlp::decode_header(rest);
    if (!h)
        return unexpected(NodeError::kRlp);
    const size_t total = (in.size() - rest.size()) + h->payload_length;
    const ByteView item = in.substr(0, total);
    in.remove_prefix(total);
    return item;
}

Result<NodeRef, NodeError> decode_ref(ByteView item) noexcept
{
    ByteView rest = item;
    const auto h = rlp::decode_header(rest);
    if (!h)
        return unexpected(NodeError::kRlp);
    NodeRef r;
    if (h->list)
    {
        // Inline node: whole, shorter than a hash (else it would have been hashed).
        if (item.size() >= 32)
            return unexpected(NodeError::kRef);
        std::copy(item.begin(), item.end(), r.bytes.begin());
        r.size = static_cast<uint8_t>(item.size());
        return r;
    }
    if (h->payload_length == 0)
        return r;
    if (h->payload_length != 32 || rest.size() != 32)
        return unexpected(NodeError::kRef);
    std::copy(rest.begin(), rest.end(), r.bytes.begin());
    r.size = 32;
    r.hashed = true;
    return r;
}

/// Decodes a hex-prefix path; `leaf` gets the flag.
Result<Nibbles, NodeError> decode_path(ByteView hp, bool& leaf) noexcept
{
    if (hp.empty())
        return unexpected(NodeError::kHexPrefix);
    const uint8_t flag = hp[0] >> 4;
    if (flag > 3)
        return unexpected(NodeError::kHexPrefix);
    const bool odd = (flag & 1) != 0;
    leaf = (flag & 2) != 0;
    if (!odd && (hp[0] & 0x0f) != 0)
        return unexpected(NodeError::kHexPrefix);
    const size_t count = (hp.size() - 1) * 2 + (odd ? 1 : 0);
    if (count > kKeyNibbles)
        return unexpected(NodeError::kPathLength);
    Nibbles p;
    if (odd)
        p.push_back(hp[0] & 0x0f);
    for (size_t i = 1; i < hp.size(); ++i)
    {
        p.push_back(hp[i] >> 4);
        p.push_back(hp[i] & 0x0f);
    }
    return p;
}

}  // namespace

Result<TrieNode, NodeError> decode_node(ByteView rlp, size_t depth) noexcept
{
    if (depth > kKeyNibbles)
        return unexpected(NodeError::kPathLength);
    auto payload = rlp::decode_list(rlp);
    if (!payload || !rlp.empty())
        return unexpected(NodeError::kRlp);
    ByteView in = *payload;
    std::array<ByteView, 17> items;
    size_t count = 0;
    while (!in.empty())
    {
        if (count == items.size())
            return unexpected(NodeError::kShape);
        auto item = next_item(in);
        if (!item)
            return unexpected(item.error());
        items[count++] = *item;
    }

    TrieNode node;
    if (count == 2)
    {
        ByteView first = items[0];
        const auto hp = rlp::decode_string(first);
        if (!hp)
            return unexpected(NodeError::kRlp);
        bool leaf = false;
        auto path = decode_path(*hp, leaf);
        if (!path)
            return unexpected(path.error());
        node.path = *path;
        if (leaf)
        {
            if (node.path.size != kKeyNibbles - depth)
                return unexpected(NodeError::kPathLength);
            ByteView second = items[1];
            const auto value = rlp::decode_string(second);
            if (!value)
                return unexpected(NodeError::kRlp);
            if (value->empty())
                return unexpected(NodeError::kEmptyValue);
            node.kind = NodeKind::kLeaf;
            node.value = *value;
            return node;
        }
        // An extension leads to a branch, which sits above the last nibble.
        if (node.path.size == 0 || depth + node.path.size >= kKeyNibbles)
            return unexpected(NodeError::kPathLength);
        auto child = decode_ref(items[1]);
        if (!child)
            return unexpected(child.error());
        if (child->empty())
            return unexpected(NodeError::kRef);
        node.kind = NodeKind::kExtension;
        node.child = *child;
        return node;
    }
    if (count == 17)
    {
        if (depth >= kKeyNibbles)
            return unexpected(NodeError::kPathLength);
        for (size_t i = 0; i < 16; ++i)
        {
            auto child = decode_ref(items[i]);
            if (!child)
                return unexpected(child.error());
            node.children[i] = *child;
        }
        if (items[16].size() != 1 || items[16][0] != 0x80)
            return unexpected(NodeError::kBranchValue);
        node.kind = NodeKind::kBranch;
        return node;
    }
    return unexpected(NodeError::kShape);
}

void encode_node(const TrieNode& node, Bytes& out, std::vector<HashHole>* holes)
{
    out.clear();
    switch (node.kind)
    {
        case NodeKind::kEmpty:
            out.push_back(0x80);
            return;
        case NodeKind::kLeaf: {
            const HexPrefix hp{node.path, true};
            const size_t payload = rlp::length(hp.view()) + rlp::length(node.value);
            out.reserve(rlp::length_of_list(payload));
            rlp::encode_header(out, {true, payload});
            rlp::encode(out, hp.view());
            rlp::encode(out, node.value);
            return;
        }
        case NodeKind::kExtension: {
            const HexPrefix hp{node.path, false};
            const size_t payload = rlp::length(hp.view()) + ref_length(node.child);
            out.reserve(rlp::length_of_list(payload));
            rlp::encode_header(out, {true, payload});
            rlp::encode(out, hp.view());
            append_ref(out, node.child, holes);
            return;
        }
        case NodeKind::kBranch: {
            size_t payload = 1;  // the empty value
            for (const auto& c : node.children)
                payload += ref_length(c);
            out.reserve(rlp::length_of_list(payload));
            rlp::encode_header(out, {true, payload});
            for (const auto& c : node.children)
                append_ref(out, c, holes);
            out.push_back(0x80);
            return;
        }
    }
}

// ---- TrieNodeCache (trie.hpp)
// ------------------------------------------------------------------------

namespace {
/// Keccak output is uniform: its first 4 bytes pick the home cell.
uint32_t tag_of(const Hash& h) noexcept
{
    uint32_t t = 0;
    std::memcpy(&t, h.data(), sizeof(t));
    return t;
}
}  // namespace

void TrieNodeCache::FreeEntry::operator()(Entry* e) const noexcept
{
    ::operator delete(e);
}

bool TrieNodeCache::get(const Hash& hash, Bytes& out, bool replaced)
{
    Shard& sh = shard_of(hash);
    std::lock_guard lock{sh.mutex};
    const size_t cell = sh.cells.empty() ? 0 : sh.find_cell(hash, tag_of(hash));
    if (sh.cells.empty() || sh.cells[cell].slot == 0)
    {
        ++sh.misses;
        return false;
    }
    Entry& e = *sh.cells[cell].entry;
    out.assign(e.rlp(), e.size);
    ++sh.hits;
    if (!replaced)
    {
        e.referenced = true;
        return true;
    }
    // Read to be rewritten: the entry goes now, and the node's new version (put by the same
    // apply) takes its slot and its block, so the cache neither grows nor allocates.
    sh.release(cell);
    return true;
}

void TrieNodeCache::put(const Hash& hash, ByteView rlp)
{
    const size_t cost = rlp.size() + kEntryOverhead;
    const size_t budget = m_shard_budget.load(std::memory_order_relaxed);
    if (cost > budget)
        return;
    Shard& sh = shard_of(hash);
    std::lock_guard lock{sh.mutex};
    const uint32_t tag = tag_of(hash);
    if (!sh.cells.empty() && sh.cells[sh.find_cell(hash, tag)].slot != 0)
        return;
    // cost <= budget, so this stops at the latest when the shard is empty.
    while (sh.bytes + cost > budget)
        sh.evict_one();
    uint32_t i = 0;
    if (!sh.free.empty())
    {
        i = sh.free.back();
        sh.free.pop_back();
    }
    else
    {
        i = static_cast<uint32_t>(sh.slots.size());
        sh.slots.emplace_back();
    }
    EntryPtr& block = sh.slots[i];
    // Blocks come in 64-byte steps (a rewritten node a child longer still fits); a free
    // slot's block is reused unless too small or four times too large.
    const size_t fit = (sizeof(Entry) + rlp.size() + 63) / 64 * 64 - sizeof(Entry);
    if (!block || block->capacity < rlp.size() || block->capacity > 4 * fit)
    {
        block.reset(new (::operator new(sizeof(Entry) + fit)) Entry{});
        block->capacity = static_cast<uint32_t>(fit);
    }
    Entry& e = *block;
    e.hash = hash;
    e.size = static_cast<uint32_t>(rlp.size());
    if (!rlp.empty())
        std::memcpy(e.rlp(), rlp.data(), rlp.size());
    e.used = true;
    e.referenced = false;
    sh.index_insert(Cell{tag, i + 1, &e});
    sh.bytes += cost;
}

size_t TrieNodeCache::Shard::find_cell(const Hash& hash, uint32_t tag) const noexcept
{
    // The cell holding `hash`, else the free cell ending its probe (the table is half empty).
    const size_t mask = cells.size() - 1;
    for (size_t i = tag & mask;; i = (i + 1) & mask)
    {
        const Cell& c = cells[i];
        if (c.slot == 0 || (c.tag == tag && c.entry->hash == hash))
            return i;
    }
}

void TrieNodeCache::Shard::index_insert(const Cell& cell)
{
    const auto place = [this](const Cell& c) {
        const size_t mask = cells.size() - 1;
        size_t i = c.tag & mask;
        while (cells[i].slot != 0)
            i = (i + 1) & mask;
        cells[i] = c;
    };
    if ((entries + 1) * 2 > cells.size())
    {
        std::vector<Cell> old = std::move(cells);
        cells.assign(std::max<size_t>(256, old.size() * 2), Cell{});
        for (const Cell& c : old)
            if (c.slot != 0)
                place(c);
    }
    place(cell);
    ++entries;
}

void TrieNodeCache::Shard::index_erase(size_t hole) noexcept
{
    // Backward-shift deletion: pull later cells of the probe run into the hole unless their
    // home cell lies cyclically in (hole, j], so every probe still finds its key.
    const size_t mask = cells.size() - 1;
    for (size_t j = (hole + 1) & mask; cells[j].slot != 0; j = (j + 1) & mask)
    {
        const size_t home = cells[j].tag & mask;
        const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        cells[hole] = cells[j];
        hole = j;
    }
    cells[hole] = Cell{};
    --entries;
}

void TrieNodeCache::Shard::evict_one()
{
    // Called only while some slot is used; a full sweep clears every bit, so this ends.
    for (;;)
    {
        if (hand >= slots.size())
            hand = 0;
        Entry* e = slots[hand++].get();
        if (e == nullptr || !e->used)
            continue;
        if (e->referenced)
        {
            e->referenced = false;
            continue;
        }
        release(find_cell(e->hash, tag_of(e->hash)));
        return;
    }
}

void TrieNodeCache::Shard::release(size_t cell) noexcept
{
    // The slot keeps its block for the next put.
    const uint32_t slot = cells[cell].slot - 1;
    Entry& e = *cells[cell].entry;
    index_erase(cell);
    bytes -= e.size + kEntryOverhead;
    e.used = false;
    e.referenced = false;
    free.push_back(slot);
}

void TrieNodeCache::set_budget(size_t byte_budget)
{
    const size_t budget = byte_budget / kShards;
    m_shard_budget.store(budget, std::memory_order_relaxed);
    for (Shard& sh : m_shards)
    {
        std::lock_guard lock{sh.mutex};
        while (sh.bytes > budget)  // bytes > 0: some slot is used
            sh.evict_one();
    }
}

void TrieNodeCache::clear()
{
    for (Shard& sh : m_shards)
    {
        std::lock_guard lock{sh.mutex};
        sh.slots.clear();
        sh.free.clear();
        sh.cells.clear();
        sh.entries = 0;
        sh.hand = 0;
        sh.bytes = 0;
    }
}

size_t TrieNodeCache::size_bytes() const
{
    size_t n = 0;
    for (const Shard& sh : m_shards)
    {
        std::lock_guard lock{sh.mutex};
        n += sh.bytes;
    }
    return n;
}

size_t TrieNodeCache::entries() const
{
    size_t n = 0;
    for (const Shard& sh : m_shards)
    {
        std::lock_guard lock{sh.mutex};
        n += sh.entries;
    }
    return n;
}

uint64_t TrieNodeCache::hits() const
{
    uint64_t n = 0;
    for (const Shard& sh : m_shards)
    {
        std::lock_guard lock{sh.mutex};
        n += sh.hits;
    }
    return n;
}

uint64_t TrieNodeCache::misses() const
{
    uint64_t n = 0;
    for (const Shard& sh : m_shards)
    {
        std::lock_guard lock{sh.mutex};
        n += sh.misses;
    }
    return n;
}

// Whole-trie walks live beside the node codec (trie.cpp holds the incremental update).
Result<void, KvError> Trie::walk_nodes(const Hash& root,
                                       const std::function<void(const Hash&)>& on_node,
                                       const std::function<void(ByteView)>& on_leaf) const
{
    if (root == txtypes::kEmptyRootHash)
        return {};
    // Depth first over refs still to visit (a trie is at most 64 nibbles deep, a branch
    // has 16 children: the stack stays small).
    std::vector<std::pair<NodeRef, size_t>> todo{{NodeRef::of_hash(root), 0}};
    Bytes buf;
    while (!todo.empty())
    {
        const auto [ref, depth] = todo.back();
        todo.pop_back();
        ByteView rlp = ref.view();
        if (ref.hashed)
        {
            if ((m_cache == nullptr || !m_cache->get(ref.hash(), buf)) &&
                !m_kv.get(Column::kTrieNodes, ref.hash(), buf))
                return unexpected(KvError{"trie node " + to_0x_hex(ref.hash()) +
                                          " missing from the store (corrupt or pruned database)"});
            on_node(ref.hash());
            rlp = buf;
        }
        const auto node = decode_node(rlp, depth);
        if (!node)
            return unexpected(KvError{"trie walk: malformed node at depth " +
                                      std::to_string(depth) + ": " + to_string(node.error())});
        switch (node->kind)
        {
            case NodeKind::kLeaf:
                if (on_leaf)
                    on_leaf(node->value);
                break;
            case NodeKind::kExtension:
                todo.emplace_back(node->child, depth + node->path.size);
                break;
            case NodeKind::kBranch:
                for (size_t g = 16; g-- > 0;)
                    if (!node->children[g].empty())
                        todo.emplace_back(node->children[g], depth + 1);
                break;
            case NodeKind::kEmpty:
                break;
        }
    }
    return {};
}

}  // namespace l2::state
