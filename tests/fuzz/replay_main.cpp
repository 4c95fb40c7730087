// A libFuzzer target without libFuzzer: runs LLVMFuzzerTestOneInput over the files (and the
// files of the directories) named on the command line, or, with none, over built-in inputs:
// the empty input, every single byte, and deterministic pseudo-random buffers of growing size.
// Ordinary builds (L2_FUZZ off) link every target with it, so CI compiles each target against
// the current interfaces and smoke-runs it (ctest `fuzz_replay.<name>`, label unit; under
// `make sanitize` with ASan and UBSan). `make fuzz` still builds the real libFuzzer binaries.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

void run(const std::vector<uint8_t>& input)
{
    // A heap copy of exactly `size` bytes, so ASan sees any read past the input's end; like
    // libFuzzer, a valid (non-null) pointer even for the empty input.
    const auto exact = std::make_unique<uint8_t[]>(std::max<size_t>(input.size(), 1));
    std::copy(input.begin(), input.end(), exact.get());
    LLVMFuzzerTestOneInput(exact.get(), input.size());
}

size_t run_builtin()
{
    size_t runs = 0;
    run({});
    ++runs;
    for (int b = 0; b < 256; ++b, ++runs)
        run({static_cast<uint8_t>(b)});
    // xorshift64*: the same inputs on every machine.
    uint64_t x = 0x9e3779b97f4a7c15;
    const auto next = [&x] {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        return x * 0x2545f4914f6cdd1d;
    };
    for (size_t size = 2; size <= 4096; size = size * 3 / 2 + 1)
    {
        for (int k = 0; k < 8; ++k, ++runs)
        {
            std::vector<uint8_t> in(size);
            for (auto& byte : in)
                byte = static_cast<uint8_t>(next() >> 56);
            run(in);
        }
    }
    return runs;
}

bool run_file(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    if (!f)
    {
        std::fprintf(stderr, "cannot read %s\n", p.c_str());
        return false;
    }
    run(std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {}));
    return true;
}

}  // namespace

int main(int argc, char** argv)
{
    if (LLVMFuzzerInitialize != nullptr)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2)
    {
        std::printf("%zu built-in inputs ran\n", run_builtin());
        return 0;
    }
    size_t runs = 0;
    for (int i = 1; i < argc; ++i)
    {
        const std::filesystem::path arg{argv[i]};
        if (std::filesystem::is_directory(arg))
        {
            for (const auto& e : std::filesystem::directory_iterator(arg))
                if (e.is_regular_file() && run_file(e.path()))
                    ++runs;
        }
        else if (run_file(arg))
            ++runs;
        else
            return 1;
    }
    std::printf("%zu inputs ran\n", runs);
    return 0;
}
