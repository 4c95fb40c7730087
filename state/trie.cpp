#include "trie.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include <txtypes/block.hpp>
#include <txtypes/keccak.hpp>

#include "trie_node.hpp"

namespace l2::state {

namespace {

using Updates = std::span<const TrieUpdate>;

enum class Source
{
    kNone,
    kCache,
    kStore,
};

/// Reads a node from the cache, else the store. Callers decide what to cache (not leaves).
/// `replaced`: apply reads the node to rewrite it, so its cache entry may go first.
Source load_node(const KvStore& kv,
                 TrieNodeCache* cache,
                 TrieNodeCache* leaves,
                 const Hash& hash,
                 Bytes& out,
                 bool replaced = false)
{
    if (cache != nullptr && cache->get(hash, out, replaced))
        return Source::kCache;
    if (leaves != nullptr && leaves->get(hash, out, replaced))
        return Source::kCache;
    return kv.get(Column::kTrieNodes, hash, out) ? Source::kStore : Source::kNone;
}

KvError missing_node(const Hash& hash)
{
    return KvError{"trie node " + to_0x_hex(hash) +
                   " missing from the store (corrupt or pruned database)"};
}

KvError malformed_node(const NodeRef& ref, size_t depth, NodeError e)
{
    const std::string where = ref.hashed ? "trie node " + to_0x_hex(ref.hash())
                                         : "inline trie node at depth " + std::to_string(depth);
    return KvError{where + ": " + to_string(e)};
}

/// Bump allocator for leaf values read during one apply: they stay valid until it ends.
class ValueArena
{
public:
    ByteView copy(ByteView v)
    {
        if (m_chunks.empty() || m_used + v.size() > m_chunk_size)
        {
            m_chunk_size = std::max(kChunk, v.size());
            m_chunks.push_back(std::make_unique_for_overwrite<uint8_t[]>(m_chunk_size));
            m_used = 0;
        }
        uint8_t* p = m_chunks.back().get() + m_used;
        if (!v.empty())
            std::memcpy(p, v.data(), v.size());
        m_used += v.size();
        return {p, v.size()};
    }

private:
    static constexpr size_t kChunk = 256 << 10;
    std::vector<std::unique_ptr<uint8_t[]>> m_chunks;
    size_t m_chunk_size = 0;
    size_t m_used = 0;
};

/// Where each nibble's run of `updates` starts at `depth`: run g is [at[g], at[g + 1]).
struct Runs
{
    std::array<size_t, 17> at{};

    Runs(Updates updates, size_t depth) noexcept
    {
        size_t i = 0;
        for (uint8_t g = 0; g < 16; ++g)
        {
            at[g] = i;
            while (i < updates.size() && key_nibble(updates[i].key, depth) == g)
                ++i;
        }
        at[16] = i;
    }
    Updates of(Updates updates, size_t g) const noexcept
    {
        return updates.subspan(at[g], at[g + 1] - at[g]);
    }
};

/// Children of `branch` certain to be non-empty after `updates`: untouched ones (and
/// `pending`), and those receiving at least one set.
size_t sure_children(const TrieNode& branch,
                     Updates updates,
                     const Runs& runs,
                     const TrieNode* pending,
                     uint8_t pending_nibble) noexcept
{
    size_t sure = 0;
    for (size_t g = 0; g < 16; ++g)
    {
        const auto r = runs.of(updates, g);
        if (r.empty())
            sure += ((pending != nullptr && g == pending_nibble) || !branch.children[g].empty())
                        ? 1u
                        : 0u;
        else if (std::any_of(r.begin(), r.end(), [](const auto& u) { return !u.value.empty(); }))
            ++sure;
    }
    return sure;
}

/// One apply: the recursive update over the sorted updates, writing new nodes to the batch.
/// Every node is rebuilt in place (TrieNode holds its path and refs by value) and encoded once,
/// when its parent is final; the new nodes are hashed together at the end (finish()).
class Applier
{
public:
    Applier(const KvStore& kv,
            TrieNodeCache* cache,
            TrieNodeCache* leaves,
            WriteBatch& batch,
            std::vector<Hash>* replaced)
        : m_kv{kv}, m_cache{cache}, m_leaves{leaves}, m_batch{batch}, m_replaced{replaced}
    {}

    /// The node `ref` points to, `depth` nibbles down. A leaf's value borrows from the read
    /// buffer (or `ref`) until the next resolve: most loaded leaves are overwritten at once, so
    /// only one that outlives that step is copied to the arena (keep_value).
    Result<TrieNode, KvError> resolve(const NodeRef& ref, size_t depth)
    {
        return resolve(ref, depth, m_cache);
    }

    /// The subtree `node` (at `depth`) after `updates` (non-empty, sorted, all sharing the
    /// key's first `depth` nibbles). `node` is consumed.
    Result<TrieNode, KvError> update(TrieNode& node, size_t depth, Updates updates)
    {
        switch (node.kind)
        {
            case NodeKind::kEmpty:
                return update_empty(depth, updates);
            case NodeKind::kLeaf:
                return update_leaf(node, depth, updates);
            case NodeKind::kExtension:
                return update_extension(node, depth, updates);
            case NodeKind::kBranch:
                return update_branch(node, depth, updates, nullptr, 0);
        }
        return TrieNode{};
    }

    /// A reference to `node` for its parent: inline when its RLP is < 32 bytes, else its hash
    /// (and the node goes to the batch).
    NodeRef store(const TrieNode& node)
    {
        if (node.kind == NodeKind::kEmpty)
            return {};
        m_holes_tmp.clear();
        encode_node(node, m_enc, &m_holes_tmp);
        // A node with a hashed child is at least 34 bytes: only a node of inline children
        // (none pending) can be inlined.
        if (m_enc.size() < 32)
            return inline_ref();
        return NodeRef::of_pending(add_pending(node.kind));
    }

    /// Updates and stores children [from, to) of `branch` (at `depth`), when two children are
    /// sure to survive so none is kept decoded for a collapse. Touches only those children's
    /// refs: two Appliers may share a branch over disjoint ranges.
    Result<void, KvError> update_children(TrieNode& branch,
                                          size_t depth,
                                          Updates updates,
                                          const Runs& runs,
                                          size_t from,
                                          size_t to,
                                          TrieNode* pending,
                                          uint8_t pending_nibble)
    {
        // The new children are encoded as they are built; their hashes wait for finish().
        for (size_t g = from; g < to; ++g)
        {
            const bool is_pending = pending != nullptr && g == pending_nibble;
            const auto r = runs.of(updates, g);
            if (r.empty())
            {
                if (is_pending)
                    branch.children[g] = store(*pending);
                continue;
            }
            auto out = update_child(branch, g, depth, r, is_pending ? pending : nullptr);
            if (!out)
                return unexpected(out.error());
            branch.children[g] = store(*out);
        }
        return {};
    }

    /// The root hash of `node`; the root node is stored whatever its size. Finishes the
    /// apply (see finish()).
    Hash store_root(const TrieNode& node)
    {
        if (node.kind == NodeKind::kEmpty)
        {
            finish();
            return txtypes::kEmptyRootHash;
        }
        m_holes_tmp.clear();
        encode_node(node, m_enc, &m_holes_tmp);
        const uint32_t root = add_pending(node.kind);
        finish();
        return m_hashes[root];
    }

    /// Hashes every new node of the apply, the lowest first: a node's holes are filled once
    /// its children's hashes are known, and all the nodes of one height are hashed together
    /// (keccak256_many: four or eight messages per vectorised permutation, where hashing each
    /// node as its parent completes mostly found one sibling, hashed alone). Then the nodes go
    /// to the batch and the cache in the order they were built (children before parents).
    /// Only the nodes added since the last finish() are hashed: the parallel apply finishes
    /// each thread's part of the root's children on that thread, then the root.
    void finish()
    {
        const size_t first = m_hashes.size();
        const size_t n = m_pending.size();
        if (n == first)
            return;
        m_hashes.resize(n);
        uint16_t top = 0;
        for (size_t i = first; i < n; ++i)
            top = std::max(top, m_pending[i].height);
        // Counting sort of the nodes by height, creation order within a height.
        std::vector<uint32_t> start(static_cast<size_t>(top) + 2, 0);
        for (size_t i = first; i < n; ++i)
            ++start[m_pending[i].height + 1u];
        for (size_t h = 1; h < start.size(); ++h)
            start[h] += start[h - 1];
        std::vector<uint32_t> order(n - first);
        {
            std::vector<uint32_t> next(start.begin(), start.end() - 1);
            for (auto i = static_cast<uint32_t>(first); i < n; ++i)
                order[next[m_pending[i].height]++] = i;
        }
        std::vector<ByteView> views;
        std::vector<Hash> hashes;
        for (size_t h = 0; h <= top; ++h)
        {
            const size_t from = start[h];
            const size_t to = start[h + 1];
            views.resize(to - from);
            hashes.resize(to - from);
            for (size_t k = from; k < to; ++k)
            {
                const Pending& p = m_pending[order[k]];
                for (uint32_t j = p.holes_begin; j < p.holes_end; ++j)
                    std::memcpy(m_holes[j].at, m_hashes[m_holes[j].child].data(), 32);
                views[k - from] = ByteView{p.data, p.size};
            }
            keccak256_many(views, hashes);
            for (size_t k = from; k < to; ++k)
                m_hashes[order[k]] = hashes[k - from];
        }
        for (size_t i = first; i < n; ++i)
        {
            const Pending& p = m_pending[i];
            put_node(m_hashes[i], ByteView{p.data, p.size}, p.kind);
        }
    }

    /// finish(), then children [from, to) of `branch`, which this apply set, get their real
    /// hashes: the parallel apply shares the root between Appliers, each finishing its part.
    void finish_children(TrieNode& branch, size_t from, size_t to)
    {
        finish();
        for (size_t g = from; g < to; ++g)
        {
            NodeRef& ref = branch.children[g];
            if (ref.pending)
                ref = NodeRef::of_hash(m_hashes[ref.pending_index()]);
        }
    }

private:
    /// resolve() looking in `cache` (may be null: the caller already missed it) before the store.
    Result<TrieNode, KvError> resolve(const NodeRef& ref, size_t depth, TrieNodeCache* cache)
    {
        if (ref.empty())
            return TrieNode{};
        if (!ref.hashed)
            return decoded(ref, ref.view(), depth);
        // Apply reads a node to replace it: a cached copy may go first, one read from the
        // store is not cached (the new version is, when written).
        if (load_node(m_kv, cache, m_leaves, ref.hash(), m_read, true) == Source::kNone)
            return unexpected(missing_node(ref.hash()));
        return loaded(ref, depth);
    }

    /// The node `ref` (hashed) points to, just read into m_read.
    Result<TrieNode, KvError> loaded(const NodeRef& ref, size_t depth)
    {
        // Resolved to be rebuilt: its place is gone (a collapse onto a branch takes it back).
        if (m_replaced != nullptr)
            m_replaced->push_back(ref.hash());
        return decoded(ref, m_read, depth);
    }

    Result<TrieNode, KvError> decoded(const NodeRef& ref, ByteView rlp, size_t depth)
    {
        auto node = decode_node(rlp, depth);
        if (!node)
            return unexpected(malformed_node(ref, depth, node.error()));
        return std::move(*node);
    }

    /// The node just encoded (m_enc, < 32 bytes) as an inline ref.
    NodeRef inline_ref() const noexcept
    {
        NodeRef r;
        std::copy(m_enc.begin(), m_enc.end(), r.bytes.begin());
        r.size = static_cast<uint8_t>(m_enc.size());
        return r;
    }

    /// `rlp` is in the batch's storage already (add_pending).
    void put_node(const Hash& h, ByteView rlp, NodeKind kind)
    {
        m_batch.put_in_place(Column::kTrieNodes, h, rlp);
        if (kind != NodeKind::kLeaf)
        {
            if (m_cache != nullptr)
                m_cache->put(h, rlp);
        }
        else if (m_leaves != nullptr)
            m_leaves->put(h, rlp);
    }

    /// A new node of this apply, encoded in the batch's storage, its hash to come (finish()).
    struct Pending
    {
        uint8_t* data;
        uint32_t size;
        uint32_t holes_begin;  ///< its pending children's places: m_holes[begin, end)
        uint32_t holes_end;
        uint16_t height;  ///< 0 without pending children, else 1 + the highest child's
        NodeKind kind;
    };

    /// Adds the node just encoded in m_enc (its holes in m_holes_tmp) as pending.
    uint32_t add_pending(NodeKind kind)
    {
        // Encoded where the batch keeps it: finish() fills the holes and puts it in place.
        uint8_t* data = m_batch.value_space(m_enc.size());
        std::memcpy(data, m_enc.data(), m_enc.size());
        Pending p{
            data, static_cast<uint32_t>(m_enc.size()), static_cast<uint32_t>(m_holes.size()), 0, 0,
            kind};
        for (const HashHole& hole : m_holes_tmp)
        {
            m_holes.push_back({data + hole.at, hole.child});
            p.height = std::max<uint16_t>(p.height, m_pending[hole.child].height + 1);
        }
        p.holes_end = static_cast<uint32_t>(m_holes.size());
        m_pending.push_back(p);
        return static_cast<uint32_t>(m_pending.size() - 1);
    }

    Result<TrieNode, KvError> update_empty(size_t depth, Updates updates)
    {
        const TrieUpdate* last_set = nullptr;
        size_t sets = 0;
        for (const auto& u : updates)
        {
            if (!u.value.empty())
            {
                ++sets;
                last_set = &u;
            }
        }
        if (sets == 0)
            return TrieNode{};  // deletes of absent keys
        if (sets == 1)
            return TrieNode::leaf(Nibbles::of_key(last_set->key, depth), last_set->value);
        // Two distinct keys share `depth` nibbles, so depth < 64.
        TrieNode branch = TrieNode::branch();
        return update_branch(branch, depth, updates, nullptr, 0);
    }

    Result<TrieNode, KvError> update_leaf(TrieNode& leaf, size_t depth, Updates updates)
    {
        // A leaf's path runs to the key's end: a prefix match is the same key.
        const TrieUpdate* same = nullptr;
        bool any_set = false;
        for (const auto& u : updates)
        {
            if (leaf.path.is_prefix_of(u.key, depth))
                same = &u;
            any_set = any_set || !u.value.empty();
        }
        if (updates.size() == 1 && same != nullptr)
        {
            if (same->value.empty())
                return TrieNode{};
            leaf.value = same->value;  // the one update sets this key
            return std::move(leaf);
        }
        keep_value(leaf);  // the old value outlives this step
        if (!any_set)
            return same != nullptr ? TrieNode{} : std::move(leaf);
        // Another key arrives: a branch here, the old leaf one nibble down. Unique keys that
        // share `depth` nibbles differ below it, so the path is not empty.
        TrieNode branch = TrieNode::branch();
        TrieNode pending = TrieNode::leaf(leaf.path.suffix(1), leaf.value);
        return update_branch(branch, depth, updates, &pending, leaf.path.n[0]);
    }

    Result<TrieNode, KvError> update_extension(TrieNode& ext, size_t depth, Updates updates)
    {
        const Nibbles& path = ext.path;
        // Keys under the path are one contiguous run of the sorted updates.
        const auto first = std::find_if(updates.begin(), updates.end(), [&](const TrieUpdate& u) {
            return path.is_prefix_of(u.key, depth);
        });
        const auto last = std::find_if(first, updates.end(), [&](const TrieUpdate& u) {
            return !path.is_prefix_of(u.key, depth);
        });
        const auto is_delete = [](const TrieUpdate& u) { return u.value.empty(); };
        const bool outside_only_deletes = std::all_of(updates.begin(), first, is_delete) &&
                                          std::all_of(last, updates.end(), is_delete);
        if (outside_only_deletes)
        {
            // Deletes off the path miss: only the run under it changes anything.
            if (first == last)
                return std::move(ext);
            const size_t below = depth + path.size;
            auto child = resolve(ext.child, below);
            if (!child)
                return unexpected(child.error());
            auto out = update(*child, below,
                              updates.subspan(static_cast<size_t>(first - updates.begin()),
                                              static_cast<size_t>(last - first)));
            if (!out)
                return unexpected(out.error());
            return with_prefix(path, *out);
        }
        // Some key leaves the path: a branch at its first nibble.
        TrieNode branch = TrieNode::branch();
        if (path.size == 1)
        {
            branch.children[path.n[0]] = ext.child;
            return update_branch(branch, depth, updates, nullptr, 0);
        }
        TrieNode pending = TrieNode::extension(path.suffix(1), ext.child);
        return update_branch(branch, depth, updates, &pending, path.n[0]);
    }

    /// `child` seen from `prefix.size` nibbles higher: paths merge (leaf or extension below an
    /// extension), a branch gets an extension above it.
    TrieNode with_prefix(const Nibbles& prefix, TrieNode& child)
    {
        switch (child.kind)
        {
            case NodeKind::kEmpty:
                return TrieNode{};
            case NodeKind::kLeaf:
            case NodeKind::kExtension: {
                Nibbles merged = prefix;
                merged.append(child.path);
                child.path = merged;
                return std::move(child);
            }
            case NodeKind::kBranch:
                break;
        }
        return TrieNode::extension(prefix, store(child));
    }

    /// Applies `updates` to `branch` (at `depth` < 64), one child per nibble run. `pending`, if
    /// set, is a node not yet stored that belongs at child `pending_nibble` (a split leaf or
    /// extension). Children with updates are loaded, updated and stored; untouched ones keep
    /// their refs. Unless two children are certain to survive, the updated children stay
    /// decoded until the count is known: a branch left with one child dissolves into it.
    Result<TrieNode, KvError> update_branch(TrieNode& branch,
                                            size_t depth,
                                            Updates updates,
                                            TrieNode* pending,
                                            uint8_t pending_nibble)
    {
        const Runs runs{updates, depth};
        const auto run = [&](size_t g) { return runs.of(updates, g); };
        const auto is_pending = [&](size_t g) { return pending != nullptr && g == pending_nibble; };

        if (sure_children(branch, updates, runs, pending, pending_nibble) >= 2)
        {
            auto done =
                update_children(branch, depth, updates, runs, 0, 16, pending, pending_nibble);
            if (!done)
                return unexpected(done.error());
            return std::move(branch);
        }

        // Deletes may leave one child or none: keep new children decoded until we know.
        std::vector<std::pair<uint8_t, TrieNode>> kept;
        for (size_t g = 0; g < 16; ++g)
        {
            const auto nibble = static_cast<uint8_t>(g);
            const auto r = run(g);
            if (r.empty())
            {
                if (is_pending(g))
                    kept.emplace_back(nibble, std::move(*pending));
                continue;
            }
            auto out = update_child(branch, g, depth, r, is_pending(g) ? pending : nullptr);
            if (!out)
                return unexpected(out.error());
            branch.children[g] = {};
            if (out->kind != NodeKind::kEmpty)
                kept.emplace_back(nibble, std::move(*out));
        }
        size_t count = kept.size();
        for (const auto& c : branch.children)
            count += c.empty() ? 0u : 1u;
        if (count >= 2)
        {
            for (auto& [g, node] : kept)
                branch.children[g] = store(node);
            return std::move(branch);
        }
        if (count == 0)
            return TrieNode{};
        // One child left: the branch dissolves into it (YP D.(194): no branch of one child).
        Nibbles prefix;
        if (!kept.empty())
        {
            prefix.push_back(kept.front().first);
            return with_prefix(prefix, kept.front().second);
        }
        size_t g = 0;
        while (branch.children[g].empty())
            ++g;
        prefix.push_back(static_cast<uint8_t>(g));
        auto child = resolve(branch.children[g], depth + 1);
        if (!child)
            return unexpected(child.error());
        if (child->kind == NodeKind::kBranch)
        {
            if (m_replaced != nullptr && branch.children[g].hashed)
                m_replaced->pop_back();  // resolve's entry: the child keeps its place's ref
            return TrieNode::extension(prefix, branch.children[g]);  // its ref stays valid
        }
        keep_value(*child);
        return with_prefix(prefix, *child);
    }

    /// Copies a leaf's borrowed value to the arena, where it lives until the apply ends.
    void keep_value(TrieNode& node)
    {
        if (node.kind == NodeKind::kLeaf)
            node.value = m_arena.copy(node.value);
    }

    /// Child `g` of `branch` (or `pending`) after updates `r`.
    Result<TrieNode, KvError> update_child(const TrieNode& branch,
                                           size_t g,
                                           size_t depth,
                                           Updates r,
                                           TrieNode* pending)
    {
        if (pending != nullptr)
            return update(*pending, depth + 1, r);
        const NodeRef& ref = branch.children[g];
        TrieNodeCache* cache = m_cache;
        if (r.size() == 1 && !r[0].old_value.empty() && ref.hashed)
        {
            // The cache holds no leaves: a child found there is a branch or an extension, which
            // the hint below would miss at the cost of a keccak (~17k times per block in the
            // commit bench, where the key's leaf sits deeper).
            if (m_cache != nullptr && m_cache->get(ref.hash(), m_read, true))
            {
                auto child = loaded(ref, depth + 1);
                if (!child)
                    return unexpected(child.error());
                return update(*child, depth + 1, r);
            }
            cache = nullptr;  // missed: resolve goes straight to the store
            // Is the child this key's leaf as the caller last knew it? Equal hashes mean equal
            // nodes, so the leaf need not be read; otherwise read it as usual.
            TrieNode old = TrieNode::leaf(Nibbles::of_key(r[0].key, depth + 1), r[0].old_value);
            encode_node(old, m_enc);
            if (m_enc.size() >= 32 && keccak256(m_enc) == ref.hash())
            {
                if (m_replaced != nullptr)
                    m_replaced->push_back(ref.hash());  // the old leaf goes, unread
                if (r[0].value.empty())
                    return TrieNode{};
                old.value = r[0].value;
                return old;
            }
        }
        auto child = resolve(ref, depth + 1, cache);
        if (!child)
            return unexpected(child.error());
        return update(*child, depth + 1, r);
    }

    const KvStore& m_kv;
    TrieNodeCache* m_cache;
    TrieNodeCache* m_leaves;
    WriteBatch& m_batch;
    std::vector<Hash>* m_replaced;  ///< old nodes whose place this apply rebuilt (may be null)
    Bytes m_read;  ///< the node being decoded (decoding copies all but leaf values out)
    Bytes m_enc;   ///< the node being encoded
    std::vector<HashHole> m_holes_tmp;  ///< m_enc's pending children
    std::vector<Pending> m_pending;     ///< the apply's new nodes, in the order built
    /// A pending child's place in its parent's encoding (in the batch).
    struct Hole
    {
        uint8_t* at;
        uint32_t child;
    };
    std::vector<Hole> m_holes;          ///< the new nodes' pending children's places
    std::vector<Hash> m_hashes;         ///< their hashes (finish())
    ValueArena m_arena;
};

enum class WalkStatus
{
    kFound,
    kAbsent,
    kMissing,
    kMalformed,
};

struct Walk
{
    WalkStatus status = WalkStatus::kAbsent;
    NodeRef at;  ///< the missing or malformed node
    size_t depth = 0;
    NodeError error = NodeError::kRlp;
};

/// Follows `key` down from the node hashed `root`. `load(hash)` gives a hashed node's RLP
/// (std::optional<ByteView>, valid until the next call; nullopt when missing). On kFound,
/// `value` gets the leaf value.
template <typename Load>
Walk walk(const Hash& root, const Hash& key, Load&& load, Bytes& value)
{
    NodeRef ref = NodeRef::of_hash(root);
    size_t depth = 0;
    for (;;)
    {
        const NodeRef at = ref;
        ByteView rlp = at.view();
        if (at.hashed)
        {
            const std::optional<ByteView> loaded = load(at.hash());
            if (!loaded)
                return {WalkStatus::kMissing, at, depth};
            rlp = *loaded;
        }
        const auto node = decode_node(rlp, depth);
        if (!node)
            return {WalkStatus::kMalformed, at, depth, node.error()};
        // decode_node bounds every path by the depth, so the key indices below stay < 64.
        switch (node->kind)
        {
            case NodeKind::kLeaf:
                if (!node->path.is_prefix_of(key, depth))
                    return {WalkStatus::kAbsent};
                value.assign(node->value);
                return {WalkStatus::kFound};
            case NodeKind::kExtension:
                if (!node->path.is_prefix_of(key, depth))
                    return {WalkStatus::kAbsent};
                depth += node->path.size;
                ref = node->child;
                break;
            case NodeKind::kBranch:
                ref = node->children[key_nibble(key, depth)];
                ++depth;
                if (ref.empty())
                    return {WalkStatus::kAbsent};
                break;
            case NodeKind::kEmpty:
                return {WalkStatus::kAbsent};
        }
    }
}

/// The root branch after `updates`, its children updated by `threads` Appliers over runs of
/// nibbles holding about equal numbers of updates. Falls back to one thread when the root might
/// collapse. Each helper fills its own batch, appended to `batch` in nibble order.
Result<TrieNode, KvError> update_root_in_parallel(Applier& main,
                                                  const KvStore& kv,
                                                  TrieNodeCache* cache,
                                                  TrieNodeCache* leaves,
                                                  WriteBatch& batch,
                                                  std::vector<Hash>* replaced,
                                                  TrieNode& root,
                                                  Updates updates,
                                                  size_t threads)
{
    const Runs runs{updates, 0};
    if (sure_children(root, updates, runs, nullptr, 0) < 2)
        return main.update(root, 0, updates);
    // Nibble ranges: range t is [cut[t], cut[t + 1]).
    std::vector<size_t> cut{0};
    for (size_t t = 1; t < threads; ++t)
    {
        size_t g = cut.back() + 1;
        while (g < 16 && runs.at[g] < updates.size() * t / threads)
            ++g;
        if (g >= 16)
            break;
        cut.push_back(g);
    }
    cut.push_back(16);
    const size_t helpers = cut.size() - 2;  // range 0 stays on this thread
    std::vector<WriteBatch> batches(helpers);
    std::vector<std::vector<Hash>> replaced_by(helpers);
    std::vector<Result<void, KvError>> results(helpers);
    std::vector<std::thread> workers;
    workers.reserve(helpers);
    for (size_t h = 0; h < helpers; ++h)
    {
        workers.emplace_back([&, h] {
            Applier helper{kv, cache, leaves, batches[h],
                           replaced != nullptr ? &replaced_by[h] : nullptr};
            results[h] =
                helper.update_children(root, 0, updates, runs, cut[h + 1], cut[h + 2], nullptr, 0);
            if (results[h])
                helper.finish_children(root, cut[h + 1], cut[h + 2]);
        });
    }
    const auto mine = main.update_children(root, 0, updates, runs, 0, cut[1], nullptr, 0);
    if (mine)
        main.finish_children(root, 0, cut[1]);  // hashed while the helpers hash theirs
    for (auto& w : workers)
        w.join();
    if (!mine)
        return unexpected(mine.error());
    for (size_t h = 0; h < helpers; ++h)
    {
        if (!results[h])
            return unexpected(results[h].error());
        batch.append(std::move(batches[h]));
        if (replaced != nullptr)
            replaced->insert(replaced->end(), replaced_by[h].begin(), replaced_by[h].end());
    }
    return std::move(root);
}

}  // namespace

Result<Hash, KvError> Trie::apply(const Hash& root,
                                  std::span<const TrieUpdate> updates,
                                  WriteBatch& batch,
                                  std::vector<Hash>* replaced)
{
    if (updates.empty())
        return root;
    for (size_t i = 1; i < updates.size(); ++i)
        if (!(updates[i - 1].key < updates[i].key))
            return unexpected(KvError{"trie updates not sorted by key or not unique, at " +
                                      to_0x_hex(updates[i].key)});
    Applier applier{m_kv, m_cache, m_leaves, batch, replaced};
    TrieNode node;
    if (root != txtypes::kEmptyRootHash)
    {
        auto r = applier.resolve(NodeRef::of_hash(root), 0);
        if (!r)
            return unexpected(r.error());
        node = *r;
    }
    auto out =
        (m_threads > 1 && updates.size() >= kParallelMinUpdates && node.kind == NodeKind::kBranch)
            ? update_root_in_parallel(applier, m_kv, m_cache, m_leaves, batch, replaced, node,
                                      updates, std::min<size_t>(m_threads, 16))
            : applier.update(node, 0, updates);
    if (!out)
        return unexpected(out.error());
    return applier.store_root(*out);
}

Result<std::optional<Bytes>, KvError> Trie::get(const Hash& root, const Hash& key) const
{
    if (root == txtypes::kEmptyRootHash)
        return std::optional<Bytes>{};
    Bytes buf;
    const auto load = [&](const Hash& h) -> std::optional<ByteView> {
        if (load_node(m_kv, m_cache, m_leaves, h, buf) == Source::kNone)
            return std::nullopt;
        return ByteView{buf};
    };
    Bytes value;
    const Walk w = walk(root, key, load, value);
    switch (w.status)
    {
        case WalkStatus::kFound:
            return std::optional<Bytes>{std::move(value)};
        case WalkStatus::kAbsent:
            return std::optional<Bytes>{};
        case WalkStatus::kMissing:
            return unexpected(missing_node(w.at.hash()));
        case WalkStatus::kMalformed:
            break;
    }
    return unexpected(malformed_node(w.at, w.depth, w.error));
}

Result<std::vector<Bytes>, KvError> Trie::prove(const Hash& root, const Hash& key) const
{
    std::vector<Bytes> proof;
    if (root == txtypes::kEmptyRootHash)
        return proof;
    const auto load = [&](const Hash& h) -> std::optional<ByteView> {
        Bytes buf;
        if (load_node(m_kv, m_cache, m_leaves, h, buf) == Source::kNone)
            return std::nullopt;
        proof.push_back(std::move(buf));
        return ByteView{proof.back()};
    };
    Bytes value;
    const Walk w = walk(root, key, load, value);
    if (w.status == WalkStatus::kMissing)
        return unexpected(missing_node(w.at.hash()));
    if (w.status == WalkStatus::kMalformed)
        return unexpected(malformed_node(w.at, w.depth, w.error));
    return proof;
}

bool verify_proof(const Hash& root, const Hash& key, std::span<const Bytes> proof, Bytes& value)
{
    value.clear();
    if (root == txtypes::kEmptyRootHash)
        return proof.empty();
    size_t used = 0;
    const auto load = [&](const Hash& h) -> std::optional<ByteView> {
        if (used == proof.size() || keccak256(proof[used]) != h)
            return std::nullopt;
        return ByteView{proof[used++]};
    };
    const Walk w = walk(root, key, load, value);
    const bool ok =
        (w.status == WalkStatus::kFound || w.status == WalkStatus::kAbsent) && used == proof.size();
    if (!ok)
        value.clear();
    return ok;
}

}  // namespace l2::state
