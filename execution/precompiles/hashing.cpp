// Frontier's precompiles 0x01-0x04: ECRECOVER, SHA256, RIPEMD160, IDENTITY (YP Appendix E).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <openssl/evp.h>

#include <txtypes/secp256k1.hpp>

#include "execution/precompiles.hpp"

namespace l2::execution {

namespace {

/// base + word * ceil(len / 32), saturating.
uint64_t word_gas(int64_t base, int64_t word, size_t len) noexcept
{
    const uint64_t b = base > 0 ? static_cast<uint64_t>(base) : 0;
    const uint64_t w = word > 0 ? static_cast<uint64_t>(word) : 0;
    const uint64_t words = len / 32 + (len % 32 != 0);
    uint64_t per_words = 0;
    uint64_t total = 0;
    if (__builtin_mul_overflow(w, words, &per_words) ||
        __builtin_add_overflow(b, per_words, &total))
        return UINT64_MAX;
    return total;
}

/// The digest, fetched once: an explicit fetch spares each call OpenSSL 3's implicit lookup.
/// RIPEMD160 is in OpenSSL 3's default provider since 3.0.7 (bookworm has 3.0.1x); an OpenSSL
/// without it cannot run this chain, so it stops the node rather than diverge.
const EVP_MD* fetch_digest(const char* name) noexcept
{
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    if (md == nullptr)
    {
        std::fprintf(stderr, "fatal: OpenSSL has no %s digest (the %s precompile needs it)\n", name,
                     name);
        std::abort();
    }
    return md;  // lives as long as the process
}

/// digest(input) into `out` (at least EVP_MAX_MD_SIZE bytes); returns the digest size.
unsigned digest(const EVP_MD* md, ByteView input, uint8_t* out) noexcept
{
    unsigned size = 0;
    // EVP_Digest fails only on allocation failure; a node that cannot allocate cannot go on.
    if (EVP_Digest(input.data(), input.size(), out, &size, md, nullptr) != 1)
        std::abort();
    return size;
}

}  // namespace

// ---- 0x01 ECRECOVER ----

uint64_t ecrecover_gas(ByteView, const GasSchedule& gas, Revision) noexcept
{
    return gas.ecrecover > 0 ? static_cast<uint64_t>(gas.ecrecover) : 0;
}

/// Input hash(32) || v(32) || r(32) || s(32), right-padded with zeros or truncated to 128
/// bytes. Output: the signer's address left-padded to 32 bytes, or empty (still a successful
/// call) when v is not 27 or 28, r or s is outside [1, n-1] or no key recovers. High s is
/// allowed here (EIP-2 restricts transactions only).
PrecompileResult ecrecover_run(ByteView input, Revision) noexcept
{
    uint8_t in[128] = {};
    if (!input.empty())
        std::memcpy(in, input.data(), std::min(input.size(), sizeof(in)));

    // v is a 32-byte big-endian word: 27 or 28 with the 31 bytes before it zero.
    if (std::any_of(in + 32, in + 63, [](uint8_t b) { return b != 0; }) ||
        (in[63] != 27 && in[63] != 28))
        return {true, {}};

    Hash hash;
    std::memcpy(hash.data(), in, 32);
    const Signature sig{from_be_bytes({in + 64, 32}), from_be_bytes({in + 96, 32}),
                        static_cast<uint8_t>(in[63] - 27)};
    const auto signer = recover_address(hash, sig);  // checks 1 <= r, s < n itself
    if (!signer)
        return {true, {}};
    Bytes out(32, 0);
    std::memcpy(out.data() + 12, signer->data(), 20);
    return {true, std::move(out)};
}

// ---- 0x02 SHA256 ----

uint64_t sha256_gas(ByteView input, const GasSchedule& gas, Revision) noexcept
{
    return word_gas(gas.sha256_base, gas.sha256_word, input.size());
}

PrecompileResult sha256_run(ByteView input, Revision) noexcept
{
    static const EVP_MD* const kSha256 = fetch_digest("SHA256");
    uint8_t md[EVP_MAX_MD_SIZE];
    const unsigned n = digest(kSha256, input, md);
    return {true, Bytes(md, n)};
}

// ---- 0x03 RIPEMD160 ----

uint64_t ripemd160_gas(ByteView input, const GasSchedule& gas, Revision) noexcept
{
    return word_gas(gas.ripemd160_base, gas.ripemd160_word, input.size());
}

/// The 20-byte digest, left-padded to 32 bytes.
PrecompileResult ripemd160_run(ByteView input, Revision) noexcept
{
    static const EVP_MD* const kRipemd160 = fetch_digest("RIPEMD160");
    uint8_t md[EVP_MAX_MD_SIZE];
    const unsigned n = digest(kRipemd160, input, md);
    Bytes out(32, 0);
    std::memcpy(out.data() + (32 - n), md, n);
    return {true, std::move(out)};
}

// ---- 0x04 IDENTITY ----

uint64_t identity_gas(ByteView input, const GasSchedule& gas, Revision) noexcept
{
    return word_gas(gas.identity_base, gas.identity_word, input.size());
}

PrecompileResult identity_run(ByteView input, Revision) noexcept
{
    // An empty view may hold a null pointer, which Bytes' copy would hand to memcpy.
    return {true, input.empty() ? Bytes{} : Bytes{input}};
}

}  // namespace l2::execution
