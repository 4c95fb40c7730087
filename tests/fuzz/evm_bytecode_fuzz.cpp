// Random bytecode through the interpreter: any input is run as contract code (with the first
// bytes also used as calldata), on a small pre-state, under a bounded gas limit. The interpreter
// must never crash, hang or trip a sanitizer; gas accounting must stay within the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <execution/evm/evm.hpp>
#include <execution/gas_schedule.hpp>
#include <state/journaled_state.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::execution;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const GasSchedule gas = cancun_schedule();
    static state::MemoryStore kv;
    static state::StateDb db{kv};

    const Address contract = address_literal("00000000000000000000000000000000000c0de0");
    const Address caller = address_literal("000000000000000000000000000000000000ca11");
    const ByteView code{data, size};

    state::JournaledState st{db};
    st.set_code(contract, Bytes{code});
    st.add_balance(caller, U256{1'000'000});
    st.add_balance(contract, U256{1'000});

    evm::BlockContext block;
    block.number = 10;
    block.gas_limit = 1'000'000;
    evm::TxContext tx;
    tx.origin = caller;
    evm::Evm vm{st, block, tx, gas, Revision::kCancun, true};
    evm::Message msg;
    msg.gas = 200'000;  // bounds the work per input
    msg.sender = caller;
    msg.recipient = msg.code_address = contract;
    msg.input = code.substr(0, 64);
    const auto r = vm.call(msg);
    if (r.gas_left < 0 || r.gas_left > msg.gas)
        std::abort();
    (void)st.diff();
    return 0;
}
