#pragma once
// Helpers for the conformance runners: fixture discovery and the closing summary line.

#include <filesystem>
#include <string>
#include <vector>

namespace l2::test {

/// Every *.json below `dir`, sorted (deterministic test order).
std::vector<std::filesystem::path> json_files(const std::filesystem::path& dir);

/// A gtest-safe name for a fixture path relative to `root` ("ttNonce_TransactionWithHighNonce").
std::string test_name(const std::filesystem::path& file, const std::filesystem::path& root);

/// Case-level counters: a fixture file holds many cases; the runner reports cases, and the
/// process ends with the line `N passed, N failed[, N skipped]`.
struct CaseCounts
{
    static void pass();
    static void fail();
    static void skip();
};

}  // namespace l2::test
