#pragma once
/// A fresh directory under the system temp dir for one test, removed however the test ends.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace l2::test {

struct TempDir
{
    std::filesystem::path path;
    /// `name` and the process id: tests of one binary may run in parallel processes (ctest).
    explicit TempDir(const char* name)
        : path{std::filesystem::temp_directory_path() /
               (std::string{name} + "-" + std::to_string(::getpid()))}
    {
        std::filesystem::remove_all(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace l2::test
