#pragma once
/// The optimal ate pairing on BN254 (EIP-197's e: G1 x G2 -> GT): a shared Miller loop over
/// 6u + 2 in NAF with two Frobenius line corrections, then the final exponentiation
/// f^((p^12 - 1) / r) (easy part, then Scott et al.'s addition chain in u for the hard part).

#include <span>

#include "bn254_curve.hpp"

namespace l2::execution::bn254 {

/// One pair of a pairing check; neither point is the point at infinity (such pairs contribute
/// the factor 1 and are dropped by callers), P is on E and Q is in G2.
struct PairingInput
{
    G1Affine p;
    G2Affine q;
};

/// prod f_{6u+2,Q_i}(P_i) with the Frobenius corrections: the Miller loop of the product of
/// the pairings, before the final exponentiation.
Fp12 miller_loop(std::span<const PairingInput> pairs) noexcept;

/// f^((p^12 - 1) / r).
Fp12 final_exponentiation(const Fp12& f) noexcept;

/// Whether prod e(P_i, Q_i) = 1; true for no pairs (EIP-197).
bool pairing_check(std::span<const PairingInput> pairs) noexcept;

}  // namespace l2::execution::bn254
