#include "undo.hpp"

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

}  // namespace l2::state
