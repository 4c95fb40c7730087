#include "undo.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace l2::state {

namespace {

// Account flags (the byte after the account key); 0 = absent before the block.
constexpr uint8_t kPresent = 0x01;
constexpr uint8_t kHasStorageRoot = 0x02;  ///< the storage root is not the empty root
constexpr uint8_t kHasCode = 0x04;         ///< the code hash is not keccak256("")
constexpr uint8_t kKnownFlags = kPresent | kHasStorageRoot | kHasCode;

/// Appends `len (1) || minimal big-endian bytes of v` (no bytes for zero).
void put_minimal(Bytes& out, const U256& v)
{
    uint8_t be[32];
    to_be_bytes(v, be);
    size_t skip = 0;
    while (skip < 32 && be[skip] == 0)
        ++skip;
    out.push_back(static_cast<uint8_t>(32 - skip));
    out.append(be + skip, 32 - skip);
}

KvError malformed(const char* what, size_t at)
{
    return KvError{std::string{"undo record: "} + what + " at byte " + std::to_string(at)};
}

/// Reads a record front to back; every read checks the bytes left.
struct Reader
{
    ByteView in;
    size_t at = 0;

    bool take(size_t n, ByteView& out)
    {
        if (in.size() - at < n)
            return false;
        out = in.substr(at, n);
        at += n;
        return true;
    }
    bool byte(uint8_t& out)
    {
        ByteView b;
        if (!take(1, b))
            return false;
        out = b[0];
        return true;
    }
    /// `len (1) || bytes`, at most `max` bytes.
    bool sized(size_t max, ByteView& out)
    {
        uint8_t len = 0;
        return byte(len) && len <= max && take(len, out);
    }
};

/// The account of a group, re-encoded as the flat KV stores it (empty: absent).
Result<Bytes, KvError> read_account(Reader& r, Engine engine)
{
    const size_t start = r.at;
    uint8_t flags = 0;
    if (!r.byte(flags))
        return unexpected(malformed("truncated account", start));
    if (flags == 0)
        return Bytes{};
    if ((flags & kPresent) == 0 || (flags & ~kKnownFlags) != 0)
        return unexpected(malformed("unknown account flags", start));
    Account a;
    a.engine = engine;
    ByteView nonce;
    ByteView balance;
    ByteView root;
    ByteView code;
    if (!r.sized(8, nonce) || !r.sized(32, balance) ||
        ((flags & kHasStorageRoot) != 0 && !r.take(32, root)) ||
        ((flags & kHasCode) != 0 && !r.take(32, code)))
        return unexpected(malformed("truncated account", start));
    a.nonce = low_u64(from_be_bytes(nonce));
    a.balance = from_be_bytes(balance);
    if (!root.empty())
        (void)Hash::from_view(root, a.storage_root);
    if (!code.empty())
        (void)Hash::from_view(code, a.code_hash);
    return encode_account(a);
}

}  // namespace

std::array<uint8_t, 8> undo_key(uint64_t block_num) noexcept
{
    std::array<uint8_t, 8> k{};
    for (size_t i = 0; i < 8; ++i)
        k[i] = static_cast<uint8_t>(block_num >> (56 - 8 * i));
    return k;
}

void UndoWriter::begin_account(const AccountKey& key, const std::optional<Account>& old)
{
    m_out.append(key.data(), key.size());
    if (!old)
    {
        m_out.push_back(0);
        return;
    }
    const bool root = old->storage_root != txtypes::kEmptyRootHash;
    const bool code = old->code_hash != kEmptyCodeHash;
    m_out.push_back(
        static_cast<uint8_t>(kPresent | (root ? kHasStorageRoot : 0) | (code ? kHasCode : 0)));
    put_minimal(m_out, U256{old->nonce});
    put_minimal(m_out, old->balance);
    if (root)
        m_out.append(old->storage_root.view());
    if (code)
        m_out.append(old->code_hash.view());
}

void UndoWriter::add_slot(ByteView flat_key, const U256& old)
{
    const ByteView slot = flat_key.substr(kAccountKeySize);
    m_out.push_back(static_cast<uint8_t>(slot.size()));
    m_out.append(slot);
    put_minimal(m_out, old);
}

void UndoWriter::add_slot(ByteView flat_key, ByteView old_value)
{
    const ByteView slot = flat_key.substr(kAccountKeySize);
    m_out.push_back(static_cast<uint8_t>(slot.size()));
    m_out.append(slot);
    m_out.push_back(static_cast<uint8_t>(old_value.size()));
    m_out.append(old_value);
}

Result<void, KvError> add_undo_writes(WriteBatch& batch, ByteView record)
{
    if (record.empty())
        return unexpected(KvError{"undo record: empty"});
    if (record[0] != kUndoRecordVersion)
        return unexpected(KvError{"undo record: version " + std::to_string(record[0]) +
                                  ", this build reads version " +
                                  std::to_string(kUndoRecordVersion)});
    Reader r{record, 1};
    while (r.at < record.size())
    {
        const size_t group = r.at;
        ByteView akey;
        Engine engine = Engine::kEvm;
        if (!r.take(kAccountKeySize, akey))
            return unexpected(malformed("truncated account key", group));
        if (!engine_from_byte(akey[0], engine))
            return unexpected(malformed("unknown engine", group));
        auto account = read_account(r, engine);
        if (!account)
            return unexpected(account.error());
        if (account->empty())
            batch.del(Column::kState, akey);
        else
            batch.put(Column::kState, akey, *account);

        const size_t slot_size = engine == Engine::kEvm ? 32 : 8;
        std::array<uint8_t, kEvmSlotKeySize> key{};
        std::copy(akey.begin(), akey.end(), key.begin());
        for (;;)
        {
            const size_t entry = r.at;
            uint8_t size = 0;
            if (!r.byte(size))
                return unexpected(malformed("unterminated account group", group));
            if (size == 0)
                break;  // the group's end
            ByteView slot;
            ByteView value;
            if (size != slot_size)
                return unexpected(malformed("slot of the wrong size", entry));
            if (!r.take(size, slot) || !r.sized(32, value))
                return unexpected(malformed("truncated slot", entry));
            std::copy(slot.begin(), slot.end(), key.begin() + kAccountKeySize);
            const ByteView k{key.data(), kAccountKeySize + size};
            if (value.empty())
                batch.del(Column::kState, k);
            else
                batch.put(Column::kState, k, value);
        }
    }
    return {};
}

void put_undo_record(WriteBatch& batch, uint64_t block_num, ByteView record)
{
    const auto key = undo_key(block_num);
    batch.put(Column::kUndo, {key.data(), key.size()}, record);
}

void put_undo_record(WriteBatch& batch, uint64_t block_num, const BlockUndo& undo)
{
    const auto key = undo_key(block_num);
    batch.put(Column::kUndo, {key.data(), key.size()}, undo);
    if (!undo.trie_gc.empty())
        batch.put(Column::kTrieGc, {key.data(), key.size()}, undo.trie_gc);
}

Bytes encode_trie_gc_record(std::span<const Hash> written, std::span<const Hash> replaced)
{
    Bytes out;
    out.reserve(5 + 32 * (written.size() + replaced.size()));
    out.push_back(kTrieGcRecordVersion);
    const auto n = static_cast<uint32_t>(written.size());
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(n >> shift));
    for (const Hash& h : written)
        out.append(h.bytes.data(), h.bytes.size());
    for (const Hash& h : replaced)
        out.append(h.bytes.data(), h.bytes.size());
    return out;
}

Result<TrieGcRecord, KvError> decode_trie_gc_record(ByteView record)
{
    if (record.size() < 5 || record[0] != kTrieGcRecordVersion)
        return unexpected(KvError{"trie GC record: bad header"});
    uint64_t n = 0;
    for (size_t i = 1; i < 5; ++i)
        n = (n << 8) | record[i];
    const ByteView rest = record.substr(5);
    if (rest.size() % 32 != 0 || n * 32 > rest.size())
        return unexpected(KvError{"trie GC record: " + std::to_string(rest.size()) +
                                  " bytes of hashes, " + std::to_string(n) + " written"});
    return TrieGcRecord{rest.substr(0, n * 32), rest.substr(n * 32)};
}

std::vector<std::pair<Hash, int64_t>> tally_hashes(ByteView hashes)
{
    std::vector<Hash> all(hashes.size() / 32);
    for (size_t i = 0; i < all.size(); ++i)
        std::memcpy(all[i].bytes.data(), hashes.data() + 32 * i, 32);
    std::sort(all.begin(), all.end());
    std::vector<std::pair<Hash, int64_t>> out;
    for (const Hash& h : all)
    {
        if (!out.empty() && out.back().first == h)
            ++out.back().second;
        else
            out.emplace_back(h, 1);
    }
    return out;
}

void mark_written_later(const KvStore& kv,
                        uint64_t above,
                        std::span<const uint64_t> skip,
                        std::vector<std::pair<Hash, bool>>& candidates)
{
    if (candidates.empty())
        return;
    const auto from = undo_key(above + 1);
    kv.scan(Column::kTrieGc, {}, {from.data(), from.size()}, [&](ByteView k, ByteView v) {
        uint64_t n = 0;
        for (const uint8_t b : k)
            n = (n << 8) | b;
        if (std::find(skip.begin(), skip.end(), n) != skip.end())
            return true;
        const auto gc = decode_trie_gc_record(v);
        if (!gc)
            return true;  // unreadable: the GC of that block reports it
        for (size_t i = 0; i < gc->written.size(); i += 32)
        {
            Hash h;
            std::memcpy(h.bytes.data(), gc->written.data() + i, 32);
            const auto it = std::lower_bound(candidates.begin(), candidates.end(),
                                             std::pair<Hash, bool>{h, false});
            if (it != candidates.end() && it->first == h)
                it->second = true;
        }
        return true;
    });
}

uint64_t trie_gc_counted(const KvStore& kv)
{
    Bytes v;
    uint64_t n = 0;
    if (kv.get(Column::kMeta, as_view(kTrieGcCountedKey), v))
        for (const uint8_t b : v)
            n = (n << 8) | b;
    return n;
}

uint64_t plan_trie_gc_count(uint64_t block_num, const TrieGcRecord& record, WriteBatch& batch)
{
    uint64_t added = 0;
    for (const auto& [h, n] : tally_hashes(record.written))
    {
        batch.add(Column::kTrieRefs, h, n);
        added += static_cast<uint64_t>(n);
    }
    const auto v = undo_key(block_num);
    batch.put(Column::kMeta, as_view(kTrieGcCountedKey), {v.data(), v.size()});
    return added;
}

TrieGcStats plan_trie_gc(const KvStore& kv,
                         uint64_t block_num,
                         uint64_t counted,
                         const TrieGcRecord& record,
                         WriteBatch& batch)
{
    TrieGcStats stats;
    Bytes count;
    std::vector<std::pair<Hash, bool>> zero;  // counts reaching 0, with "written uncounted"
    for (const auto& [h, d] : tally_hashes(record.replaced))
    {
        stats.refs_dropped += static_cast<uint64_t>(d);
        const int64_t left = (kv.get(Column::kTrieRefs, h, count) ? decode_counter(count) : 0) - d;
        if (left > 0)
        {
            batch.add(Column::kTrieRefs, h, -d);
            continue;
        }
        if (left < 0)
            ++stats.anomalies;  // more places lost than counted: keep the node
        else
            zero.emplace_back(h, false);
        batch.del(Column::kTrieRefs, h);
    }
    // No place left in the states of blocks block_num..counted; a newer block's state has the
    // node again when that block wrote it (its record's written list); else it goes.
    mark_written_later(kv, counted, {}, zero);
    for (const auto& [h, kept] : zero)
    {
        if (kept)
            continue;
        batch.del(Column::kTrieNodes, h);
        ++stats.nodes_deleted;
    }
    const auto key = undo_key(block_num);
    batch.del(Column::kTrieGc, {key.data(), key.size()});
    return stats;
}

namespace {

/// The lowest block >= `from` with a record in column `c` (keys: u64be block numbers), and the
/// record into `out` when given.
std::optional<uint64_t> first_block_record(const KvStore& kv, Column c, uint64_t from, Bytes* out)
{
    const auto key = undo_key(from);
    std::optional<uint64_t> block;
    kv.scan(c, {}, {key.data(), key.size()}, [&](ByteView k, ByteView v) {
        if (k.size() != 8)
            return true;
        uint64_t n = 0;
        for (const uint8_t b : k)
            n = (n << 8) | b;
        block = n;
        if (out != nullptr)
            out->assign(v);
        return false;
    });
    return block;
}

}  // namespace

std::optional<uint64_t> first_trie_gc_record(const KvStore& kv, uint64_t from, Bytes& out)
{
    return first_block_record(kv, Column::kTrieGc, from, &out);
}

bool plan_trie_gc_unwind(const KvStore& kv, const WriteBatch& batch, WriteBatch& out)
{
    // The unwound blocks (their GC records deleted by `batch`, still readable): the counted
    // ones' places go (their written lists, -1 each), the count frontier drops below them, and
    // every node they wrote that keeps no count and that no remaining uncounted block wrote is
    // used by no kept state: it goes too.
    std::vector<uint64_t> unwound;
    for (const WriteBatch::Op& op : batch.ops())
    {
        if (op.is_delete && op.column == Column::kTrieGc && op.key.size() == 8)
        {
            uint64_t n = 0;
            for (const uint8_t b : op.key)
                n = (n << 8) | b;
            unwound.push_back(n);
        }
    }
    if (unwound.empty())
        return false;
    const uint64_t counted = trie_gc_counted(kv);
    const uint64_t lowest = *std::min_element(unwound.begin(), unwound.end());
    Bytes written;
    Bytes uncount;
    Bytes record;
    for (const uint64_t n : unwound)
    {
        const auto key = undo_key(n);
        if (!kv.get(Column::kTrieGc, {key.data(), key.size()}, record))
            continue;
        if (auto gc = decode_trie_gc_record(record))
        {
            written.append(gc->written);
            if (n <= counted)
                uncount.append(gc->written);
        }
    }
    out = batch;
    const uint64_t now_counted = std::min(counted, lowest == 0 ? 0 : lowest - 1);
    if (now_counted < counted)
    {
        const auto v = undo_key(now_counted);
        out.put(Column::kMeta, as_view(kTrieGcCountedKey), {v.data(), v.size()});
    }
    const auto minus = tally_hashes(uncount);
    std::vector<std::pair<Hash, bool>> candidates;  // sorted, with "an uncounted block wrote it"
    Bytes count;
    for (const auto& [h, n] : tally_hashes(written))
    {
        const auto it =
            std::lower_bound(minus.begin(), minus.end(), std::pair<Hash, int64_t>{h, 0});
        const int64_t d = it != minus.end() && it->first == h ? it->second : 0;
        const int64_t left = (kv.get(Column::kTrieRefs, h, count) ? decode_counter(count) : 0) - d;
        if (left > 0)
        {
            if (d > 0)
                out.add(Column::kTrieRefs, h, -d);
            continue;
        }
        out.del(Column::kTrieRefs, h);
        if (left == 0)  // below 0 would be a counting bug: keep the node
            candidates.emplace_back(h, false);
    }
    mark_written_later(kv, now_counted, unwound, candidates);
    for (const auto& [h, kept] : candidates)
        if (!kept)
            out.del(Column::kTrieNodes, h);
    return true;
}

void delete_undo_records(WriteBatch& batch, uint64_t from, uint64_t to)
{
    for (uint64_t n = from; n <= to; ++n)
    {
        const auto key = undo_key(n);
        batch.del(Column::kUndo, {key.data(), key.size()});
        if (n == UINT64_MAX)
            break;
    }
}

std::optional<uint64_t> first_undo_record(const KvStore& kv)
{
    return first_block_record(kv, Column::kUndo, 0, nullptr);
}

}  // namespace l2::state
