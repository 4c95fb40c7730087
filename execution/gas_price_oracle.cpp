#include "gas_price_oracle.hpp"

#include <array>
#include <cstring>
#include <string_view>

#include <txtypes/keccak.hpp>

#include "l1_fee.hpp"
#include "l1_info.hpp"

namespace l2::execution {

namespace {

enum class Fn
{
    kGetL1Fee,
    kGetL1GasUsed,
    kGetL1FeeUpperBound,
    kL1BaseFee,
    kBlobBaseFee,
    kBaseFeeScalar,
    kBlobBaseFeeScalar,
    kDecimals,
    kDecimalsConst,
    kIsFjord,
    kIsEcotone,
    kGasPrice,
    kBaseFee,
    kVersion,
    kProofFeePerGas,
    kGetOperatorFee,
};

struct Entry
{
    std::array<uint8_t, 4> selector;
    Fn fn;
};

std::array<uint8_t, 4> selector_of(std::string_view sig)
{
    const Hash h = keccak256(ByteView{reinterpret_cast<const uint8_t*>(sig.data()), sig.size()});
    return {h[0], h[1], h[2], h[3]};
}

const std::array<Entry, 16>& table()
{
    static const std::array<Entry, 16> t{{
        {selector_of("getL1Fee(bytes)"), Fn::kGetL1Fee},
        {selector_of("getL1GasUsed(bytes)"), Fn::kGetL1GasUsed},
        {selector_of("getL1FeeUpperBound(uint256)"), Fn::kGetL1FeeUpperBound},
        {selector_of("l1BaseFee()"), Fn::kL1BaseFee},
        {selector_of("blobBaseFee()"), Fn::kBlobBaseFee},
        {selector_of("baseFeeScalar()"), Fn::kBaseFeeScalar},
        {selector_of("blobBaseFeeScalar()"), Fn::kBlobBaseFeeScalar},
        {selector_of("decimals()"), Fn::kDecimals},
        {selector_of("DECIMALS()"), Fn::kDecimalsConst},
        {selector_of("isFjord()"), Fn::kIsFjord},
        {selector_of("isEcotone()"), Fn::kIsEcotone},
        {selector_of("gasPrice()"), Fn::kGasPrice},
        {selector_of("baseFee()"), Fn::kBaseFee},
        {selector_of("version()"), Fn::kVersion},
        {selector_of("proofFeePerGas()"), Fn::kProofFeePerGas},
        // OP Isthmus' operator fee is the proof fee's counterpart: wallets (viem's
        // estimateTotalFee) ask for it by gas used.
        {selector_of("getOperatorFee(uint256)"), Fn::kGetOperatorFee},
    }};
    return t;
}

Bytes abi_string(std::string_view s)
{
    Bytes out = to_be_word(U256{32});
    out += to_be_word(U256{s.size()});
    Bytes data(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    data.resize((s.size() + 31) / 32 * 32, 0);
    out += data;
    return out;
}

/// The `bytes` argument of a one-argument ABI call, or nullopt when malformed.
std::optional<ByteView> abi_bytes_arg(ByteView args) noexcept
{
    if (args.size() < 64)
        return std::nullopt;
    const U256 offset = from_be_bytes(args.substr(0, 32));
    if (!fits_u64(offset) || low_u64(offset) > args.size() - 32)
        return std::nullopt;
    const size_t off = static_cast<size_t>(low_u64(offset));
    const U256 len = from_be_bytes(args.substr(off, 32));
    if (!fits_u64(len) || low_u64(len) > args.size() - off - 32)
        return std::nullopt;
    return args.substr(off + 32, static_cast<size_t>(low_u64(len)));
}

constexpr int64_t kBaseGas = 5000;         // a few storage reads
constexpr int64_t kGasPerInputByte = 16;   // the FastLZ pass over the argument
constexpr uint64_t kSignatureBytes = 68;   // OP: an unsigned tx plus its signature

}  // namespace

GasPriceOracleResult call_gas_price_oracle(state::JournaledState& st, ByteView input, int64_t gas,
                                           const U256& base_fee)
{
    GasPriceOracleResult r;
    const int64_t cost = kBaseGas + kGasPerInputByte * static_cast<int64_t>(input.size());
    if (cost > gas)
    {
        r.gas_used = gas;
        return r;  // out of gas
    }
    r.gas_used = cost;
    if (input.size() < 4)
        return r;
    const Entry* e = nullptr;
    for (const Entry& c : table())
        if (std::memcmp(c.selector.data(), input.data(), 4) == 0)
            e = &c;
    if (e == nullptr)
        return r;
    const ByteView args = input.substr(4);
    const L1Info info = read_l1_info(st);
    const L1FeeParams params = info.fee_params();
    r.success = true;
    switch (e->fn)
    {
    case Fn::kGetL1Fee:
    case Fn::kGetL1GasUsed: {
        const auto data = abi_bytes_arg(args);
        if (!data)
        {
            r.success = false;
            break;
        }
        const uint64_t size = estimated_da_size_scaled(flz_compress_len(*data) + kSignatureBytes);
        r.output = e->fn == Fn::kGetL1Fee ? to_be_word(l1_fee_for_size(params, size))
                                          : to_be_word(U256{size * 16 / 1'000'000});
        break;
    }
    case Fn::kGetL1FeeUpperBound: {
        if (args.size() < 32 || !fits_u64(from_be_bytes(args.substr(0, 32))) ||
            low_u64(from_be_bytes(args.substr(0, 32))) > (uint64_t{1} << 32))
        {
            r.success = false;
            break;
        }
        // OP: FastLZ's practical bound for a tx of this size plus its signature.
        const uint64_t tx_size = low_u64(from_be_bytes(args.substr(0, 32))) + kSignatureBytes;
        const uint64_t flz_bound = tx_size + tx_size / 255 + 16;
        r.output = to_be_word(l1_fee_for_size(params, estimated_da_size_scaled(flz_bound)));
        break;
    }
    case Fn::kL1BaseFee:
        r.output = to_be_word(info.base_fee);
        break;
    case Fn::kBlobBaseFee:
        r.output = to_be_word(info.blob_base_fee);
        break;
    case Fn::kBaseFeeScalar:
        r.output = to_be_word(U256{info.base_fee_scalar});
        break;
    case Fn::kBlobBaseFeeScalar:
        r.output = to_be_word(U256{info.blob_base_fee_scalar});
        break;
    case Fn::kDecimals:
    case Fn::kDecimalsConst:
        r.output = to_be_word(U256{6});
        break;
    case Fn::kIsFjord:
    case Fn::kIsEcotone:
        r.output = to_be_word(U256{1});
        break;
    case Fn::kGasPrice:
    case Fn::kBaseFee:
        r.output = to_be_word(base_fee);
        break;
    case Fn::kVersion:
        r.output = abi_string("1.3.0-l2node");
        break;
    case Fn::kProofFeePerGas:
        r.output = to_be_word(info.proof_fee_per_gas);
        break;
    case Fn::kGetOperatorFee:
        if (args.size() < 32)
        {
            r.success = false;
            break;
        }
        r.output = to_be_word(from_be_bytes(args.substr(0, 32)) * info.proof_fee_per_gas);
        break;
    }
    return r;
}

}  // namespace l2::execution
