#include "memory_store.hpp"

namespace l2::state {

bool MemoryStore::get(Column c, ByteView key, Bytes& out) const
{
    std::lock_guard lock{m_mutex};
    const auto& m = m_columns[static_cast<size_t>(c)];
    const auto it = m.find(key);
    if (it == m.end())
        return false;
    out = it->second;
    return true;
}

Result<void, KvError> MemoryStore::write(const WriteBatch& batch, bool /*sync*/)
{
    std::lock_guard lock{m_mutex};
    for (const auto& op : batch.ops())
    {
        auto& m = m_columns[static_cast<size_t>(op.column)];
        if (op.is_delete)
            m.erase(op.key);
        else if (op.is_add)
        {
            // A counter add: absent counts 0 (as RocksDB's merge operator does).
            const auto it = m.find(op.key);
            const int64_t old = it == m.end() ? 0 : decode_counter(it->second);
            const auto v = encode_counter(old + decode_counter(op.value));
            m.insert_or_assign(op.key, Bytes{v.data(), v.size()});
        }
        else
            m.insert_or_assign(op.key, op.value);
    }
    return {};
}

void MemoryStore::scan(Column c, ByteView prefix, ByteView from, const KvVisitor& visit) const
{
    // Copy the range first so `visit` may call back into the store.
    std::vector<std::pair<Bytes, Bytes>> items;
    {
        std::lock_guard lock{m_mutex};
        const auto& m = m_columns[static_cast<size_t>(c)];
        for (auto it = m.lower_bound(from); it != m.end(); ++it)
        {
            if (ByteView{it->first}.substr(0, prefix.size()) != prefix)
                break;
            items.emplace_back(it->first, it->second);
        }
    }
    for (const auto& [k, v] : items)
        if (!visit(k, v))
            return;
}

Result<void, KvError> MemoryStore::delete_range(Column c, ByteView begin, ByteView end)
{
    std::lock_guard lock{m_mutex};
    auto& m = m_columns[static_cast<size_t>(c)];
    m.erase(m.lower_bound(begin), m.lower_bound(end));
    return {};
}

uint64_t MemoryStore::approximate_size(Column c) const
{
    std::lock_guard lock{m_mutex};
    uint64_t n = 0;
    for (const auto& [k, v] : m_columns[static_cast<size_t>(c)])
        n += k.size() + v.size();
    return n;
}

size_t MemoryStore::count(Column c) const
{
    std::lock_guard lock{m_mutex};
    return m_columns[static_cast<size_t>(c)].size();
}

}  // namespace l2::state
