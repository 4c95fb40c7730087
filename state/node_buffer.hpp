#pragma once
/// The trie nodes of the blocks since the last checkpoint, held in memory (docs/spec/state.md,
/// "Trie node buffer"). Each node counts its places: +1 for every put of a block, -1 for every
/// replaced entry of a later block that names it. At a checkpoint only the nodes with a place
/// left are written; the others died inside the window and never reach the store. Nodes are
/// content-addressed, so a node read from here is the node the store would hold.

#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>

#include "kv_store.hpp"

namespace l2::state {

class NodeBuffer
{
public:
    /// The lock add_block needs: taken first, it makes readers of nodes wait for the block
    /// (StateDb::commit takes it before the block's write lands, and may index on a helper).
    std::unique_lock<std::shared_mutex> lock() { return std::unique_lock{m_mutex}; }

    /// A block as the buffer holds it.
    struct Block
    {
        uint64_t number = 0;
        Hash root;
        /// Its new nodes (Column::kTrieNodes puts).
        WriteBatch nodes;
        /// The nodes it stopped referencing: one entry per place lost (those not held here
        /// are on disk: ignored).
        std::vector<Hash> replaced;
    };

    /// Adds `block`. `held` is lock()'s.
    void add_block(const std::unique_lock<std::shared_mutex>& held, Block block);

    /// Copies node `key`'s RLP into `out`; false when not held. Any thread.
    bool find(ByteView key, Bytes& out) const;

    /// Puts every node with a place left into `out`: the checkpoint's write. With `all`, every
    /// node held, dead or alive (a rewind below the checkpoint: see StateDb::unwind_nodes).
    void live_nodes(WriteBatch& out, bool all = false) const;
    /// live_nodes() without copying: `out` refers to the buffer's nodes, valid while the buffer
    /// lives unchanged (a frozen buffer, as the checkpoint writer's).
    void borrow_live_nodes(WriteBatch& out) const;

    /// Drops the blocks above `number` (a rewind), counting the rest again.
    void truncate(uint64_t number);
    /// Drops the newest block (its write failed).
    void drop_newest();

    bool empty() const;
    size_t blocks() const;
    /// The RLP and keys held, plus a per-node overhead: what the buffer costs in memory.
    size_t bytes() const;
    /// The newest block held and its state root (empty() must be false).
    uint64_t last_block() const;
    Hash last_root() const;

private:
    /// An index cell: the node's first 8 bytes (its home, and a cheap compare), its first put
    /// (block index + 1, 0: free; op index) and its places (may drop to 0 or below: see
    /// add_block).
    struct Cell
    {
        uint64_t tag = 0;
        uint32_t block = 0;
        uint32_t op = 0;
        int64_t places = 0;
    };
    static constexpr size_t kNodeOverhead = 96;

    /// What a block costs in memory (RLP, keys, per-node overhead, its replaced list).
    static size_t block_bytes(const Block& b) noexcept;

    /// Under the unique lock.
    void index_block(size_t b);
    void reindex();
    /// A table twice the size, the cells moved by their tags (no key read).
    void grow(size_t min_cells);
    /// Keeps the oldest `keep` blocks.
    void keep_blocks(size_t keep);
    template <typename Put>
    void each_live_node(bool all, Put&& put) const;
    const WriteBatch::Op& op_of(const Cell& c) const noexcept;
    static uint64_t tag_of(ByteView key) noexcept;
    /// The cell holding `key`, or the free cell where it would go.
    size_t probe(ByteView key, uint64_t tag) const noexcept;
    size_t probe(ByteView key) const noexcept { return probe(key, tag_of(key)); }
    void prefetch(ByteView key) const noexcept;

    mutable std::shared_mutex m_mutex;
    std::vector<Block> m_blocks;
    std::vector<Cell> m_cells;
    size_t m_used = 0;
    size_t m_bytes = 0;
};

}  // namespace l2::state
