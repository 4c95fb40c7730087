#include "block_store.hpp"

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/rlp.hpp>

namespace l2::state {

namespace {

// Column::kMeta key names (docs/spec/block-store.md).
constexpr std::string_view kSchemaKey = "schema_version";
constexpr std::string_view kBlockNumPrefix = "block_num/";
constexpr std::string_view kOldestKey = "history/oldest";

std::string_view head_key(Head head) noexcept
{
    switch (head)
    {
        case Head::kUnsafe:
            return "head/unsafe";
        case Head::kSafe:
            return "head/safe";
        case Head::kFinalized:
            return "head/finalized";
    }
    return "head/unknown";
}

std::string_view head_name(Head head) noexcept
{
    return head_key(head).substr(5);
}

constexpr size_t kNumSize = 8;
constexpr size_t kBlockKeySize = kNumSize + 32;
constexpr size_t kTxIndexValueSize = kNumSize + 4;
constexpr size_t kHeadValueSize = kNumSize + 32;

void store_be(uint8_t* out, uint64_t v, size_t n) noexcept
{
    for (size_t i = n; i-- > 0;)
    {
        out[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
}

uint64_t load_be(ByteView in) noexcept
{
    uint64_t v = 0;
    for (uint8_t b : in)
        v = v << 8 | b;
    return v;
}

std::array<uint8_t, kNumSize> num_key(uint64_t block_num) noexcept
{
    std::array<uint8_t, kNumSize> k{};
    store_be(k.data(), block_num, kNumSize);
    return k;
}

/// block_num(8 BE) || hash: headers, bodies and receipts sort by number, then hash.
std::array<uint8_t, kBlockKeySize> block_key(uint64_t block_num, const Hash& hash) noexcept
{
    std::array<uint8_t, kBlockKeySize> k{};
    store_be(k.data(), block_num, kNumSize);
    std::copy(hash.bytes.begin(), hash.bytes.end(), k.begin() + kNumSize);
    return k;
}

ByteView view(const auto& a) noexcept
{
    return {a.data(), a.size()};
}

Bytes block_num_key(const Hash& hash)
{
    Bytes k{as_view(kBlockNumPrefix)};
    k += hash.view();
    return k;
}

std::array<uint8_t, kTxIndexValueSize> tx_index_value(uint64_t block_num, uint32_t index) noexcept
{
    std::array<uint8_t, kTxIndexValueSize> v{};
    store_be(v.data(), block_num, kNumSize);
    store_be(v.data() + kNumSize, index, 4);
    return v;
}

KvError corrupt(Column c, ByteView key, std::string_view what, std::string_view why)
{
    std::string m = "block store: corrupt ";
    m += what;
    m += " at ";
    m += column_name(c);
    m += "/";
    m += to_hex(key);
    m += ": ";
    m += why;
    return KvError{std::move(m)};
}

/// One RLP item of a list payload: `whole` is header + payload.
struct Item
{
    bool list = false;
    ByteView whole;
    ByteView payload;
};

Result<Item, rlp::RlpError> next_item(ByteView& in) noexcept
{
    const ByteView start = in;
    const auto h = rlp::decode_header(in);
    if (!h)
        return unexpected(h.error());
    const size_t header_size = start.size() - in.size();
    Item item;
    item.list = h->list;
    item.payload = in.substr(0, h->payload_length);
    item.whole = start.substr(0, header_size + h->payload_length);
    in.remove_prefix(h->payload_length);
    return item;
}

/// A transaction's hash from its item in a body's transaction list (EIP-2718): a legacy tx is
/// the list itself, a typed tx is wrapped in a string holding `type || payload`. The same
/// bytes transaction_hash() hashes, without decoding or re-encoding the tx.
Hash tx_item_hash(const Item& item) noexcept
{
    return keccak256(item.list ? item.whole : item.payload);
}

/// The payload of a body's transaction list (the first item of the body list).
Result<ByteView, rlp::RlpError> body_txs(ByteView body) noexcept
{
    auto fields = rlp::decode_list(body);
    if (!fields)
        return unexpected(fields.error());
    if (!body.empty())
        return unexpected(rlp::RlpError::kTrailingBytes);
    ByteView f = *fields;
    return rlp::decode_list(f);
}

}  // namespace

// ---- writes --------------------------------------------------------------------------------

void BlockStore::put_block(WriteBatch& batch,
                           const txtypes::Block& block,
                           const Hash& hash,
                           const std::vector<txtypes::Receipt>& receipts) const
{
    const auto key = block_key(block.header.number, hash);

    // Encode the block once and split it: its first item is the header, the rest (transactions,
    // ommers, withdrawals) is the body, stored as its own list.
    const Bytes full = txtypes::encode_block(block);
    ByteView in{full};
    ByteView fields = *rlp::decode_list(in);  // our own encoding: always a list
    const Item header = *next_item(fields);
    batch.put(Column::kHeaders, view(key), header.whole);
    batch.put(Column::kBodies, view(key), rlp::wrap_list(fields));

    Bytes items;
    for (const auto& r : receipts)
        rlp::encode(items, txtypes::encode_receipt(r));
    batch.put(Column::kReceipts, view(key), rlp::wrap_list(items));

    batch.put(Column::kMeta, block_num_key(hash), view(num_key(block.header.number)));

    ByteView txs = *rlp::decode_list(fields);
    for (uint32_t i = 0; !txs.empty(); ++i)
    {
        const Item txn = *next_item(txs);
        batch.put(Column::kTxIndex, tx_item_hash(txn).view(),
                  view(tx_index_value(block.header.number, i)));
    }
}

void BlockStore::set_canonical(WriteBatch& batch, uint64_t block_num, const Hash& hash) const
{
    batch.put(Column::kCanonical, view(num_key(block_num)), hash.view());
}

Result<void, KvError> BlockStore::unset_canonical(WriteBatch& batch,
                                                  uint64_t from_block_num,
                                                  uint64_t to_block_num) const
{
    if (from_block_num > to_block_num)
        return {};
    for (uint64_t n = from_block_num;; ++n)
    {
        const auto hash = canonical_hash(n);
        if (!hash)
            return unexpected(hash.error());
        if (!*hash)
            break;  // The canonical chain is contiguous: nothing above.
        batch.del(Column::kCanonical, view(num_key(n)));

        const auto key = block_key(n, **hash);
        const auto body = get(Column::kBodies, view(key));
        if (body)
        {
            auto txs = body_txs(*body);
            if (!txs)
                return unexpected(
                    corrupt(Column::kBodies, view(key), "body", rlp::to_string(txs.error())));
            for (uint32_t i = 0; !txs->empty(); ++i)
            {
                const auto txn = next_item(*txs);
                if (!txn)
                    return unexpected(
                        corrupt(Column::kBodies, view(key), "body", rlp::to_string(txn.error())));
                // Drop the entry only if it points here: a tx also in another canonical block
                // keeps that block's entry.
                const Hash tx_hash = tx_item_hash(*txn);
                const auto entry = get(Column::kTxIndex, tx_hash.view());
                if (entry && ByteView{*entry} == view(tx_index_value(n, i)))
                    batch.del(Column::kTxIndex, tx_hash.view());
            }
        }
        if (n == to_block_num)
            break;
    }
    return {};
}

void BlockStore::set_head(WriteBatch& batch, Head head, const BlockRef& ref) const
{
    std::array<uint8_t, kHeadValueSize> v{};
    store_be(v.data(), ref.number, kNumSize);
    std::copy(ref.hash.bytes.begin(), ref.hash.bytes.end(), v.begin() + kNumSize);
    batch.put(Column::kMeta, as_view(head_key(head)), view(v));
}

void BlockStore::init_schema(WriteBatch& batch) const
{
    batch.put(Column::kMeta, as_view(kSchemaKey), view(num_key(kBlockStoreSchemaVersion)));
}

Result<uint64_t, KvError> BlockStore::prune_history(WriteBatch& batch,
                                                    uint64_t from,
                                                    uint64_t to) const
{
    if (from > to)
        return unexpected(KvError{"prune_history: empty range " + std::to_string(from) + ".." +
                                  std::to_string(to)});
    uint64_t dropped = 0;
    for (uint64_t n = from;; ++n)
    {
        const auto prefix = num_key(n);
        // Every block stored at this height (the canonical one and reorged-out siblings): the
        // keys sort by number first, so one prefix scan finds them. Collected before reading
        // the index (a visitor must not call back into the store).
        std::vector<std::pair<Bytes, Bytes>> bodies;
        scan_prefix(m_kv, Column::kBodies, view(prefix), [&](ByteView k, ByteView v) {
            bodies.emplace_back(Bytes{k}, Bytes{v});
            return true;
        });
        std::vector<Bytes> receipts;
        scan_prefix(m_kv, Column::kReceipts, view(prefix), [&](ByteView k, ByteView) {
            receipts.emplace_back(k);
            return true;
        });
        for (const auto& [key, body] : bodies)
        {
            auto txs = body_txs(body);
            if (!txs)
                return unexpected(
                    corrupt(Column::kBodies, key, "body", rlp::to_string(txs.error())));
            for (uint32_t i = 0; !txs->empty(); ++i)
            {
                const auto txn = next_item(*txs);
                if (!txn)
                    return unexpected(
                        corrupt(Column::kBodies, key, "body", rlp::to_string(txn.error())));
                const Hash tx_hash = tx_item_hash(*txn);
                const auto entry = get(Column::kTxIndex, tx_hash.view());
                if (entry && ByteView{*entry} == view(tx_index_value(n, i)))
                {
                    batch.del(Column::kTxIndex, tx_hash.view());
                    ++dropped;
                }
            }
            batch.del(Column::kBodies, key);
        }
        for (const auto& key : receipts)
            batch.del(Column::kReceipts, key);
        if (n == to)
            break;
    }
    batch.put(Column::kMeta, as_view(kOldestKey), view(num_key(to + 1)));
    return dropped;
}

// ---- reads ---------------------------------------------------------------------------------

std::optional<Bytes> BlockStore::get(Column c, ByteView key) const
{
    Bytes out;
    if (!m_kv.get(c, key, out))
        return std::nullopt;
    return out;
}

Result<bool, KvError> BlockStore::check_schema() const
{
    const ByteView key = as_view(kSchemaKey);
    const auto v = get(Column::kMeta, key);
    if (!v)
        return false;
    if (v->size() != kNumSize)
        return unexpected(corrupt(Column::kMeta, key, "schema version", "not 8 bytes"));
    const uint64_t version = load_be(*v);
    if (version != kBlockStoreSchemaVersion)
        return unexpected(KvError{"database schema version " + std::to_string(version) +
                                  ", this build reads version " +
                                  std::to_string(kBlockStoreSchemaVersion)});
    return true;
}

Result<std::optional<BlockRef>, KvError> BlockStore::head(Head head) const
{
    const ByteView key = as_view(head_key(head));
    const auto v = get(Column::kMeta, key);
    if (!v)
        return std::nullopt;
    if (v->size() != kHeadValueSize)
        return unexpected(corrupt(Column::kMeta, key, head_name(head), "not 40 bytes"));
    BlockRef ref;
    ref.number = load_be(ByteView{*v}.substr(0, kNumSize));
    std::copy(v->begin() + kNumSize, v->end(), ref.hash.bytes.begin());
    return ref;
}

Result<uint64_t, KvError> BlockStore::oldest_available() const
{
    const ByteView key = as_view(kOldestKey);
    const auto v = get(Column::kMeta, key);
    if (!v)
        return uint64_t{0};
    if (v->size() != kNumSize)
        return unexpected(corrupt(Column::kMeta, key, "oldest available block", "not 8 bytes"));
    return load_be(*v);
}

Result<std::optional<Hash>, KvError> BlockStore::canonical_hash(uint64_t block_num) const
{
    const auto key = num_key(block_num);
    const auto v = get(Column::kCanonical, view(key));
    if (!v)
        return std::nullopt;
    Hash h;
    if (!Hash::from_view(*v, h))
        return unexpected(corrupt(Column::kCanonical, view(key), "canonical hash", "not 32 bytes"));
    return h;
}

Result<std::optional<txtypes::BlockHeader>, KvError> BlockStore::header(uint64_t block_num,
                                                                        const Hash& hash) const
{
    const auto key = block_key(block_num, hash);
    const auto v = get(Column::kHeaders, view(key));
    if (!v)
        return std::nullopt;
    auto h = txtypes::decode_header(*v);
    if (!h)
        return unexpected(
            corrupt(Column::kHeaders, view(key), "header", rlp::to_string(h.error())));
    return std::move(*h);
}

Result<std::optional<txtypes::BlockHeader>, KvError> BlockStore::header_by_number(
    uint64_t block_num) const
{
    const auto hash = canonical_hash(block_num);
    if (!hash)
        return unexpected(hash.error());
    if (!*hash)
        return std::nullopt;
    return header(block_num, **hash);
}

Result<std::optional<uint64_t>, KvError> BlockStore::block_number(const Hash& hash) const
{
    const Bytes key = block_num_key(hash);
    const auto v = get(Column::kMeta, key);
    if (!v)
        return std::nullopt;
    if (v->size() != kNumSize)
        return unexpected(corrupt(Column::kMeta, key, "block number", "not 8 bytes"));
    return load_be(*v);
}

Result<std::optional<txtypes::BlockHeader>, KvError> BlockStore::header_by_hash(
    const Hash& hash) const
{
    const auto num = block_number(hash);
    if (!num)
        return unexpected(num.error());
    if (!*num)
        return std::nullopt;
    return header(**num, hash);
}

Result<std::optional<txtypes::Block>, KvError> BlockStore::block(uint64_t block_num,
                                                                 const Hash& hash) const
{
    const auto key = block_key(block_num, hash);
    const auto header_rlp = get(Column::kHeaders, view(key));
    if (!header_rlp)
        return std::nullopt;
    const auto body = get(Column::kBodies, view(key));
    if (!body)
        return std::nullopt;
    ByteView b{*body};
    const auto fields = rlp::decode_list(b);
    if (!fields || !b.empty())
        return unexpected(corrupt(Column::kBodies, view(key), "body",
                                  fields ? "trailing bytes" : rlp::to_string(fields.error())));
    // The block RLP is the list of the header and the body's fields.
    Bytes payload = *header_rlp;
    payload += *fields;
    auto decoded = txtypes::decode_block(rlp::wrap_list(payload));
    if (!decoded)
        return unexpected(corrupt(Column::kBodies, view(key), "block",
                                  decoded.error() == txtypes::BlockError::kTransaction
                                      ? "undecodable transaction"
                                      : "malformed header or body"));
    return std::move(*decoded);
}

Result<std::optional<std::vector<txtypes::Receipt>>, KvError> BlockStore::receipts(
    uint64_t block_num,
    const Hash& hash) const
{
    const auto key = block_key(block_num, hash);
    const auto v = get(Column::kReceipts, view(key));
    if (!v)
        return std::nullopt;
    ByteView in{*v};
    auto list = rlp::decode_list(in);
    if (!list || !in.empty())
        return unexpected(corrupt(Column::kReceipts, view(key), "receipts",
                                  list ? "trailing bytes" : rlp::to_string(list.error())));
    std::vector<txtypes::Receipt> out;
    ByteView items = *list;
    while (!items.empty())
    {
        const auto enc = rlp::decode_string(items);
        if (!enc)
            return unexpected(
                corrupt(Column::kReceipts, view(key), "receipts", rlp::to_string(enc.error())));
        auto r = txtypes::decode_receipt(*enc);
        if (!r)
            return unexpected(corrupt(Column::kReceipts, view(key),
                                      "receipt " + std::to_string(out.size()),
                                      rlp::to_string(r.error())));
        out.push_back(std::move(*r));
    }
    return out;
}

Result<std::optional<TxLocation>, KvError> BlockStore::tx_location(const Hash& tx_hash) const
{
    const auto v = get(Column::kTxIndex, tx_hash.view());
    if (!v)
        return std::nullopt;
    if (v->size() != kTxIndexValueSize)
        return unexpected(
            corrupt(Column::kTxIndex, tx_hash.view(), "tx index entry", "not 12 bytes"));
    TxLocation loc;
    loc.block_num = load_be(ByteView{*v}.substr(0, kNumSize));
    loc.index = static_cast<uint32_t>(load_be(ByteView{*v}.substr(kNumSize)));
    const auto hash = canonical_hash(loc.block_num);
    if (!hash)
        return unexpected(hash.error());
    if (!*hash)
        return std::nullopt;  // A stale entry above the canonical head.
    loc.block_hash = **hash;
    return loc;
}

Result<std::optional<LocatedTransaction>, KvError> BlockStore::transaction(
    const Hash& tx_hash) const
{
    const auto loc = tx_location(tx_hash);
    if (!loc)
        return unexpected(loc.error());
    if (!*loc)
        return std::nullopt;
    const auto key = block_key((*loc)->block_num, (*loc)->block_hash);
    const auto body = get(Column::kBodies, view(key));
    if (!body)
        return std::nullopt;  // Pruned.
    auto txs = body_txs(*body);
    if (!txs)
        return unexpected(corrupt(Column::kBodies, view(key), "body", rlp::to_string(txs.error())));
    // Skip to the indexed item; decode only that one.
    for (uint32_t i = 0; !txs->empty(); ++i)
    {
        const auto item = next_item(*txs);
        if (!item)
            return unexpected(
                corrupt(Column::kBodies, view(key), "body", rlp::to_string(item.error())));
        if (i != (*loc)->index)
            continue;
        if (tx_item_hash(*item) != tx_hash)
            return std::nullopt;  // The entry points at a block without this tx.
        ByteView whole = item->whole;
        auto txn = txtypes::decode_transaction_in_list(whole);
        if (!txn)
            return unexpected(
                corrupt(Column::kBodies, view(key), "transaction", txn.error().message()));
        return LocatedTransaction{std::move(*txn), **loc};
    }
    return std::nullopt;
}

}  // namespace l2::state
