#include "l1sload.hpp"

#include <cstring>

namespace l2::execution {

std::optional<L1SloadInput> decode_l1sload_input(ByteView input)
{
    constexpr size_t kHead = sizeof(Address);
    if (input.size() < kHead + 32 || (input.size() - kHead) % 32 != 0)
        return std::nullopt;
    const size_t k = (input.size() - kHead) / 32;
    if (k > kL1SloadMaxKeys)
        return std::nullopt;
    L1SloadInput out;
    std::memcpy(out.account.data(), input.data(), kHead);
    out.keys.resize(k);
    for (size_t i = 0; i < k; ++i)
        std::memcpy(out.keys[i].data(), input.data() + kHead + 32 * i, 32);
    return out;
}

uint64_t l1sload_gas(ByteView input, const GasSchedule& gas) noexcept
{
    constexpr size_t kHead = sizeof(Address);
    if (input.size() < kHead + 32 || (input.size() - kHead) % 32 != 0)
        return UINT64_MAX;
    const size_t k = (input.size() - kHead) / 32;
    if (k > kL1SloadMaxKeys)
        return UINT64_MAX;
    return static_cast<uint64_t>(gas.l1sload_base) +
           static_cast<uint64_t>(gas.l1sload_per_key) * k;
}

}  // namespace l2::execution
