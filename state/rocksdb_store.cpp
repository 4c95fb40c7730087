#include "rocksdb_store.hpp"

#include "write_order.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace l2::state {

namespace {
/// The largest batch buffer a writing thread keeps for its next write (RocksDbStore::write).
constexpr size_t kKeptWriteBufferBytes = 128u << 20;

rocksdb::Slice slice(ByteView b) noexcept
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
ByteView view(const rocksdb::Slice& s) noexcept
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

/// Counter columns (kv_store.hpp, WriteBatch::add): operands and values are 8-byte big-endian
/// int64s, merged by adding, so an increment needs no read. The name is stored in the OPTIONS
/// file: never change it.
class CounterAddOperator final : public rocksdb::AssociativeMergeOperator
{
public:
    bool Merge(const rocksdb::Slice& /*key*/,
               const rocksdb::Slice* existing,
               const rocksdb::Slice& value,
               std::string* new_value,
               rocksdb::Logger* /*logger*/) const override
    {
        const int64_t old = existing != nullptr ? decode_counter(view(*existing)) : 0;
        const auto sum = encode_counter(old + decode_counter(view(value)));
        new_value->assign(reinterpret_cast<const char*>(sum.data()), sum.size());
        return true;
    }
    const char* Name() const override { return "l2.int64_be_add"; }
};

}  // namespace

struct RocksDbStore::Impl
{
    std::unique_ptr<rocksdb::DB> db;
    std::array<rocksdb::ColumnFamilyHandle*, kColumnCount> cf{};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;  // includes "default"
    /// Where ingest() builds its table files (a subdirectory: RocksDB ignores it).
    std::string ingest_dir;
    std::atomic<uint64_t> next_ingest_file{0};

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
    if (!o.read_only)
    {
        // Compactions (the LOW pool) at the lowest CPU priority: on a small machine the block
        // being built and committed gets the cores first and compactions catch up in the idle
        // time between blocks (~7% less wall time per block in the commit bench; flushes keep
        // their priority, and RocksDB's write controller still slows writers down if
        // compactions fall far behind). Process-wide: it is the default Env's pool.
        (void)rocksdb::Env::Default()->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW,
                                                                 rocksdb::CpuPriority::kLow);
    }
    db_options.create_if_missing = o.create_if_missing;
    db_options.create_missing_column_families = true;
    db_options.max_background_jobs = 4;
    db_options.bytes_per_sync = 1 << 20;
    // Bound the write-ahead log: past this, column families whose memtables still hold its
    // oldest writes are flushed, so the log (and the disk) stays flat under steady load (a
    // rarely written column would otherwise keep every log file alive; RocksDB's default bound
    // is 4x the memtables, several GiB). One memtable's worth: the flushes it forces are of
    // columns written rarely, and cheap.
    db_options.max_total_wal_size = uint64_t{64} << 20;

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

    // Trie nodes are keyed by their hash and mostly made of hashes: compression saves little
    // and costs CPU on every flush and compaction, which on a small machine the block commit
    // pays for. Every read of a node is for a node that exists (its parent references it), so
    // the last level needs no Bloom filter.
    rocksdb::ColumnFamilyOptions trie_options = cf_options;
    trie_options.compression = rocksdb::kNoCompression;
    trie_options.bottommost_compression = rocksdb::kNoCompression;
    trie_options.optimize_filters_for_hits = true;
    trie_options.write_buffer_size = o.trie_write_buffer_bytes;
    // Node keys are hashes: every L0 file overlaps all of L1, so each L0 -> L1 compaction
    // rewrites the whole of L1. Merging 16 memtables' worth at a time instead of RocksDB's 4
    // rewrites L1 a quarter as often: ~8% less CPU per block for the commit bench
    // (docs/performance.md); a node read checks a few more L0 Bloom filters.
    trie_options.level0_file_num_compaction_trigger = 16;

    // Reference counts of trie nodes: small values updated by merge (commit) and read by GC.
    rocksdb::ColumnFamilyOptions counter_options = cf_options;
    counter_options.merge_operator = std::make_shared<CounterAddOperator>();
    counter_options.compression = rocksdb::kNoCompression;
    counter_options.bottommost_compression = rocksdb::kNoCompression;

    // Flat-state reads of absent keys are common (new accounts and slots; prepare reads the
    // old value of every written slot the read cache misses): a memtable Bloom filter answers
    // them without searching the memtables' skiplists.
    rocksdb::ColumnFamilyOptions state_options = cf_options;
    state_options.memtable_prefix_bloom_size_ratio = 0.02;
    state_options.memtable_whole_key_filtering = true;
    state_options.write_buffer_size = o.state_write_buffer_bytes;

    // A database written by an older build may lack a newer column (Column::kUndo): a
    // writable open creates it (create_missing_column_families); a read-only open cannot, so
    // it opens what exists and the missing column reads as empty.
    std::vector<std::string> existing;
    if (o.read_only)
        (void)rocksdb::DB::ListColumnFamilies(db_options, path, &existing);
    const auto exists = [&](const char* name) {
        return !o.read_only || std::find(existing.begin(), existing.end(), name) != existing.end();
    };
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    std::vector<size_t> opened;  // the Column of descriptors[i + 1]
    descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
    for (size_t i = 0; i < kColumnCount; ++i)
    {
        const auto c = static_cast<Column>(i);
        if (!exists(column_name(c)))
            continue;
        descriptors.emplace_back(column_name(c), c == Column::kTrieNodes ? trie_options
                                                 : c == Column::kState   ? state_options
                                                 : is_counter_column(c)  ? counter_options
                                                                         : cf_options);
        opened.push_back(i);
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
    for (size_t i = 0; i < opened.size(); ++i)
        impl->cf[opened[i]] = impl->handles[i + 1];
    if (!o.read_only)
    {
        // Table files a kill left half built or not yet ingested: their puts were never
        // acknowledged (the checkpoint record comes after the ingest).
        impl->ingest_dir = path + "/ingest";
        std::error_code ec;
        std::filesystem::remove_all(impl->ingest_dir, ec);
        std::filesystem::create_directories(impl->ingest_dir, ec);
        if (ec)
            return unexpected(KvError{"cannot create " + impl->ingest_dir + ": " + ec.message()});
    }
    return std::unique_ptr<RocksDbStore>{new RocksDbStore{std::move(impl)}};
}

bool RocksDbStore::get(Column c, ByteView key, Bytes& out) const
{
    auto* cf = m_impl->cf[static_cast<size_t>(c)];
    if (cf == nullptr)
        return false;  // a column a read-only open did not find
    rocksdb::PinnableSlice value;
    const auto s = m_impl->db->Get(rocksdb::ReadOptions{}, cf, slice(key), &value);
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
    const std::vector<uint32_t> order = write_order(batch);
    // Each writing thread reuses its batch's buffer: a block's batch is ~10 MB and a trie
    // checkpoint's ~60 MB, and a fresh buffer each time cost a page fault and a zeroed page
    // per 4 KiB (~2-3% of the commit bench's CPU). A rare larger one (a rewind, a genesis) is
    // replaced at the thread's next write.
    thread_local rocksdb::WriteBatch wb;
    thread_local size_t reserved = 0;
    const size_t bytes = batch.approximate_bytes() + ops.size() * 16;
    if (bytes > reserved || reserved > kKeptWriteBufferBytes)
    {
        wb = rocksdb::WriteBatch{bytes};
        reserved = bytes;
    }
    else
        wb.Clear();
    for (const uint32_t i : order)
    {
        const auto& op = ops[i];
        auto* cf = m_impl->cf[static_cast<size_t>(op.column)];
        if (cf == nullptr)
            return unexpected(KvError{std::string{"write batch: no column "} +
                                      column_name(op.column) + " (read-only database)"});
        if (op.is_add && !is_counter_column(op.column))
            return unexpected(KvError{std::string{"write batch: counter add on column "} +
                                      column_name(op.column) + ", which has no merge operator"});
        const auto s = op.is_delete ? wb.Delete(cf, slice(op.key))
                       : op.is_add  ? wb.Merge(cf, slice(op.key), slice(op.value))
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

Result<void, KvError> RocksDbStore::ingest(const WriteBatch& batch)
{
    const auto& ops = batch.ops();
    if (ops.empty())
        return {};
    if (m_impl->ingest_dir.empty())
        return unexpected(KvError{"ingest: read-only database"});
    // Table files take keys in strictly increasing order: (column, key), a key's puts in
    // batch order, of which the last is kept.
    const std::vector<uint32_t> order = write_order(batch);
    std::vector<std::string> files;
    const auto remove_files = [&] {
        for (const std::string& f : files)
        {
            std::error_code ec;
            std::filesystem::remove(f, ec);  // moved (ingested) files are already gone
        }
    };
    const auto fail = [&](std::string message) -> Result<void, KvError> {
        remove_files();
        return unexpected(KvError{"ingest: " + std::move(message)});
    };
    std::vector<rocksdb::IngestExternalFileArg> args;
    const rocksdb::EnvOptions env{m_impl->db->GetDBOptions()};
    for (size_t i = 0; i < order.size();)
    {
        const Column column = ops[order[i]].column;
        auto* cf = m_impl->cf[static_cast<size_t>(column)];
        if (cf == nullptr)
            return fail(std::string{"no column "} + column_name(column));
        files.push_back(m_impl->ingest_dir + "/" +
                        std::to_string(m_impl->next_ingest_file.fetch_add(1)) + ".sst");
        // An ingest whose keys overlap the column's memtables flushes them first, with every
        // writer stopped meanwhile (a block's write would wait for it). Flushed here, the
        // writers go on (the trie column's memtable holds only GC's deletes, which never run
        // during a checkpoint).
        uint64_t in_memtables = 0;
        m_impl->db->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesActiveMemTable,
                                   &in_memtables);
        uint64_t immutable = 0;
        m_impl->db->GetIntProperty(cf, rocksdb::DB::Properties::kNumImmutableMemTable, &immutable);
        if (in_memtables + immutable > 0)
        {
            rocksdb::FlushOptions flush;
            flush.allow_write_stall = true;
            if (const auto s = m_impl->db->Flush(flush, cf); !s.ok())
                return fail("flush before ingest: " + s.ToString());
        }
        // The column's own options: its table format, Bloom filter and compression. The
        // file's pages stay in the page cache (RocksDB's default drops them as it writes,
        // and the next blocks read these nodes: a disk read each).
        rocksdb::SstFileWriter writer{env, m_impl->db->GetOptions(cf), cf,
                                      /*invalidate_page_cache=*/false};
        if (const auto s = writer.Open(files.back()); !s.ok())
            return fail(s.ToString());
        // In key order the ops are scattered over the batch (a checkpoint's nodes over its
        // blocks): each op, key and value is a cache miss unless fetched ahead.
        constexpr size_t kAhead = 8;
        for (; i < order.size() && ops[order[i]].column == column; ++i)
        {
            if (i + 2 * kAhead < order.size())
                __builtin_prefetch(&ops[order[i + 2 * kAhead]]);
            if (i + kAhead < order.size())
            {
                const auto& ahead = ops[order[i + kAhead]];
                __builtin_prefetch(ahead.key.data());
                __builtin_prefetch(ahead.value.data());
            }
            const auto& op = ops[order[i]];
            if (op.is_delete || op.is_add)
                return fail("a delete or counter add (puts only)");
            if (i + 1 < order.size())
            {
                const auto& next = ops[order[i + 1]];
                if (next.column == column && next.key.size() == op.key.size() &&
                    std::memcmp(next.key.data(), op.key.data(), op.key.size()) == 0)
                    continue;  // superseded by the next put of the key
            }
            if (const auto s = writer.Put(slice(op.key), slice(op.value)); !s.ok())
                return fail(s.ToString());
        }
        // Finish syncs the file: ingested, it is as durable as a synced write.
        if (const auto s = writer.Finish(); !s.ok())
            return fail(s.ToString());
        rocksdb::IngestExternalFileArg arg;
        arg.column_family = cf;
        arg.external_files = {files.back()};
        arg.options.move_files = true;  // a hard link: the file is not copied
        arg.options.failed_move_fall_back_to_copy = true;
        arg.options.write_global_seqno = false;
        args.push_back(std::move(arg));
    }
    // One call: the columns' files go in together or not at all.
    if (const auto s = m_impl->db->IngestExternalFiles(args); !s.ok())
        return fail(s.ToString());
    remove_files();
    return {};
}

void RocksDbStore::scan(Column c, ByteView prefix, ByteView from, const KvVisitor& visit) const
{
    auto* cf = m_impl->cf[static_cast<size_t>(c)];
    if (cf == nullptr)
        return;
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it{m_impl->db->NewIterator(ro, cf)};
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
    auto* cf = m_impl->cf[static_cast<size_t>(c)];
    if (cf == nullptr)
        return unexpected(KvError{std::string{"delete range: no column "} + column_name(c)});
    const auto s = m_impl->db->DeleteRange(rocksdb::WriteOptions{}, cf, slice(begin), slice(end));
    if (!s.ok())
        return unexpected(KvError{"delete range: " + s.ToString()});
    return {};
}

uint64_t RocksDbStore::approximate_size(Column c) const
{
    if (m_impl->cf[static_cast<size_t>(c)] == nullptr)
        return 0;
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
    if (cf == nullptr)
        return;
    m_impl->db->Flush(rocksdb::FlushOptions{}, cf);
    m_impl->db->CompactRange(rocksdb::CompactRangeOptions{}, cf, nullptr, nullptr);
}

}  // namespace l2::state
