#pragma once
/// The alt_bn128 (BN254) precompiles: ECADD at 0x06 and ECMUL at 0x07 (EIP-196), ECPAIRING at 0x08
/// (EIP-197), with geth's input handling. Gas (EIP-1108 since Istanbul) is the caller's.

#include <txtypes/bytes.hpp>

#include "../precompiles.hpp"

namespace l2::execution::bn254 {

/// ECADD: the sum of two G1 points (x1, y1, x2, y2: 32-byte big-endian words; shorter input is
/// right-padded with zeros, bytes past 128 are ignored). (0, 0) is the point at infinity.
/// Output: the 64-byte sum, (0, 0) for infinity. Fails on a coordinate >= p or a point not on
/// y^2 = x^3 + 3.
PrecompileResult ecadd(ByteView input);

/// ECMUL: [k] P for a G1 point P (x, y) and a 256-bit scalar k, 96 bytes padded or truncated as
/// for ECADD. Output: 64 bytes. Fails on an invalid point as ECADD.
PrecompileResult ecmul(ByteView input);

/// ECPAIRING: whether prod e(P_i, Q_i) = 1 over k pairs of 192 bytes each: P = (x, y) in G1,
/// Q = (x_im, x_re, y_im, y_re) in G2 (Fp2 elements imaginary part first). An empty input
/// gives 1. Output: a 32-byte 0 or 1. Fails when the length is not a multiple of 192, on a
/// coordinate >= p, a point off its curve, or a twist point outside the order-r subgroup.
PrecompileResult ecpairing(ByteView input);

}  // namespace l2::execution::bn254
