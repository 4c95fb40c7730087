#include "test_identity.hpp"

#include <algorithm>

#include <txtypes/keccak.hpp>

namespace l2::test {

Address test_identity(uint64_t i)
{
    uint8_t be[8];
    for (size_t b = 0; b < 8; ++b)
        be[b] = static_cast<uint8_t>(i >> (56 - 8 * b));
    const Hash h = keccak256({be, 8});
    Address a;
    std::copy(h.bytes.begin(), h.bytes.begin() + 20, a.bytes.begin());
    return a;
}

Address tagged_identity(uint64_t i, uint8_t tag)
{
    Address a;
    for (size_t b = 0; b < 8; ++b)
        a[19 - b] = static_cast<uint8_t>(i >> (8 * b));
    a[0] = tag;
    return a;
}

}  // namespace l2::test
