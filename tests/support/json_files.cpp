#include "json_files.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>

namespace l2::test {

namespace {
std::atomic<size_t> g_passed{0};
std::atomic<size_t> g_failed{0};
std::atomic<size_t> g_skipped{0};

/// Prints the case summary after all tests ran (the line CI and people read).
class SummaryEnvironment : public testing::Environment
{
public:
    void TearDown() override
    {
        std::printf("\n%zu passed, %zu failed", g_passed.load(), g_failed.load());
        if (g_skipped.load() != 0)
            std::printf(", %zu skipped", g_skipped.load());
        std::printf("\n");
        std::fflush(stdout);
    }
};

[[maybe_unused]] testing::Environment* const g_env =
    testing::AddGlobalTestEnvironment(new SummaryEnvironment);
}  // namespace

std::vector<std::filesystem::path> json_files(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> out;
    if (!std::filesystem::exists(dir))
        return out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".json")
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string test_name(const std::filesystem::path& file, const std::filesystem::path& root)
{
    std::string name = std::filesystem::relative(file, root).replace_extension().string();
    for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return name;
}

void CaseCounts::pass()
{
    ++g_passed;
}
void CaseCounts::fail()
{
    ++g_failed;
}
void CaseCounts::skip()
{
    ++g_skipped;
}

}  // namespace l2::test
