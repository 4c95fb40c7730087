#pragma once
/// x86-64 kernels of the BN254 base field (bn254_field.hpp), used outside constant evaluation:
/// GCC makes setc/or chains or 128-bit adds of the portable carry code (as for U256), so the
/// Montgomery product, the sum and the difference are written out with mul/adc/sbb/cmov.
/// The build targets baseline x86-64, so the mulx/adcx/adox kernel is chosen at run time.
/// Unoptimized builds keep the portable code: at -O0 GCC cannot find registers for the operands.

#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE__)
#define L2_BN254_ASM 1

#include <cpuid.h>

namespace l2::execution::bn254::detail::x86 {

// One instruction per line: the formatter would pack the assembly strings.
// clang-format off

// One CIOS round for limb OFF of b: t += a * b[OFF]; then t = (t + m p) / 2^64 with
// m = t0 * (-p^-1) mod 2^64. The limbs rotate through five registers, T0 lowest, T4 the carry
// word: after the round T0 is zero and free to be the next round's carry word. No sum
// overflows: a * b_i + t + c <= 2^128 - 1, and t stays below 2p.
#define L2_BN254_MAC(OFF, AJ, TJ)  \
    "movq " AJ "(%[a]), %%rax\n\t" \
    "mulq " OFF "(%[b])\n\t"       \
    "addq %%rax, %[" TJ "]\n\t"    \
    "adcq $0, %%rdx\n\t"           \
    "addq %[c], %[" TJ "]\n\t"     \
    "adcq $0, %%rdx\n\t"           \
    "movq %%rdx, %[c]\n\t"
#define L2_BN254_RED(PJ, TJ)    \
    "movq %[" PJ "], %%rax\n\t" \
    "mulq %[m]\n\t"             \
    "addq %%rax, %[" TJ "]\n\t" \
    "adcq $0, %%rdx\n\t"        \
    "addq %[c], %[" TJ "]\n\t"  \
    "adcq $0, %%rdx\n\t"        \
    "movq %%rdx, %[c]\n\t"
#define L2_BN254_ROUND(OFF, T0, T1, T2, T3, T4) \
    "xorl %k[c], %k[c]\n\t"                     \
    L2_BN254_MAC(OFF, "0", T0)                  \
    L2_BN254_MAC(OFF, "8", T1)                  \
    L2_BN254_MAC(OFF, "16", T2)                 \
    L2_BN254_MAC(OFF, "24", T3)                 \
    "movq %[c], %[" T4 "]\n\t"                  \
    "movq %[pinv], %[m]\n\t"                    \
    "imulq %[" T0 "], %[m]\n\t"                 \
    "xorl %k[c], %k[c]\n\t"                     \
    L2_BN254_RED("p0", T0)                      \
    L2_BN254_RED("p1", T1)                      \
    L2_BN254_RED("p2", T2)                      \
    L2_BN254_RED("p3", T3)                      \
    "addq %[c], %[" T4 "]\n\t"

/// r = a * b / 2^256 mod p for a, b < p, given p < 2^254 and pinv = -p^-1 mod 2^64.
[[gnu::always_inline]] inline void mont_mul(uint64_t r[4],
                                            const uint64_t a[4],
                                            const uint64_t b[4],
                                            const uint64_t p[4],
                                            uint64_t pinv) noexcept
{
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, m = 0, c = 0;
    asm(L2_BN254_ROUND("0", "r0", "r1", "r2", "r3", "r4")
        L2_BN254_ROUND("8", "r1", "r2", "r3", "r4", "r0")
        L2_BN254_ROUND("16", "r2", "r3", "r4", "r0", "r1")
        L2_BN254_ROUND("24", "r3", "r4", "r0", "r1", "r2")
        // The result (r4, r0, r1, r2) < 2p: subtract p unless that borrows.
        "movq %[r4], %%rax\n\t"
        "movq %[r0], %%rdx\n\t"
        "movq %[r1], %[m]\n\t"
        "movq %[r2], %[c]\n\t"
        "subq %[p0], %%rax\n\t"
        "sbbq %[p1], %%rdx\n\t"
        "sbbq %[p2], %[m]\n\t"
        "sbbq %[p3], %[c]\n\t"
        "cmovncq %%rax, %[r4]\n\t"
        "cmovncq %%rdx, %[r0]\n\t"
        "cmovncq %[m], %[r1]\n\t"
        "cmovncq %[c], %[r2]\n\t"
        : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [r4] "+&r"(r4),
          [m] "+&r"(m), [c] "+&r"(c)
        : [a] "r"(a), [b] "r"(b), "m"(*reinterpret_cast<const uint64_t(*)[4]>(a)),
          "m"(*reinterpret_cast<const uint64_t(*)[4]>(b)), [p0] "m"(p[0]), [p1] "m"(p[1]),
          [p2] "m"(p[2]), [p3] "m"(p[3]), [pinv] "m"(pinv)
        : "rax", "rdx", "cc");
    r[0] = r4;
    r[1] = r0;
    r[2] = r1;
    r[3] = r2;
}

#undef L2_BN254_ROUND
#undef L2_BN254_RED
#undef L2_BN254_MAC

// The same CIOS with BMI2 mulx and the two ADX carry chains (adcx on CF for the high halves,
// adox on OF for the low halves): 3 instructions per limb product instead of 7. T4 enters each
// round as zero (the previous round's T0, which its reduction zeroed).
#define L2_BN254_ADX_ROW(SRC0, SRC1, SRC2, SRC3, T0, T1, T2, T3, T4) \
    "xorl %%eax, %%eax\n\t"                                          \
    "mulxq " SRC0 ", %[lo], %[hi]\n\t"                               \
    "adoxq %[lo], %[" T0 "]\n\t"                                     \
    "adcxq %[hi], %[" T1 "]\n\t"                                     \
    "mulxq " SRC1 ", %[lo], %[hi]\n\t"                               \
    "adoxq %[lo], %[" T1 "]\n\t"                                     \
    "adcxq %[hi], %[" T2 "]\n\t"                                     \
    "mulxq " SRC2 ", %[lo], %[hi]\n\t"                               \
    "adoxq %[lo], %[" T2 "]\n\t"                                     \
    "adcxq %[hi], %[" T3 "]\n\t"                                     \
    "mulxq " SRC3 ", %[lo], %[hi]\n\t"                               \
    "adoxq %[lo], %[" T3 "]\n\t"                                     \
    "adcxq %[hi], %[" T4 "]\n\t"                                     \
    "adoxq %%rax, %[" T4 "]\n\t"
#define L2_BN254_ADX_ROUND(OFF, T0, T1, T2, T3, T4)                                    \
    "movq " OFF "(%[b]), %%rdx\n\t"                                                    \
    L2_BN254_ADX_ROW("0(%[a])", "8(%[a])", "16(%[a])", "24(%[a])", T0, T1, T2, T3, T4) \
    "movq %[" T0 "], %%rdx\n\t"                                                        \
    "imulq %[pinv], %%rdx\n\t"                                                         \
    L2_BN254_ADX_ROW("%[p0]", "%[p1]", "%[p2]", "%[p3]", T0, T1, T2, T3, T4)

/// mont_mul for CPUs with BMI2 and ADX (kHasAdx).
[[gnu::always_inline]] inline void mont_mul_adx(uint64_t r[4],
                                                const uint64_t a[4],
                                                const uint64_t b[4],
                                                const uint64_t p[4],
                                                uint64_t pinv) noexcept
{
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, lo = 0, hi = 0;
    asm(L2_BN254_ADX_ROUND("0", "r0", "r1", "r2", "r3", "r4")
        L2_BN254_ADX_ROUND("8", "r1", "r2", "r3", "r4", "r0")
        L2_BN254_ADX_ROUND("16", "r2", "r3", "r4", "r0", "r1")
        L2_BN254_ADX_ROUND("24", "r3", "r4", "r0", "r1", "r2")
        "movq %[r4], %%rax\n\t"
        "movq %[r0], %%rdx\n\t"
        "movq %[r1], %[lo]\n\t"
        "movq %[r2], %[hi]\n\t"
        "subq %[p0], %%rax\n\t"
        "sbbq %[p1], %%rdx\n\t"
        "sbbq %[p2], %[lo]\n\t"
        "sbbq %[p3], %[hi]\n\t"
        "cmovncq %%rax, %[r4]\n\t"
        "cmovncq %%rdx, %[r0]\n\t"
        "cmovncq %[lo], %[r1]\n\t"
        "cmovncq %[hi], %[r2]\n\t"
        : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [r4] "+&r"(r4),
          [lo] "+&r"(lo), [hi] "+&r"(hi)
        : [a] "r"(a), [b] "r"(b), "m"(*reinterpret_cast<const uint64_t(*)[4]>(a)),
          "m"(*reinterpret_cast<const uint64_t(*)[4]>(b)), [p0] "m"(p[0]), [p1] "m"(p[1]),
          [p2] "m"(p[2]), [p3] "m"(p[3]), [pinv] "m"(pinv)
        : "rax", "rdx", "cc");
    r[0] = r4;
    r[1] = r0;
    r[2] = r1;
    r[3] = r2;
}

#undef L2_BN254_ADX_ROUND
#undef L2_BN254_ADX_ROW

// clang-format on

/// Whether the CPU has BMI2 (mulx) and ADX (adcx, adox): CPUID leaf 7, EBX bits 8 and 19.
inline bool detect_adx() noexcept
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0)
        return false;
    return (ebx & (1u << 8)) != 0 && (ebx & (1u << 19)) != 0;
}

/// Chosen once at startup; both kernels give identical results.
inline const bool kHasAdx = detect_adx();

/// r = a + b mod p for a, b < p.
[[gnu::always_inline]] inline void add(uint64_t r[4],
                                       const uint64_t a[4],
                                       const uint64_t b[4],
                                       const uint64_t p[4]) noexcept
{
    uint64_t r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3];
    uint64_t s0, s1, s2, s3;
    asm("addq %[b0], %[r0]\n\t"
        "adcq %[b1], %[r1]\n\t"
        "adcq %[b2], %[r2]\n\t"
        "adcq %[b3], %[r3]\n\t"
        "movq %[r0], %[s0]\n\t"
        "movq %[r1], %[s1]\n\t"
        "movq %[r2], %[s2]\n\t"
        "movq %[r3], %[s3]\n\t"
        "subq %[p0], %[s0]\n\t"
        "sbbq %[p1], %[s1]\n\t"
        "sbbq %[p2], %[s2]\n\t"
        "sbbq %[p3], %[s3]\n\t"
        "cmovncq %[s0], %[r0]\n\t"
        "cmovncq %[s1], %[r1]\n\t"
        "cmovncq %[s2], %[r2]\n\t"
        "cmovncq %[s3], %[r3]\n\t"
        : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [s0] "=&r"(s0),
          [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3)
        : [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]), [p0] "m"(p[0]),
          [p1] "m"(p[1]), [p2] "m"(p[2]), [p3] "m"(p[3])
        : "cc");
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
}

/// r = a - b mod p for a, b < p.
[[gnu::always_inline]] inline void sub(uint64_t r[4],
                                       const uint64_t a[4],
                                       const uint64_t b[4],
                                       const uint64_t p[4]) noexcept
{
    uint64_t r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3];
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    asm("subq %[b0], %[r0]\n\t"
        "sbbq %[b1], %[r1]\n\t"
        "sbbq %[b2], %[r2]\n\t"
        "sbbq %[b3], %[r3]\n\t"
        "cmovcq %[p0], %[s0]\n\t"  // s = borrow ? p : 0
        "cmovcq %[p1], %[s1]\n\t"
        "cmovcq %[p2], %[s2]\n\t"
        "cmovcq %[p3], %[s3]\n\t"
        "addq %[s0], %[r0]\n\t"
        "adcq %[s1], %[r1]\n\t"
        "adcq %[s2], %[r2]\n\t"
        "adcq %[s3], %[r3]\n\t"
        : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [s0] "+&r"(s0),
          [s1] "+&r"(s1), [s2] "+&r"(s2), [s3] "+&r"(s3)
        : [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]), [p0] "m"(p[0]),
          [p1] "m"(p[1]), [p2] "m"(p[2]), [p3] "m"(p[3])
        : "cc");
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
}

}  // namespace l2::execution::bn254::detail::x86

#endif
