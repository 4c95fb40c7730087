#include "rocksdb_store.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace l2::state {

namespace {
rocksdb::Slice slice(ByteView b) noexcept
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
ByteView view(const rocksdb::Slice& s) noexcept
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
}  // namespace

struct RocksDbStore::Impl
{
    std::unique_ptr<rocksdb::DB> db;
    std::array<rocksdb::ColumnFamilyHandle*, kColumnCount> cf{};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;  // includes "default"

    ~Impl()
    {
        if (db)
        {
            for (auto* h : handles)
                db->DestroyColumnFamilyHandle(h);
            db->Close();
        }
    }
};

RocksDbStore::RocksDbStore(std::unique_ptr<Impl> impl) : m_impl{std::move(impl)} {}
RocksDbStore::~RocksDbStore() = default;

Result<std::unique_ptr<RocksDbStore>, KvError> RocksDbStore::open(const std::string& path,
                                                                   const RocksDbOptions& o)
{
    rocksdb::Options db_options;
    db_options.create_if_missing = o.create_if_missing;
    db_options.create_missing_column_families = true;
    db_options.max_background_jobs = 4;
    db_options.bytes_per_sync = 1 << 20;

    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(o.block_cache_bytes);
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
    // Index and filter blocks live in the table readers, not the block cache: a block cache
    // smaller than the index would otherwise reload index blocks on every read.
    table.cache_index_and_filter_blocks = false;

    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.write_buffer_size = o.write_buffer_bytes;
    // A block writes tens of MB (trie nodes): room for several memtables so a write never
    // waits for a flush, and a larger L0 before compaction slows writes down.
    cf_options.max_write_buffer_number = 6;
    cf_options.level0_slowdown_writes_trigger = 40;
    cf_options.level0_stop_writes_trigger = 64;
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf_options.compression = rocksdb::kLZ4Compression;
    cf_options.bottommost_compression = rocksdb::kZSTD;

    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
    for (size_t i = 0; i < kColumnCount; ++i)
    {
        descriptors.emplace_back(column_name(static_cast<Column>(i)), cf_options);
    }

    auto impl = std::make_unique<Impl>();
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s;
    if (o.read_only)
        s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &impl->handles, &raw);
    else
        s = rocksdb::DB::Open(db_options, path, descriptors, &impl->handles, &raw);
    if (!s.ok())
        return unexpected(KvError{"cannot open database at " + path + ": " + s.ToString()});
    impl->db.reset(raw);
    for (size_t i = 0; i < kColumnCount; ++i)
        impl->cf[i] = impl->handles[i + 1];
    return std::unique_ptr<RocksDbStore>{new RocksDbStore{std::move(impl)}};
}

bool RocksDbStore::get(Column c, ByteView key, Bytes& out) const
{
    rocksdb::PinnableSlice value;
    const auto s =
        m_impl->db->Get(rocksdb::ReadOptions{}, m_impl->cf[static_cast<size_t>(c)], slice(key),
                        &value);
    if (s.IsNotFound())
        return false;
    if (!s.ok())
    {
        // An I/O error or corruption must not read as "absent": consensus code would go on
        // with a wrong state. Stop, naming the column; the WAL keeps every acknowledged block.
        std::fprintf(stderr, "fatal: database read failed in column %s: %s\n", column_name(c),
                     s.ToString().c_str());
        std::abort();
    }
    out.assign(view(value));
    return true;
}

Result<void, KvError> RocksDbStore::write(const WriteBatch& batch, bool sync)
{
    // Insert in key order per column: the memtable's skiplist reuses its last insert position
    // (its "splice"), so sorted inserts skip most of the search a random key costs. The sort
    // is stable, so ops on one key keep their order (a delete then a put stays a put).
    const auto& ops = batch.ops();
    std::vector<uint32_t> order(ops.size());
    for (uint32_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        if (ops[a].column != ops[b].column)
            return ops[a].column < ops[b].column;
        return ops[a].key < ops[b].key;
    });
    rocksdb::WriteBatch wb(batch.approximate_bytes() + ops.size() * 16);
    for (const uint32_t i : order)
    {
        const auto& op = ops[i];
        auto* cf = m_impl->cf[static_cast<size_t>(op.column)];
        const auto s = op.is_delete ? wb.Delete(cf, slice(op.key))
                                    : wb.Put(cf, slice(op.key), slice(op.value));
        if (!s.ok())
            return unexpected(KvError{"write batch: " + s.ToString()});
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    const auto s = m_impl->db->Write(wo, &wb);
    if (!s.ok())
        return unexpected(KvError{"database write failed: " + s.ToString()});
    return {};
}

void RocksDbStore::scan(Column c, ByteView prefix, ByteView from, const KvVisitor& visit) const
{
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it{
        m_impl->db->NewIterator(ro, m_impl->cf[static_cast<size_t>(c)])};
    for (it->Seek(slice(from)); it->Valid(); it->Next())
    {
        const ByteView k = view(it->key());
        if (k.substr(0, prefix.size()) != prefix)
            break;
        if (!visit(k, view(it->value())))
            break;
    }
}

Result<void, KvError> RocksDbStore::delete_range(Column c, ByteView begin, ByteView end)
{
    const auto s = m_impl->db->DeleteRange(rocksdb::WriteOptions{},
                                           m_impl->cf[static_cast<size_t>(c)], slice(begin),
                                           slice(end));
    if (!s.ok())
        return unexpected(KvError{"delete range: " + s.ToString()});
    return {};
}

uint64_t RocksDbStore::approximate_size(Column c) const
{
    uint64_t size = 0;
    m_impl->db->GetIntProperty(m_impl->cf[static_cast<size_t>(c)],
                               rocksdb::DB::Properties::kTotalSstFilesSize, &size);
    uint64_t mem = 0;
    m_impl->db->GetIntProperty(m_impl->cf[static_cast<size_t>(c)],
                               rocksdb::DB::Properties::kCurSizeAllMemTables, &mem);
    return size + mem;
}

void RocksDbStore::compact(Column c)
{
    auto* cf = m_impl->cf[static_cast<size_t>(c)];
    m_impl->db->Flush(rocksdb::FlushOptions{}, cf);
    m_impl->db->CompactRange(rocksdb::CompactRangeOptions{}, cf, nullptr, nullptr);
}

}  // namespace l2::state
