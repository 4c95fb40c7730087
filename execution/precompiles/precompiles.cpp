// The precompile registry: which address runs what from which revision (docs/spec/precompiles.md).

#include "execution/precompiles.hpp"
#include "execution/l1sload.hpp"

#include "bn254.hpp"

namespace l2::execution {

// Implemented in hashing.cpp, modexp.cpp, blake2f.cpp and p256verify.cpp. No header of their
// own: nothing but this table calls them (tests go through find_precompile).
uint64_t ecrecover_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept;
PrecompileResult ecrecover_run(ByteView input, Revision rev) noexcept;
uint64_t sha256_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept;
PrecompileResult sha256_run(ByteView input, Revision rev) noexcept;
uint64_t ripemd160_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept;
PrecompileResult ripemd160_run(ByteView input, Revision rev) noexcept;
uint64_t identity_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept;
PrecompileResult identity_run(ByteView input, Revision rev) noexcept;
uint64_t modexp_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept;
PrecompileResult modexp_run(ByteView input, Revision rev) noexcept;
uint64_t blake2f_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept;
PrecompileResult blake2f_run(ByteView input, Revision rev) noexcept;
uint64_t p256verify_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept;
PrecompileResult p256verify_run(ByteView input, Revision rev) noexcept;

namespace {

uint64_t cost(int64_t schedule_value) noexcept
{
    return schedule_value > 0 ? static_cast<uint64_t>(schedule_value) : 0;
}

// ---- BN254 (EIP-196/197; the curve arithmetic is bn254.cpp's) ----

/// EIP-196 ECADD: 500 gas in Byzantium, `bn254_add` (EIP-1108: 150) from Istanbul.
uint64_t ecadd_gas(ByteView, const GasSchedule& gas, Revision rev) noexcept
{
    return rev < Revision::kIstanbul ? 500 : cost(gas.bn254_add);
}

/// EIP-196 ECMUL: 40000 gas in Byzantium, `bn254_mul` (EIP-1108: 6000) from Istanbul.
uint64_t ecmul_gas(ByteView, const GasSchedule& gas, Revision rev) noexcept
{
    return rev < Revision::kIstanbul ? 40000 : cost(gas.bn254_mul);
}

/// EIP-197 ECPAIRING with k = floor(len / 192) pairs: 100000 + 80000k in Byzantium,
/// `bn254_pairing_base + bn254_pairing_pair * k` (EIP-1108: 45000 + 34000k) from Istanbul.
uint64_t ecpairing_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept
{
    const uint64_t k = input.size() / 192;
    const uint64_t base = rev < Revision::kIstanbul ? 100000 : cost(gas.bn254_pairing_base);
    const uint64_t pair = rev < Revision::kIstanbul ? 80000 : cost(gas.bn254_pairing_pair);
    uint64_t per_pairs = 0;
    uint64_t total = 0;
    if (__builtin_mul_overflow(pair, k, &per_pairs) ||
        __builtin_add_overflow(base, per_pairs, &total))
        return UINT64_MAX;
    return total;
}

PrecompileResult ecadd_run(ByteView input, Revision)
{
    return bn254::ecadd(input);
}

PrecompileResult ecmul_run(ByteView input, Revision)
{
    return bn254::ecmul(input);
}

PrecompileResult ecpairing_run(ByteView input, Revision)
{
    return bn254::ecpairing(input);
}

// ---- point evaluation (EIP-4844) ----

uint64_t pointeval_gas(ByteView, const GasSchedule& gas, Revision) noexcept
{
    return cost(gas.point_evaluation);
}

/// No KZG library in Debian (shared/DEPENDENCIES.md): the address exists (warm, charged) but
/// every call fails, consuming its gas. docs/spec/precompiles.md lists what this breaks.
PrecompileResult pointeval_run(ByteView, Revision) noexcept
{
    return {false, {}};
}

uint64_t l1sload_gas_fn(ByteView input, const GasSchedule& gas, Revision) noexcept
{
    return l1sload_gas(input, gas);
}
PrecompileResult l1sload_unreachable(ByteView, Revision) noexcept
{
    return {};  // never called: Evm::call_message handles 0x10001 (l1sload.hpp)
}

// ---- the table ----

struct Entry
{
    uint32_t address;  ///< the low 4 bytes of the 20-byte address; the other 16 are zero
    Revision since;
    bool l2_only;  ///< RIP precompiles: only on l2node chains
    Precompile precompile;
};

// Frontier (YP Appendix E); EIP-198 modexp, EIP-196/197 bn254 (Byzantium); EIP-152 blake2f
// (Istanbul); EIP-4844 point evaluation (Cancun); RIP-7212 P256VERIFY, which rollups adopted
// after London (l2node chains start later still).
constexpr Entry kTable[] = {
    {0x01, Revision::kFrontier, false, {"ecrecover", ecrecover_gas, ecrecover_run}},
    {0x02, Revision::kFrontier, false, {"sha256", sha256_gas, sha256_run}},
    {0x03, Revision::kFrontier, false, {"ripemd160", ripemd160_gas, ripemd160_run}},
    {0x04, Revision::kFrontier, false, {"identity", identity_gas, identity_run}},
    {0x05, Revision::kByzantium, false, {"modexp", modexp_gas, modexp_run}},
    {0x06, Revision::kByzantium, false, {"ecadd", ecadd_gas, ecadd_run}},
    {0x07, Revision::kByzantium, false, {"ecmul", ecmul_gas, ecmul_run}},
    {0x08, Revision::kByzantium, false, {"ecpairing", ecpairing_gas, ecpairing_run}},
    {0x09, Revision::kIstanbul, false, {"blake2f", blake2f_gas, blake2f_run}},
    {0x0a, Revision::kCancun, false, {"point_evaluation", pointeval_gas, pointeval_run}},
    {0x100, Revision::kLondon, true, {"p256verify", p256verify_gas, p256verify_run}},
    // RIP-7728: the EVM runs it itself (it needs the block's L1 origin and reader); the entry
    // makes it warm and gives its gas.
    {0x10001, Revision::kLondon, true, {"l1sload", l1sload_gas_fn, l1sload_unreachable}},
};

}  // namespace

const Precompile* find_precompile(const Address& addr, Revision rev, bool l2) noexcept
{
    // Every precompile address is below 2^32: one check rejects almost every real address.
    for (size_t i = 0; i < 16; ++i)
        if (addr[i] != 0)
            return nullptr;
    const uint32_t a = uint32_t{addr[16]} << 24 | uint32_t{addr[17]} << 16 |
                       uint32_t{addr[18]} << 8 | uint32_t{addr[19]};
    for (const auto& e : kTable)
    {
        if (e.address != a)
            continue;
        if (rev < e.since || (e.l2_only && !l2))
            return nullptr;
        return &e.precompile;
    }
    return nullptr;
}

bool is_precompile(const Address& addr, Revision rev, bool l2) noexcept
{
    return find_precompile(addr, rev, l2) != nullptr;
}

}  // namespace l2::execution
