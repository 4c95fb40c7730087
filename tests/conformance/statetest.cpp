// statetest PATH...: runs GeneralStateTests-format JSON files or folders (recursively) and
// prints each failure, then `N passed, N failed`. Exit code 1 when any case failed.
//   --fork NAME   run this fork's cases (default Cancun; repeatable; `all` for every fork)
//   --quiet       only the summary
//   --known-failures FILE
//                 cases listed there (with reasons) may fail: the exit code is 0 when every
//                 failure is listed and every listed case still fails
//   --jobs N      files run on N threads (default: the machine's cores); output order may vary
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>  // hardware_concurrency
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
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], "--fork") == 0 && i + 1 < argc)
            forks.emplace_back(argv[++i]);
        else if (std::strcmp(argv[i], "--known-failures") == 0 && i + 1 < argc)
            known_file = argv[++i];
        else if (std::strcmp(argv[i], "--jobs") == 0 && i + 1 < argc)
            jobs = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
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
    std::mutex report_mutex;  // on_case runs on the worker threads
    options.on_case = [&](const l2::test::StateTestCase& c) {
        if (c.passed)
            return;
        const std::lock_guard lock{report_mutex};
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

    // Files are independent (each case runs on its own in-memory state): a shared index hands
    // them to the threads, which add their counts at the end.
    l2::test::StateTestSummary total;
    std::atomic<size_t> next{0};
    auto work = [&] {
        l2::test::StateTestSummary mine;
        for (size_t i = next++; i < files.size(); i = next++)
        {
            const auto s = l2::test::run_state_test_file(files[i], options);
            mine.passed += s.passed;
            mine.failed += s.failed;
            mine.skipped += s.skipped;
        }
        const std::lock_guard lock{report_mutex};
        total.passed += mine.passed;
        total.failed += mine.failed;
        total.skipped += mine.skipped;
    };
    // Workers get the stack the node gives its block thread: the fixtures recurse 1024 calls
    // deep, which under ASan needs more than a default thread stack (the main thread's is
    // whatever `ulimit -s` allows).
    constexpr size_t kStackBytes = size_t{256} << 20;
    std::vector<pthread_t> threads;
    for (unsigned t = 1; t < std::min<size_t>(jobs, files.size()); ++t)
    {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, kStackBytes);
        pthread_t thread;
        const auto entry = [](void* fn) -> void* {
            (*static_cast<decltype(work)*>(fn))();
            return nullptr;
        };
        if (pthread_create(&thread, &attr, entry, &work) == 0)
            threads.push_back(thread);
        pthread_attr_destroy(&attr);
    }
    work();
    for (pthread_t t : threads)
        pthread_join(t, nullptr);
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
