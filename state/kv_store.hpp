#pragma once
/// The key-value interface every state and block structure sits on (STYLE.md §2.6): a RocksDB
/// backend (rocksdb_store.hpp) and an in-memory one for tests (memory_store.hpp).
/// Writes go through a WriteBatch applied atomically: one block = one batch.

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
};
inline constexpr size_t kColumnCount = 9;
const char* column_name(Column c) noexcept;

/// A set of writes applied all-or-nothing.
class WriteBatch
{
public:
    struct Op
    {
        Column column;
        bool is_delete;
        Bytes key;
        Bytes value;
    };

    void put(Column c, ByteView key, ByteView value)
    {
        m_ops.push_back({c, false, Bytes{key}, Bytes{value}});
        m_bytes += key.size() + value.size();
    }
    void del(Column c, ByteView key)
    {
        m_ops.push_back({c, true, Bytes{key}, {}});
        m_bytes += key.size();
    }
    void append(WriteBatch&& other)
    {
        for (auto& op : other.m_ops)
            m_ops.push_back(std::move(op));
        m_bytes += other.m_bytes;
        other.clear();
    }
    void clear() noexcept
    {
        m_ops.clear();
        m_bytes = 0;
    }
    const std::vector<Op>& ops() const noexcept { return m_ops; }
    size_t size() const noexcept { return m_ops.size(); }
    size_t approximate_bytes() const noexcept { return m_bytes; }
    bool empty() const noexcept { return m_ops.empty(); }

private:
    std::vector<Op> m_ops;
    size_t m_bytes = 0;
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
