// evmbench [PATH...]: runs the evm-benchmarks suite (state-test format) through l2node's EVM
// and prints gas, time and Mgas/s per case. Each case is the benchmark contract called with
// the case's calldata directly (no transaction overhead), repeated until ~0.3 s have passed;
// the fastest run counts. Default PATH: the suite under ../shared/bench-data/evm-benchmarks.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <execution/evm/evm.hpp>
#include <execution/gas_schedule.hpp>
#include <state/journaled_state.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/hex.hpp>

#include "statetest_runner.hpp"

namespace fs = std::filesystem;
using namespace l2;
using namespace l2::execution;

int main(int argc, char** argv)
{
    std::vector<fs::path> roots;
    for (int i = 1; i < argc; ++i)
        roots.emplace_back(argv[i]);
    if (roots.empty())
        roots.emplace_back(L2_EVM_BENCHMARKS_DIR "/benchmarks");
    std::vector<fs::path> files;
    for (const auto& r : roots)
    {
        if (fs::is_directory(r))
        {
            for (const auto& e : fs::recursive_directory_iterator(r))
                if (e.path().extension() == ".json")
                    files.push_back(e.path());
        }
        else
            files.push_back(r);
    }
    std::sort(files.begin(), files.end());

    const GasSchedule gas = schedule_for(Revision::kCancun);
    std::printf("%-40s %14s %12s %10s\n", "case", "gas", "time [us]", "Mgas/s");
    for (const auto& file : files)
    {
        std::ifstream in{file};
        const auto fixture = nlohmann::json::parse(in);
        for (const auto& [name, test] : fixture.items())
        {
            state::MemoryStore kv;
            state::StateDb db{kv};
            if (!test::load_pre_state(test.at("pre"), db))
                continue;
            const auto& tx = test.at("transaction");
            const Address to = *address_from_hex(tx.at("to").get<std::string>());
            const Address sender =
                *address_from_hex(tx.contains("sender") ? tx.at("sender").get<std::string>()
                                                        : "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b");
            const int64_t gas_limit =
                static_cast<int64_t>(low_u64(*u256_from_string(tx.at("gasLimit").at(0).get<std::string>())));
            evm::BlockContext block;
            block.number = 1;
            block.gas_limit = static_cast<uint64_t>(gas_limit);
            evm::TxContext tx_ctx;
            tx_ctx.origin = sender;
            const auto& datas = tx.at("data");
            for (size_t d = 0; d < datas.size(); ++d)
            {
                const Bytes input = from_hex(datas.at(d).get<std::string>()).value_or(Bytes{});
                double best_us = 1e300;
                int64_t gas_used = 0;
                std::string status = "ok";
                const auto start_all = std::chrono::steady_clock::now();
                int runs = 0;
                do
                {
                    state::JournaledState st{db};
                    evm::Evm vm{st, block, tx_ctx, gas, Revision::kCancun, false};
                    evm::Message msg;
                    msg.gas = gas_limit;
                    msg.sender = sender;
                    msg.recipient = msg.code_address = to;
                    msg.input = input;
                    const auto t0 = std::chrono::steady_clock::now();
                    const auto r = vm.call(msg);
                    const auto t1 = std::chrono::steady_clock::now();
                    best_us = std::min(
                        best_us, std::chrono::duration<double, std::micro>(t1 - t0).count());
                    gas_used = gas_limit - r.gas_left;
                    if (r.status != evm::Status::kSuccess)
                        status = evm::to_string(r.status);
                    ++runs;
                } while (std::chrono::steady_clock::now() - start_all < std::chrono::milliseconds(300) ||
                         runs < 3);
                const std::string label = name + (datas.size() > 1 ? "/" + std::to_string(d) : "");
                std::printf("%-40s %14lld %12.1f %10.1f%s%s\n", label.c_str(),
                            static_cast<long long>(gas_used), best_us,
                            static_cast<double>(gas_used) / best_us, status == "ok" ? "" : "  ",
                            status == "ok" ? "" : status.c_str());
            }
        }
    }
    return 0;
}
