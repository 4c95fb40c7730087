#include "mpt.hpp"

#include <algorithm>

#include "keccak.hpp"
#include "rlp.hpp"

namespace l2::txtypes {

namespace {

struct Entry
{
    Bytes nibbles;
    ByteView value;
};

/// Hex-prefix encoding (YP Appendix C) of `nibbles`, with the leaf flag.
Bytes hex_prefix(ByteView nibbles, bool leaf)
{
    Bytes out;
    out.reserve(nibbles.size() / 2 + 1);
    const bool odd = nibbles.size() % 2 == 1;
    const uint8_t flag = static_cast<uint8_t>((leaf ? 2 : 0) + (odd ? 1 : 0));
    size_t i = 0;
    if (odd)
        out.push_back(static_cast<uint8_t>((flag << 4) | nibbles[i++]));
    else
        out.push_back(static_cast<uint8_t>(flag << 4));
    for (; i < nibbles.size(); i += 2)
        out.push_back(static_cast<uint8_t>((nibbles[i] << 4) | nibbles[i + 1]));
    return out;
}

/// Appends a reference to a child node: the node itself if its RLP is shorter than 32 bytes,
/// otherwise its hash.
void append_ref(Bytes& out, const Bytes& node_rlp)
{
    if (node_rlp.size() < 32)
        out += node_rlp;
    else
        rlp::encode(out, keccak256(node_rlp));
}

size_t common_prefix(ByteView a, ByteView b, size_t from) noexcept
{
    size_t n = from;
    const size_t end = std::min(a.size(), b.size());
    while (n < end && a[n] == b[n])
        ++n;
    return n - from;
}

/// RLP of the node covering entries [lo, hi), all sharing their first `depth` nibbles.
Bytes build(const std::vector<Entry>& e, size_t lo, size_t hi, size_t depth)
{
    Bytes payload;
    if (hi - lo == 1)
    {
        const ByteView rest = ByteView{e[lo].nibbles}.substr(depth);
        rlp::encode(payload, hex_prefix(rest, true));
        rlp::encode(payload, e[lo].value);
        return rlp::wrap_list(payload);
    }
    // Sorted keys: the prefix shared by the first and last is shared by all.
    const size_t cp = common_prefix(e[lo].nibbles, e[hi - 1].nibbles, depth);
    if (cp > 0)
    {
        const ByteView shared = ByteView{e[lo].nibbles}.substr(depth, cp);
        rlp::encode(payload, hex_prefix(shared, false));
        append_ref(payload, build(e, lo, hi, depth + cp));
        return rlp::wrap_list(payload);
    }
    // Branch. A key ending here (a prefix of the others) sorts first and is the branch value.
    ByteView branch_value;
    size_t i = lo;
    if (e[i].nibbles.size() == depth)
        branch_value = e[i++].value;
    for (uint8_t nibble = 0; nibble < 16; ++nibble)
    {
        const size_t start = i;
        while (i < hi && e[i].nibbles[depth] == nibble)
            ++i;
        if (start == i)
            payload.push_back(0x80);
        else
            append_ref(payload, build(e, start, i, depth + 1));
    }
    rlp::encode(payload, branch_value);
    return rlp::wrap_list(payload);
}

Hash root_of(std::vector<Entry>& entries)
{
    if (entries.empty())
        return keccak256(Bytes{0x80});  // == kEmptyRootHash
    return keccak256(build(entries, 0, entries.size(), 0));
}

Entry make_entry(ByteView key, ByteView value)
{
    Entry e;
    e.nibbles.resize(key.size() * 2);
    for (size_t i = 0; i < key.size(); ++i)
    {
        e.nibbles[2 * i] = key[i] >> 4;
        e.nibbles[2 * i + 1] = key[i] & 0x0f;
    }
    e.value = value;
    return e;
}

}  // namespace

Hash trie_root(std::vector<std::pair<Bytes, Bytes>> kv)
{
    // Stable, so that of two equal keys the later one wins, as if inserted in order.
    std::stable_sort(kv.begin(), kv.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Entry> entries;
    entries.reserve(kv.size());
    for (size_t i = 0; i < kv.size(); ++i)
    {
        if (i + 1 < kv.size() && kv[i + 1].first == kv[i].first)
            continue;
        if (!kv[i].second.empty())
            entries.push_back(make_entry(kv[i].first, kv[i].second));
    }
    return root_of(entries);
}

Hash trie_root(const std::map<Bytes, Bytes>& kv)
{
    std::vector<Entry> entries;
    entries.reserve(kv.size());
    for (const auto& [k, v] : kv)
        if (!v.empty())
            entries.push_back(make_entry(k, v));
    return root_of(entries);
}

Hash ordered_trie_root(const std::vector<Bytes>& values)
{
    std::vector<std::pair<Bytes, Bytes>> kv;
    kv.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i)
    {
        Bytes key;
        rlp::encode(key, uint64_t{i});
        kv.emplace_back(std::move(key), values[i]);
    }
    return trie_root(std::move(kv));
}

}  // namespace l2::txtypes
