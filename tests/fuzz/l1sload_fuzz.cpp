// L1SLOAD (docs/spec/l1sload.md): arbitrary calldata to the precompile at 0x10001 through the
// EVM, with an L1 whose answers (values, a wrong count, or a failure) come from the input too.
// Properties: the decoder accepts exactly the inputs the gas function prices; a call succeeds
// only with a well-formed input and an answering L1, returns 32 bytes per key, and charges
// exactly the table's cost; an L1 failure is always kL1Unavailable, never a revert.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <execution/evm/evm.hpp>
#include <execution/gas_schedule.hpp>
#include <execution/l1sload.hpp>
#include <l1client/l1_decode.hpp>
#include <nlohmann/json.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>

using namespace l2;
using namespace l2::execution;

namespace {

struct FuzzL1 final : L1StorageReader
{
    uint8_t mode = 0;  ///< 0: answer, 1: fail, 2: one value too many
    uint8_t fill = 0;
    Result<std::vector<Hash>, std::string> load(const Address&, std::span<const Hash> keys,
                                                uint64_t, const Hash&) override
    {
        if (mode == 1)
            return unexpected(std::string{"down"});
        std::vector<Hash> out(keys.size() + (mode == 2 ? 1 : 0));
        for (Hash& h : out)
            std::memset(h.data(), fill, h.size());
        return out;
    }
};

void check(bool ok)
{
    if (!ok)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    FuzzL1 l1;
    l1.mode = static_cast<uint8_t>(data[0] % 3);
    l1.fill = data[1];
    const ByteView input{data + 2, size - 2};

    static const GasSchedule gas = cancun_schedule();
    const auto decoded = decode_l1sload_input(input);
    const uint64_t cost = l1sload_gas(input, gas);
    check(decoded.has_value() == (cost != UINT64_MAX));

    state::MemoryStore kv;
    state::StateDb db{kv};
    state::JournaledState st{db};
    evm::BlockContext block;
    block.l1_block_number = 7;
    block.l1_storage = &l1;
    evm::TxContext tx;
    evm::Evm vm{st, block, tx, gas, Revision::kCancun, true};
    evm::Message msg;
    msg.gas = 100'000;
    msg.recipient = msg.code_address = kL1SloadAddress;
    msg.input = input;
    const evm::CallResult r = vm.call(msg);
    if (!decoded)
        check(r.status == evm::Status::kOutOfGas && r.gas_left == 0 && !vm.aborted());
    else if (l1.mode != 0)
        check(r.status == evm::Status::kL1Unavailable && vm.aborted());
    else
    {
        check(r.status == evm::Status::kSuccess);
        check(r.output.size() == 32 * decoded->keys.size());
        check(static_cast<uint64_t>(msg.gas - r.gas_left) == cost);
    }

    // The L1 side: a storage word as a JSON-RPC result.
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded())
        (void)l1client::decode_word(j);
    (void)l1client::decode_word(nlohmann::json(std::string{text}));
    return 0;
}
