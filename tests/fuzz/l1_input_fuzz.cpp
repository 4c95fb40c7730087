// What the node reads from L1 and from its config files: JSON-RPC replies (blocks, receipts,
// logs, fee history), TransactionDeposited logs, L1-info calldata, chain.json and rollup.json.
// Every decoder must return an error on bad input, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include <derivation/deposits.hpp>
#include <derivation/rollup_config.hpp>
#include <execution/chain_spec.hpp>
#include <execution/l1_info.hpp>
#include <l1client/l1_decode.hpp>

using namespace l2;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ByteView bytes{data, size};
    const std::string_view text{reinterpret_cast<const char*>(data), size};

    // Raw bytes: the L1-info calldata decoder, and a deposit log whose data is the input.
    (void)execution::decode_l1_info_calldata(bytes);
    l1client::L1Log log;
    log.topics = {derivation::transaction_deposited_topic(), Hash{}, Hash{}, Hash{}};
    log.data = Bytes{bytes};
    (void)derivation::decode_deposit_log(log, Address{});

    // JSON: the L1 reply decoders and the two chain config files.
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded())
    {
        (void)l1client::decode_block(j);
        (void)l1client::decode_receipt(j);
        (void)l1client::decode_log(j);
        (void)l1client::decode_fee_history(j);
    }
    if (size < 64 * 1024)
    {
        (void)execution::ChainSpec::from_json(text);
        (void)derivation::RollupConfig::from_json(text);
    }
    return 0;
}
