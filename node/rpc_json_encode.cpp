// JSON-RPC value encoders: blocks, transactions (incl. 0x7D and OP 0x7E), receipts (incl. the
// OP Stack L1 fee fields and l2node's proofFee) and logs, in geth/op-geth's shapes.
#include <algorithm>

#include <txtypes/hex.hpp>

#include "rpc_json.hpp"

namespace l2::node {

std::string quantity(uint64_t v)
{
    return to_hex(U256{v});
}

std::string quantity(const U256& v)
{
    return to_hex(v);
}

std::string data_hex(ByteView b)
{
    return to_0x_hex(b);
}

json transaction_json(const txtypes::Transaction& txn,
                      const Hash& hash,
                      const Address& from,
                      const std::optional<TxPosition>& pos,
                      std::optional<uint64_t> deposit_nonce,
                      std::optional<uint64_t> deposit_receipt_version)
{
    using txtypes::TxType;
    json j = json::object();
    j["type"] = quantity(static_cast<uint64_t>(txn.type));
    j["hash"] = to_0x_hex(hash);
    j["from"] = to_0x_hex(from);
    j["to"] = txn.to ? json(to_0x_hex(*txn.to)) : json(nullptr);
    j["gas"] = quantity(txn.gas_limit);
    j["value"] = quantity(txn.value);
    j["input"] = data_hex(txn.data);
    j["blockHash"] = pos ? json(to_0x_hex(pos->block_hash)) : json(nullptr);
    j["blockNumber"] = pos ? json(quantity(pos->block_number)) : json(nullptr);
    j["transactionIndex"] = pos ? json(quantity(uint64_t{pos->index})) : json(nullptr);

    if (txn.type == TxType::kDeposit)
    {
        // op-geth's shape: no signature (v/r/s zero), the nonce from the receipt.
        j["sourceHash"] = to_0x_hex(txn.source_hash);
        j["mint"] = quantity(txn.mint);
        j["isSystemTx"] = txn.is_system_tx;
        j["nonce"] = quantity(deposit_nonce.value_or(0));
        if (deposit_receipt_version)
            j["depositReceiptVersion"] = quantity(*deposit_receipt_version);
        j["gasPrice"] = "0x0";
        j["v"] = "0x0";
        j["r"] = "0x0";
        j["s"] = "0x0";
        return j;
    }

    j["nonce"] = quantity(txn.nonce);
    if (txn.chain_id)
        j["chainId"] = quantity(*txn.chain_id);
    j["r"] = quantity(txn.signature.r);
    j["s"] = quantity(txn.signature.s);
    if (txn.type == TxType::kLegacy)
    {
        j["gasPrice"] = quantity(txn.max_fee_per_gas);
        j["v"] = quantity(txtypes::legacy_v(txn));
        return j;
    }
    j["v"] = quantity(uint64_t{txn.signature.y_parity});
    j["yParity"] = quantity(uint64_t{txn.signature.y_parity});
    json al = json::array();
    for (const auto& e : txn.access_list)
    {
        json keys = json::array();
        for (const Hash& k : e.storage_keys)
            keys.push_back(to_0x_hex(k));
        al.push_back({{"address", to_0x_hex(e.address)}, {"storageKeys", std::move(keys)}});
    }
    j["accessList"] = std::move(al);
    if (txn.type == TxType::kAccessList)
    {
        j["gasPrice"] = quantity(txn.max_fee_per_gas);
        return j;
    }
    // 0x02 and 0x7D: gasPrice is the effective price once mined, the fee cap while pending.
    j["maxFeePerGas"] = quantity(txn.max_fee_per_gas);
    j["maxPriorityFeePerGas"] = quantity(txn.max_priority_fee_per_gas);
    U256 price = txn.max_fee_per_gas;
    if (pos && pos->base_fee && txn.max_fee_per_gas >= *pos->base_fee)
        price = *pos->base_fee +
                std::min(txn.max_priority_fee_per_gas, txn.max_fee_per_gas - *pos->base_fee);
    j["gasPrice"] = quantity(price);
    if (txn.type == TxType::kFeeSplit)
    {
        j["maxDataFee"] = quantity(txn.max_data_fee);
        j["maxProofFee"] = quantity(txn.max_proof_fee);
        json misc = json::array();
        for (const auto& m : txn.misc)
            misc.push_back(json::array({data_hex(m.key), data_hex(m.value)}));
        j["misc"] = std::move(misc);
    }
    return j;
}

json header_json(const txtypes::BlockHeader& h, const Hash& hash, uint64_t size)
{
    json j = json::object();
    j["hash"] = to_0x_hex(hash);
    j["parentHash"] = to_0x_hex(h.parent_hash);
    j["sha3Uncles"] = to_0x_hex(h.ommers_hash);
    j["miner"] = to_0x_hex(h.beneficiary);
    j["stateRoot"] = to_0x_hex(h.state_root);
    j["transactionsRoot"] = to_0x_hex(h.transactions_root);
    j["receiptsRoot"] = to_0x_hex(h.receipts_root);
    j["logsBloom"] = data_hex(ByteView{h.logs_bloom.data(), h.logs_bloom.size()});
    j["difficulty"] = quantity(h.difficulty);
    j["number"] = quantity(h.number);
    j["gasLimit"] = quantity(h.gas_limit);
    j["gasUsed"] = quantity(h.gas_used);
    j["timestamp"] = quantity(h.timestamp);
    j["extraData"] = data_hex(h.extra_data);
    j["mixHash"] = to_0x_hex(h.mix_hash);
    j["nonce"] = data_hex(ByteView{h.nonce.data(), h.nonce.size()});
    if (h.base_fee_per_gas)
        j["baseFeePerGas"] = quantity(*h.base_fee_per_gas);
    if (h.withdrawals_root)
        j["withdrawalsRoot"] = to_0x_hex(*h.withdrawals_root);
    if (h.blob_gas_used)
        j["blobGasUsed"] = quantity(*h.blob_gas_used);
    if (h.excess_blob_gas)
        j["excessBlobGas"] = quantity(*h.excess_blob_gas);
    if (h.parent_beacon_block_root)
        j["parentBeaconBlockRoot"] = to_0x_hex(*h.parent_beacon_block_root);
    if (h.requests_hash)
        j["requestsHash"] = to_0x_hex(*h.requests_hash);
    j["totalDifficulty"] = "0x0";
    j["size"] = quantity(size);
    j["uncles"] = json::array();
    return j;
}

json log_json(const txtypes::Log& log,
              const Hash& block_hash,
              uint64_t block_number,
              const Hash& tx_hash,
              uint32_t tx_index,
              uint64_t log_index)
{
    json topics = json::array();
    for (const Hash& t : log.topics)
        topics.push_back(to_0x_hex(t));
    return {{"address", to_0x_hex(log.address)},
            {"topics", std::move(topics)},
            {"data", data_hex(log.data)},
            {"blockHash", to_0x_hex(block_hash)},
            {"blockNumber", quantity(block_number)},
            {"transactionHash", to_0x_hex(tx_hash)},
            {"transactionIndex", quantity(uint64_t{tx_index})},
            {"logIndex", quantity(log_index)},
            {"removed", false}};
}

json receipt_json(const txtypes::Receipt& r, const ReceiptContext& c)
{
    json logs = json::array();
    for (size_t i = 0; i < r.logs.size(); ++i)
        logs.push_back(log_json(r.logs[i], c.block_hash, c.block_number, c.tx_hash, c.index,
                                c.first_log_index + i));
    json j = json::object();
    j["type"] = quantity(static_cast<uint64_t>(r.type));
    j["status"] = r.success ? "0x1" : "0x0";
    j["transactionHash"] = to_0x_hex(c.tx_hash);
    j["transactionIndex"] = quantity(uint64_t{c.index});
    j["blockHash"] = to_0x_hex(c.block_hash);
    j["blockNumber"] = quantity(c.block_number);
    j["from"] = to_0x_hex(c.from);
    j["to"] = c.to ? json(to_0x_hex(*c.to)) : json(nullptr);
    j["contractAddress"] =
        c.contract_address ? json(to_0x_hex(*c.contract_address)) : json(nullptr);
    j["cumulativeGasUsed"] = quantity(r.cumulative_gas_used);
    j["gasUsed"] = quantity(c.gas_used);
    j["effectiveGasPrice"] = quantity(c.effective_gas_price);
    j["logs"] = std::move(logs);
    j["logsBloom"] = data_hex(ByteView{r.bloom.data(), r.bloom.size()});
    if (r.deposit_nonce)
        j["depositNonce"] = quantity(*r.deposit_nonce);
    if (r.deposit_receipt_version)
        j["depositReceiptVersion"] = quantity(*r.deposit_receipt_version);
    if (c.l2_fees)
    {
        const auto& f = *c.l2_fees;
        j["l1GasPrice"] = quantity(f.l1.base_fee);
        j["l1GasUsed"] = quantity(f.l1_gas_used);
        j["l1Fee"] = quantity(f.l1_fee);
        j["l1BaseFeeScalar"] = quantity(uint64_t{f.l1.base_fee_scalar});
        j["l1BlobBaseFee"] = quantity(f.l1.blob_base_fee);
        j["l1BlobBaseFeeScalar"] = quantity(uint64_t{f.l1.blob_base_fee_scalar});
        j["proofFee"] = quantity(f.proof_fee);
    }
    return j;
}

}  // namespace l2::node
