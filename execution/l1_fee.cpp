#include "l1_fee.hpp"

#include <array>
#include <memory>

namespace l2::execution {

namespace {

/// Running output length of a FastLZ level-1 encoder (docs/spec/fees.md): literal runs cost one
/// control byte per 32 literals, matches two or three bytes per 262 bytes of match.
struct FlzLength
{
    uint32_t n = 0;

    void literals(uint32_t count) noexcept
    {
        n += 33 * (count / 32);
        if (const uint32_t rest = count % 32; rest != 0)
            n += rest + 1;
    }

    void match(uint32_t length) noexcept
    {
        const uint32_t l = length - 1;
        n += 3 * (l / 262);
        n += (l % 262 >= 6) ? 3 : 2;
    }
};

inline uint32_t read_u24(const uint8_t* p) noexcept
{
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16);
}

inline uint32_t flz_hash(uint32_t v) noexcept
{
    return ((2654435769u * v) >> 19) & 0x1fff;
}

}  // namespace

uint32_t flz_compress_len(ByteView data) noexcept
{
    const auto size = static_cast<uint32_t>(data.size());
    const uint8_t* in = data.data();
    FlzLength out;
    // 8192 positions of the last occurrence of each 3-byte hash; zero-initialised, so position 0
    // is a candidate from the start exactly as in the reference encoder.
    std::array<uint32_t, 8192> table{};

    const uint32_t limit = size < 13 ? 0 : size - 13;
    uint32_t anchor = 0;  // first byte not yet emitted
    uint32_t ip = 2;
    while (ip < limit)
    {
        uint32_t ref = 0;
        uint32_t seq = 0;
        // Find the next position whose 3 bytes appeared within the 8 KiB window.
        for (;;)
        {
            seq = read_u24(in + ip);
            const uint32_t h = flz_hash(seq);
            ref = table[h];
            table[h] = ip;
            const uint32_t distance = ip - ref;
            if (ip >= limit)
                break;
            ++ip;
            if (distance <= 0x1fff && seq == read_u24(in + ref))
                break;
        }
        if (ip >= limit)
            break;
        --ip;
        if (ip > anchor)
            out.literals(ip - anchor);
        // Match length beyond the first 3 bytes, bounded by limit + 9.
        uint32_t len = 0;
        const uint32_t p = ref + 3;
        const uint32_t q = ip + 3;
        const uint32_t end = limit + 9 - q;
        while (len < end && in[p + len] == in[q + len])
            ++len;
        // The reference encoder counts the first mismatching byte into the length.
        if (len < end)
            ++len;
        out.match(len);
        ip += len;
        table[flz_hash(read_u24(in + ip))] = ip;
        ++ip;
        table[flz_hash(read_u24(in + ip))] = ip;
        ++ip;
        anchor = ip;
    }
    out.literals(size - anchor);
    return out.n;
}

uint64_t estimated_da_size_scaled(uint64_t flz_len) noexcept
{
    // flz_len <= 2^32 (flz_compress_len's range + a small constant): no overflow in int64.
    const int64_t estimate = kL1CostIntercept + kL1CostFastlzCoef * static_cast<int64_t>(flz_len);
    return estimate < static_cast<int64_t>(kMinTxSizeScaled) ? kMinTxSizeScaled
                                                               : static_cast<uint64_t>(estimate);
}

U256 l1_fee_for_size(const L1FeeParams& p, uint64_t size_scaled) noexcept
{
    const U256 fee_scaled = U256{p.base_fee_scalar} * p.l1_base_fee * U256{16} +
                            U256{p.blob_base_fee_scalar} * p.blob_base_fee;
    return U256{size_scaled} * fee_scaled / U256{1'000'000'000'000};
}

U256 l1_data_fee(const L1FeeParams& p, ByteView tx_bytes) noexcept
{
    return l1_fee_for_size(p, estimated_da_size_scaled(flz_compress_len(tx_bytes)));
}

uint64_t l1_gas_used(ByteView tx_bytes) noexcept
{
    return estimated_da_size_scaled(flz_compress_len(tx_bytes)) * 16 / 1'000'000;
}

}  // namespace l2::execution
