#pragma once
/// In-memory KvStore (ordered maps), for tests and tools.

#include <array>
#include <map>
#include <mutex>

#include "kv_store.hpp"

namespace l2::state {

class MemoryStore final : public KvStore
{
public:
    bool get(Column c, ByteView key, Bytes& out) const override;
    Result<void, KvError> write(const WriteBatch& batch, bool sync = false) override;
    void scan(Column c, ByteView prefix, ByteView from, const KvVisitor& visit) const override;
    Result<void, KvError> delete_range(Column c, ByteView begin, ByteView end) override;
    uint64_t approximate_size(Column c) const override;

    /// Number of keys in a column (tests).
    size_t count(Column c) const;

private:
    using Map = std::map<Bytes, Bytes, std::less<>>;
    mutable std::mutex m_mutex;
    std::array<Map, kColumnCount> m_columns;
};

}  // namespace l2::state
