// statetest PATH...: runs GeneralStateTests-format JSON files or folders (recursively) and
// prints each failure, then `N passed, N failed`. Exit code 1 when any case failed.
//   --fork NAME   run this fork's cases (default Cancun; repeatable; `all` for every fork)
//   --quiet       only the summary
//   --known-failures FILE
//                 cases listed there (with reasons) may fail: the exit code is 0 when every
//                 failure is listed and every listed case still fails
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "statetest_runner.hpp"

int main(int argc, char** argv)
{
    namespace fs = std::filesystem;
    l2::test::StateTestOptions options;
    std::vector<std::string> forks;
    std::vector<fs::path> paths;
    bool quiet = false;
    std::string known_file;
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], "--fork") == 0 && i + 1 < argc)
            forks.emplace_back(argv[++i]);
        else if (std::strcmp(argv[i], "--known-failures") == 0 && i + 1 < argc)
            known_file = argv[++i];
        else if (std::strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else
            paths.emplace_back(argv[i]);
    }
    if (paths.empty())
    {
        std::fprintf(stderr, "usage: statetest [--fork NAME|all] [--quiet] PATH...\n");
        return 2;
    }
    if (!forks.empty())
        options.forks = forks == std::vector<std::string>{"all"} ? std::vector<std::string>{}
                                                                 : forks;
    // Known failures: "<path relative to GeneralStateTests> <case>" per line, # comments.
    std::set<std::string> known;
    if (!known_file.empty())
    {
        std::ifstream in{known_file};
        if (!in)
        {
            std::fprintf(stderr, "statetest: cannot read %s\n", known_file.c_str());
            return 2;
        }
        for (std::string line; std::getline(in, line);)
            if (!line.empty() && line[0] != '#')
                known.insert(line);
    }
    auto key_of = [](const l2::test::StateTestCase& c) {
        const std::string marker = "GeneralStateTests/";
        const auto pos = c.file.rfind(marker);
        const std::string rel = pos == std::string::npos ? c.file : c.file.substr(pos + marker.size());
        return rel + " " + c.name;
    };
    size_t unexpected = 0;
    std::set<std::string> known_seen;
    options.on_case = [&](const l2::test::StateTestCase& c) {
        if (c.passed)
            return;
        const std::string key = key_of(c);
        const bool is_known = known.count(key) != 0;
        if (is_known)
            known_seen.insert(key);
        else
            ++unexpected;
        if (!quiet || !is_known)
            std::printf("%s %s %s: %s\n", is_known ? "KNOWN" : "FAIL", c.file.c_str(),
                        c.name.c_str(), c.detail.c_str());
    };

    std::vector<fs::path> files;
    for (const auto& p : paths)
    {
        if (fs::is_directory(p))
        {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().extension() == ".json")
                    files.push_back(e.path());
        }
        else
            files.push_back(p);
    }
    std::sort(files.begin(), files.end());

    l2::test::StateTestSummary total;
    for (const auto& f : files)
    {
        const auto s = l2::test::run_state_test_file(f, options);
        total.passed += s.passed;
        total.failed += s.failed;
        total.skipped += s.skipped;
    }
    for (const auto& k : known)
        if (!known_seen.count(k))
            std::printf("FIXED %s: listed as a known failure but passed or did not run; "
                        "update %s\n", k.c_str(), known_file.c_str());
    if (!known.empty())
        std::printf("known failures: %zu of %zu listed in %s\n", known_seen.size(),
                    known.size(), known_file.c_str());
    std::printf("%zu passed, %zu failed", total.passed, total.failed);
    if (total.skipped)
        std::printf(", %zu skipped", total.skipped);
    std::printf("\n");
    const bool ok = unexpected == 0 && known_seen.size() == known.size();
    return ok ? 0 : 1;
}
