#pragma once
/// A KvStore that passes every call to another one. Decorators derive from it and override
/// only what they change: StateDb's node overlay (reads of trie nodes still being written), and
/// the tests' and benches' stores that count, hold or fail some calls.

#include "kv_store.hpp"

namespace l2::state {

class ForwardingStore : public KvStore
{
public:
    explicit ForwardingStore(KvStore& inner) noexcept : m_inner{inner} {}

    bool get(Column c, ByteView key, Bytes& out) const override { return m_inner.get(c, key, out); }
    Result<void, KvError> write(const WriteBatch& batch, bool sync) override
    {
        return m_inner.write(batch, sync);
    }
    Result<void, KvError> ingest(const WriteBatch& batch) override { return m_inner.ingest(batch); }
    void scan(Column c, ByteView prefix, ByteView from, const KvVisitor& visit) const override
    {
        m_inner.scan(c, prefix, from, visit);
    }
    Result<void, KvError> delete_range(Column c, ByteView begin, ByteView end) override
    {
        return m_inner.delete_range(c, begin, end);
    }
    uint64_t approximate_size(Column c) const override { return m_inner.approximate_size(c); }

private:
    KvStore& m_inner;
};

}  // namespace l2::state
