#pragma once
/// A KvStore that passes every call to another one. Tests and benches derive from it and
/// override only what they watch or change (reads counted, a column kept in memory).

#include <state/kv_store.hpp>

namespace l2::test {

class ForwardingStore : public state::KvStore
{
public:
    explicit ForwardingStore(state::KvStore& inner) noexcept : m_inner{inner} {}

    bool get(state::Column c, ByteView key, Bytes& out) const override
    {
        return m_inner.get(c, key, out);
    }
    Result<void, state::KvError> write(const state::WriteBatch& batch, bool sync) override
    {
        return m_inner.write(batch, sync);
    }
    void scan(state::Column c,
              ByteView prefix,
              ByteView from,
              const state::KvVisitor& visit) const override
    {
        m_inner.scan(c, prefix, from, visit);
    }
    Result<void, state::KvError> delete_range(state::Column c, ByteView begin, ByteView end) override
    {
        return m_inner.delete_range(c, begin, end);
    }
    uint64_t approximate_size(state::Column c) const override
    {
        return m_inner.approximate_size(c);
    }

private:
    state::KvStore& m_inner;
};

}  // namespace l2::test
