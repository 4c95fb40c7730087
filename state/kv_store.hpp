#pragma once
/// The key-value interface every state and block structure sits on (STYLE.md §2.6): a RocksDB
/// backend (rocksdb_store.hpp) and an in-memory one for tests (memory_store.hpp).
/// Writes go through a WriteBatch applied atomically: one block = one batch.

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/result.hpp>

namespace l2::state {

/// Column families (RocksDB) / separate maps (memory). Stored names are in kv_store.cpp;
/// never renumber: the numbers index arrays, the names are on disk.
enum class Column : uint8_t
{
    kState,      ///< flat state: engine(1) || identity(20) [|| key] -> account / slot value
    kCode,       ///< code hash -> code (EVM bytecode, WASM module)
    kTrieNodes,  ///< node hash -> node RLP (account trie and storage tries)
    kHeaders,    ///< block_num(8 BE) || hash -> header RLP
    kBodies,     ///< block_num(8 BE) || hash -> body RLP
    kReceipts,   ///< block_num(8 BE) || hash -> receipts RLP
    kTxIndex,    ///< tx hash -> block_num(8 BE) || index(4 BE)
    kCanonical,  ///< block_num(8 BE) -> hash
    kMeta,       ///< named values: heads, schema version, pruning marks
    kUndo,       ///< block_num(8 BE) -> the block's undo record (undo.hpp)
    kL1Sload,    ///< L1SLOAD cache: l1_num(8 BE) || address(20) || key(32) -> l1_hash || value
    kTrieRefs,   ///< trie node hash -> reference count (counter, docs/spec/state.md)
    kTrieGc,     ///< block_num(8 BE) -> the block's trie GC record (undo.hpp)
};
inline constexpr size_t kColumnCount = 13;
const char* column_name(Column c) noexcept;

/// A key or value held by a WriteBatch: a view that converts to Bytes where one is needed.
struct BatchBytes : ByteView
{
    using ByteView::ByteView;
    BatchBytes() noexcept = default;
    BatchBytes(ByteView v) noexcept : ByteView{v} {}
    operator Bytes() const { return Bytes{static_cast<const ByteView&>(*this)}; }
};

/// Columns whose values are counters (WriteBatch::add).
inline constexpr bool is_counter_column(Column c) noexcept
{
    return c == Column::kTrieRefs;
}

/// A counter's stored form: 8 bytes, big-endian two's complement.
inline std::array<uint8_t, 8> encode_counter(int64_t v) noexcept
{
    std::array<uint8_t, 8> out{};
    auto u = static_cast<uint64_t>(v);
    for (size_t i = 8; i-- > 0; u >>= 8)
        out[i] = static_cast<uint8_t>(u);
    return out;
}

/// A counter's value; anything but 8 bytes reads as 0 (never written so).
inline int64_t decode_counter(ByteView v) noexcept
{
    if (v.size() != 8)
        return 0;
    uint64_t u = 0;
    for (const uint8_t b : v)
        u = (u << 8) | b;
    return static_cast<int64_t>(u);
}

/// A set of writes applied all-or-nothing. Keys and values are copied into chunks the batch
/// owns (a block's batch holds ~10^5 writes: one allocation per chunk, not two per write);
/// an Op's views stay valid while the batch lives and is not cleared, also across moves.
class WriteBatch
{
public:
    struct Op
    {
        Column column;
        bool is_delete;
        BatchBytes key;
        BatchBytes value;
        /// A counter add (`add`): `value` is the 8-byte big-endian delta.
        bool is_add = false;
    };

    WriteBatch() = default;
    WriteBatch(WriteBatch&& other) noexcept { *this = std::move(other); }
    WriteBatch& operator=(WriteBatch&& other) noexcept
    {
        if (this == &other)
            return *this;
        m_ops = std::move(other.m_ops);
        m_chunks = std::move(other.m_chunks);
        m_bytes = other.m_bytes;
        m_free = other.m_free;
        m_left = other.m_left;
        m_next_chunk = other.m_next_chunk;
        other.clear();  // it no longer owns the chunk its free pointer is in
        return *this;
    }
    WriteBatch(const WriteBatch& other) { *this = other; }
    WriteBatch& operator=(const WriteBatch& other)
    {
        if (this == &other)
            return *this;
        clear();
        for (const Op& op : other.m_ops)
        {
            if (op.is_delete)
                del(op.column, op.key);
            else if (op.is_add)
                add(op.column, op.key, decode_counter(op.value));
            else
                put(op.column, op.key, op.value);
        }
        return *this;
    }

    void put(Column c, ByteView key, ByteView value)
    {
        m_ops.push_back({c, false, copy(key), copy(value)});
        m_bytes += key.size() + value.size();
    }
    /// put() without copying: the batch refers to `key` and `value`, which must stay valid and
    /// unchanged while it is used (moves keep the reference; a copy of the batch copies them).
    void put_borrowed(Column c, ByteView key, ByteView value)
    {
        m_ops.push_back({c, false, non_null(key), non_null(value)});
        m_bytes += key.size() + value.size();
    }
    /// Room for a value of `n` bytes in the batch's own storage, filled in by the caller and
    /// then put with put_in_place (a producer that builds values in place saves their copy).
    /// The room stays where it is while the batch lives and is not cleared, also across moves.
    uint8_t* value_space(size_t n)
    {
        if (n > m_left)
            new_chunk(n);
        uint8_t* p = m_free;
        m_free += n;
        m_left -= n;
        return p;
    }
    /// put() of a value already in this batch's storage (from value_space): only `key` is
    /// copied.
    void put_in_place(Column c, ByteView key, ByteView value)
    {
        m_ops.push_back({c, false, copy(key), non_null(value)});
        m_bytes += key.size() + value.size();
    }
    void del(Column c, ByteView key)
    {
        m_ops.push_back({c, true, copy(key), copy({})});
        m_bytes += key.size();
    }
    /// Adds `delta` to the counter at `key`: a counter is an 8-byte big-endian two's-complement
    /// int64 (encode_counter), an absent key counts 0. Only on counter columns (kTrieRefs):
    /// RocksDB applies it with a merge operator, without reading the old value.
    void add(Column c, ByteView key, int64_t delta)
    {
        const auto v = encode_counter(delta);
        m_ops.push_back({c, false, copy(key), copy({v.data(), v.size()}), true});
        m_bytes += key.size() + v.size();
    }
    /// Moves `other`'s writes after this batch's (its storage moves along: nothing is copied).
    void append(WriteBatch&& other)
    {
        if (m_ops.empty() && m_chunks.empty())  // (value_space may be in use before any op)
        {
            *this = std::move(other);
            return;
        }
        m_ops.insert(m_ops.end(), other.m_ops.begin(), other.m_ops.end());
        for (auto& chunk : other.m_chunks)
            m_chunks.push_back(std::move(chunk));
        m_bytes += other.m_bytes;
        // Keep filling our own last chunk, not the moved ones.
        other.m_ops.clear();
        other.m_chunks.clear();
        other.clear();
    }
    void clear() noexcept
    {
        m_ops.clear();
        m_chunks.clear();
        m_bytes = 0;
        m_free = nullptr;
        m_left = 0;
        m_next_chunk = kFirstChunk;
    }
    /// Pre-sizes for about `ops` writes of `bytes` key and value bytes in all.
    void reserve(size_t ops, size_t bytes)
    {
        m_ops.reserve(ops);
        if (bytes > m_left)
            new_chunk(bytes);
    }
    const std::vector<Op>& ops() const noexcept { return m_ops; }
    size_t size() const noexcept { return m_ops.size(); }
    size_t approximate_bytes() const noexcept { return m_bytes; }
    bool empty() const noexcept { return m_ops.empty(); }

private:
    static constexpr size_t kFirstChunk = 4u << 10;
    static constexpr size_t kMaxChunk = 1u << 20;

    /// An empty key or value still points somewhere: Bytes{view} copies with memcpy, which
    /// must not get a null pointer, even for 0 bytes (UBSan's nonnull check).
    static ByteView non_null(ByteView b) noexcept
    {
        static constexpr uint8_t kNothing = 0;
        return b.empty() ? ByteView{&kNothing, 0} : b;
    }

    BatchBytes copy(ByteView b)
    {
        if (b.empty())
            return non_null(b);
        uint8_t* p = value_space(b.size());
        std::memcpy(p, b.data(), b.size());
        return ByteView{p, b.size()};
    }
    void new_chunk(size_t at_least)
    {
        const size_t size = std::max(m_next_chunk, at_least);
        m_next_chunk = std::min(kMaxChunk, m_next_chunk * 2);
        m_chunks.push_back(std::make_unique_for_overwrite<uint8_t[]>(size));
        m_free = m_chunks.back().get();
        m_left = size;
    }

    std::vector<Op> m_ops;
    std::vector<std::unique_ptr<uint8_t[]>> m_chunks;
    size_t m_bytes = 0;
    uint8_t* m_free = nullptr;  ///< the rest of the last own chunk
    size_t m_left = 0;
    size_t m_next_chunk = kFirstChunk;
};

/// Storage failures (disk full, corruption, I/O): the message says what and where.
struct KvError
{
    std::string message;
};

/// Visitor for ordered iteration; return false to stop.
using KvVisitor = std::function<bool(ByteView key, ByteView value)>;

class KvStore
{
public:
    virtual ~KvStore() = default;

    /// Reads `key` into `out`. False when absent. A storage failure (I/O error, corruption)
    /// stops the process with a message rather than reading as absent.
    virtual bool get(Column c, ByteView key, Bytes& out) const = 0;

    /// Applies `batch` atomically. With `sync`, returns only once it is on stable storage
    /// (survives power loss); without, once it survives a process crash (kill -9).
    virtual Result<void, KvError> write(const WriteBatch& batch, bool sync = false) = 0;

    /// Adds `batch`'s puts (no deletes or counter adds; a key's last put wins) as a bulk load:
    /// durable as write(batch, true) once it returns, but not atomic with other writes, and a
    /// store may bypass its log and memtables (RocksDB ingests a sorted table file). For
    /// large, content-addressed puts (a trie checkpoint's nodes). Default: write(batch, true).
    virtual Result<void, KvError> ingest(const WriteBatch& batch) { return write(batch, true); }

    /// Visits keys >= `from` that start with `prefix`, in byte order.
    virtual void scan(Column c, ByteView prefix, ByteView from, const KvVisitor& visit) const = 0;

    /// Drops keys in [begin, end) of one column (pruning; may be lazy on disk).
    virtual Result<void, KvError> delete_range(Column c, ByteView begin, ByteView end) = 0;

    /// Approximate bytes on disk (or in memory) for one column.
    virtual uint64_t approximate_size(Column c) const = 0;
};

/// Convenience: visit every key with `prefix`.
inline void scan_prefix(const KvStore& kv, Column c, ByteView prefix, const KvVisitor& visit)
{
    kv.scan(c, prefix, prefix, visit);
}

}  // namespace l2::state
