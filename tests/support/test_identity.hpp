#pragma once
// Deterministic, well-spread identities for state tests and the crash test: identity i is
// keccak256(i as 8 bytes BE)[0..20].

#include <cstdint>

#include <txtypes/hash.hpp>

namespace l2::test {

Address test_identity(uint64_t i);

/// `tag` in the first byte, `i` big-endian in the last eight: readable in a failure, and one
/// test's identities apart from another's.
Address tagged_identity(uint64_t i, uint8_t tag);

}  // namespace l2::test
