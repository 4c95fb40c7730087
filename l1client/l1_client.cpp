#include "l1_client.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <txtypes/hex.hpp>

#include "l1_decode.hpp"

namespace l2::l1client {

using json = nlohmann::json;

namespace {

json block_id_json(const BlockId& id)
{
    if (const auto* tag = std::get_if<BlockTag>(&id.value))
        return tag->to_rpc();
    return json{{"blockHash", to_0x_hex(std::get<Hash>(id.value))}};
}

json call_json(const CallRequest& c)
{
    json j = json::object();
    if (c.from)
        j["from"] = to_0x_hex(*c.from);
    if (c.to)
        j["to"] = to_0x_hex(*c.to);
    j["value"] = to_hex(c.value);
    j["data"] = to_0x_hex(ByteView{c.data});
    return j;
}

/// A decoding error of `method`'s result, as an RpcError.
RpcError decode_error(const RpcClient& rpc, const char* method, const DecodeError& what)
{
    RpcError e{.code = RpcErrc::kDecode,
               .message = "bad result: " + what,
               .method = method,
               .url = rpc.redacted_url()};
    spdlog::warn("L1 RPC failed: {}", e.to_string());
    return e;
}

/// Calls `method` and decodes its result with `decode`; `nullable` results may be null.
template <typename T, typename Decode>
Result<T, RpcError> typed_call(RpcClient& rpc, const char* method, json params, Decode decode)
{
    auto r = rpc.call(method, std::move(params));
    if (!r)
        return unexpected(r.error());
    auto v = decode(*r);
    if (!v)
        return unexpected(decode_error(rpc, method, v.error()));
    return std::move(*v);
}

/// `decode` for results that may be null (not found): null -> empty.
template <typename T, typename Decode>
auto nullable(Decode decode)
{
    return [decode](const json& j) -> Result<std::optional<T>, DecodeError> {
        if (j.is_null())
            return std::optional<T>{};
        auto v = decode(j);
        if (!v)
            return unexpected(v.error());
        return std::optional<T>{std::move(*v)};
    };
}

}  // namespace

Result<uint64_t, RpcError> L1Client::chain_id()
{
    return typed_call<uint64_t>(m_rpc, "eth_chainId", json::array(), decode_u64);
}

Result<uint64_t, RpcError> L1Client::block_number()
{
    return typed_call<uint64_t>(m_rpc, "eth_blockNumber", json::array(), decode_u64);
}

Result<std::optional<L1Block>, RpcError> L1Client::block_by_number(BlockTag tag, bool full_txs)
{
    return typed_call<std::optional<L1Block>>(m_rpc, "eth_getBlockByNumber",
                                              json::array({tag.to_rpc(), full_txs}),
                                              nullable<L1Block>(decode_block));
}

Result<std::optional<L1Block>, RpcError> L1Client::block_by_hash(const Hash& hash, bool full_txs)
{
    return typed_call<std::optional<L1Block>>(m_rpc, "eth_getBlockByHash",
                                              json::array({to_0x_hex(hash), full_txs}),
                                              nullable<L1Block>(decode_block));
}

Result<std::vector<L1Log>, RpcError> L1Client::logs(const LogFilter& filter)
{
    return typed_call<std::vector<L1Log>>(
        m_rpc, "eth_getLogs", json::array({encode_log_filter(filter)}),
        [](const json& j) -> Result<std::vector<L1Log>, DecodeError> {
            if (!j.is_array())
                return unexpected(std::string{"expected an array of logs"});
            std::vector<L1Log> out;
            out.reserve(j.size());
            for (size_t i = 0; i < j.size(); ++i)
            {
                auto log = decode_log(j[i]);
                if (!log)
                    return unexpected("[" + std::to_string(i) + "]: " + log.error());
                out.push_back(std::move(*log));
            }
            return out;
        });
}

Result<Hash, RpcError> L1Client::storage_at(const Address& address, const U256& slot,
                                            const BlockId& block)
{
    return typed_call<Hash>(m_rpc, "eth_getStorageAt",
                            json::array({to_0x_hex(address), to_hex(slot), block_id_json(block)}),
                            decode_word);
}

Result<std::optional<L1Receipt>, RpcError> L1Client::transaction_receipt(const Hash& tx_hash)
{
    return typed_call<std::optional<L1Receipt>>(m_rpc, "eth_getTransactionReceipt",
                                                json::array({to_0x_hex(tx_hash)}),
                                                nullable<L1Receipt>(decode_receipt));
}

Result<uint64_t, RpcError> L1Client::transaction_count(const Address& address, BlockTag block)
{
    return typed_call<uint64_t>(m_rpc, "eth_getTransactionCount",
                                json::array({to_0x_hex(address), block.to_rpc()}), decode_u64);
}

Result<U256, RpcError> L1Client::balance(const Address& address, BlockTag block)
{
    return typed_call<U256>(m_rpc, "eth_getBalance",
                            json::array({to_0x_hex(address), block.to_rpc()}), decode_u256);
}

Result<Hash, RpcError> L1Client::send_raw_transaction(ByteView raw_tx)
{
    return typed_call<Hash>(m_rpc, "eth_sendRawTransaction", json::array({to_0x_hex(raw_tx)}),
                            decode_hash);
}

Result<FeeHistory, RpcError> L1Client::fee_history(uint64_t block_count, BlockTag newest,
                                                   const std::vector<double>& reward_percentiles)
{
    return typed_call<FeeHistory>(
        m_rpc, "eth_feeHistory",
        json::array({to_hex(U256{block_count}), newest.to_rpc(), reward_percentiles}),
        decode_fee_history);
}

Result<uint64_t, RpcError> L1Client::estimate_gas(const CallRequest& call)
{
    return typed_call<uint64_t>(m_rpc, "eth_estimateGas", json::array({call_json(call)}),
                                decode_u64);
}

Result<Bytes, RpcError> L1Client::call(const CallRequest& call, const BlockId& block)
{
    return typed_call<Bytes>(m_rpc, "eth_call",
                             json::array({call_json(call), block_id_json(block)}),
                             [](const json& j) -> Result<Bytes, DecodeError> {
                                 if (!j.is_string())
                                     return unexpected(std::string{"expected a hex string"});
                                 return parse_data(j.get_ref<const std::string&>());
                             });
}

Result<std::optional<U256>, RpcError> L1Client::blob_base_fee()
{
    auto r = typed_call<U256>(m_rpc, "eth_blobBaseFee", json::array(), decode_u256);
    if (r)
        return std::optional<U256>{*r};
    if (r.error().code == RpcErrc::kRpc && r.error().rpc_code == -32601)  // Method not found.
        return std::optional<U256>{};
    return unexpected(r.error());
}

Result<U256, RpcError> L1Client::max_priority_fee()
{
    return typed_call<U256>(m_rpc, "eth_maxPriorityFeePerGas", json::array(), decode_u256);
}

}  // namespace l2::l1client
