#include "write_order.hpp"

#include <algorithm>
#include <array>

namespace l2::state {

namespace {

uint64_t load_be(ByteView key, size_t from, size_t count) noexcept
{
    uint64_t v = 0;
    for (size_t i = 0; i < count; ++i)
        v = (v << 8) | (from + i < key.size() ? key[from + i] : 0u);
    return v;
}

struct Item
{
    uint64_t hi;  ///< column (top byte) and key bytes 0..6, zero-padded
    uint32_t index;
};

}  // namespace

std::vector<uint32_t> write_order(const WriteBatch& batch)
{
    const auto& ops = batch.ops();
    const size_t n = ops.size();
    std::vector<Item> a(n);
    for (size_t i = 0; i < n; ++i)
        a[i] = {(uint64_t{static_cast<uint8_t>(ops[i].column)} << 56) | load_be(ops[i].key, 0, 7),
                static_cast<uint32_t>(i)};

    // LSD radix sort on `hi`, a byte per pass (stable, so equal `hi` keep batch order); one
    // pass over the items counts all eight digits, and a digit all items share is skipped
    // (the column of a one-column batch, leading zero bytes).
    std::vector<std::array<uint32_t, 256>> counts(8);
    for (auto& c : counts)
        c.fill(0);
    for (const Item& it : a)
        for (size_t d = 0; d < 8; ++d)
            ++counts[d][(it.hi >> (8 * d)) & 0xff];
    std::vector<Item> b(n);
    for (size_t d = 0; d < 8; ++d)
    {
        auto& c = counts[d];
        if (std::any_of(c.begin(), c.end(), [&](uint32_t k) { return k == n; }))
            continue;
        uint32_t at = 0;
        for (auto& k : c)
        {
            const uint32_t here = k;
            k = at;
            at += here;
        }
        for (const Item& it : a)
            b[c[(it.hi >> (8 * d)) & 0xff]++] = it;
        a.swap(b);
    }

    // Runs that tie on `hi` (slots of one account, repeated keys): the rest of the key, then
    // batch order. Bytes 7..22 as two integers first, so most comparisons touch no key bytes.
    std::vector<std::pair<uint64_t, uint64_t>> rest;
    for (size_t i = 0; i < n;)
    {
        size_t j = i + 1;
        while (j < n && a[j].hi == a[i].hi)
            ++j;
        if (j - i > 1)
        {
            if (rest.empty())
            {
                rest.resize(n);
                for (size_t k = 0; k < n; ++k)
                    rest[k] = {load_be(ops[k].key, 7, 8), load_be(ops[k].key, 15, 8)};
            }
            std::sort(a.begin() + static_cast<std::ptrdiff_t>(i),
                      a.begin() + static_cast<std::ptrdiff_t>(j),
                      [&](const Item& x, const Item& y) {
                          if (rest[x.index] != rest[y.index])
                              return rest[x.index] < rest[y.index];
                          const int c = ByteView{ops[x.index].key}.compare(ops[y.index].key);
                          return c != 0 ? c < 0 : x.index < y.index;
                      });
        }
        i = j;
    }
    std::vector<uint32_t> order(n);
    for (size_t i = 0; i < n; ++i)
        order[i] = a[i].index;
    return order;
}

}  // namespace l2::state
