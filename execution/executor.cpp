#include "executor.hpp"

#include <txtypes/validation.hpp>

#include "precompiles.hpp"
#include "predeploys.hpp"
#include "wasm/evm_entry.hpp"

namespace l2::execution {

namespace {

/// Gas a finished message used out of `gas_limit`, after the EIP-3529 refund.
uint64_t gas_used_after_refund(uint64_t gas_limit, const evm::CallResult& r, const GasSchedule& g)
{
    const int64_t used = static_cast<int64_t>(gas_limit) - r.gas_left;
    const int64_t refund = std::min<int64_t>(r.gas_refund, used / g.max_refund_quotient);
    return static_cast<uint64_t>(used - refund);
}

/// End of a transaction's EVM part: contracts created and self-destructed in it go (EIP-6780),
/// then touched accounts left empty (EIP-161).
void sweep_accounts(state::JournaledState& st, const evm::Evm& vm)
{
    for (const Address& a : vm.destructed())
        st.destroy(a);
    for (const Address& a : vm.touched())
        if (st.exists(a) && st.is_empty(a))
            st.destroy(a);
}

}  // namespace

const char* to_string(TxRejection r) noexcept
{
    switch (r)
    {
    case TxRejection::kStateless:
        return "invalid transaction";
    case TxRejection::kNonceTooLow:
        return "nonce too low";
    case TxRejection::kNonceTooHigh:
        return "nonce too high";
    case TxRejection::kNonceMax:
        return "sender nonce at 2^64-1";
    case TxRejection::kSenderNotEoa:
        return "sender is a contract (EIP-3607)";
    case TxRejection::kInsufficientFunds:
        return "insufficient funds for gas * price + value";
    case TxRejection::kFeeCapBelowBaseFee:
        return "max fee per gas below the block base fee";
    case TxRejection::kGasLimitAboveBlock:
        return "gas limit above the block's remaining gas";
    case TxRejection::kBlobFeeCapTooLow:
        return "max fee per blob gas below the blob base fee";
    case TxRejection::kInvalidBlob:
        return "invalid blob transaction";
    case TxRejection::kDataFeeAboveCap:
        return "L1 data fee exceeds maxDataFee";
    case TxRejection::kProofFeeAboveCap:
        return "gas limit x proof fee per gas exceeds maxProofFee";
    case TxRejection::kL1Unavailable:
        return "L1SLOAD could not reach L1";
    }
    return "rejected";
}

txtypes::Receipt make_receipt(const TxOutcome& outcome, txtypes::TxType type,
                              uint64_t cumulative_gas_used)
{
    txtypes::Receipt r;
    r.type = type;
    r.success = outcome.success;
    r.cumulative_gas_used = cumulative_gas_used;
    r.logs = outcome.logs;
    r.bloom = txtypes::logs_bloom(r.logs);
    return r;
}

U256 blob_base_fee(uint64_t excess_blob_gas)
{
    // fake_exponential(factor=1, numerator=excess, denominator=3338477), EIP-4844.
    const U256 denominator{3338477};
    const U256 numerator{excess_blob_gas};
    U256 i = 1;
    U256 output = 0;
    U256 acc = denominator;  // factor * denominator
    while (acc)
    {
        output += acc;
        acc = (acc * numerator) / (denominator * i);
        i += 1;
    }
    return output / denominator;
}

void warm_transaction_start(state::JournaledState& st, const evm::BlockContext& block,
                            const Address& sender, const std::optional<Address>& to,
                            const std::vector<txtypes::AccessListEntry>& access_list, Revision rev,
                            bool l2)
{
    st.access_account(sender);
    if (to)
        st.access_account(*to);
    if (rev >= Revision::kShanghai)
        st.access_account(block.coinbase);  // EIP-3651
    for (uint8_t i = 1; i <= 0x0a; ++i)
    {
        Address p;
        p[19] = i;
        if (is_precompile(p, rev, l2))
            st.access_account(p);
    }
    if (l2)
    {
        Address p256;  // RIP-7212 P256VERIFY
        p256[18] = 0x01;
        st.access_account(p256);
        st.access_account(wasm::kDeployerAddress);  // l2node's 0x20001 and 0x20002
        st.access_account(wasm::kReadU64Address);
    }
    for (const auto& e : access_list)
    {
        st.access_account(e.address);
        for (const Hash& k : e.storage_keys)
            st.access_storage(e.address, from_be_bytes(k));
    }
}

Result<TxOutcome, TxRejection> execute_transaction(state::JournaledState& st,
                                                   const evm::BlockContext& block,
                                                   const txtypes::Transaction& txn,
                                                   const Address& sender, const TxEnv& env,
                                                   uint64_t block_gas_left)
{
    const GasSchedule& g = *env.gas;
    const Revision rev = env.revision;

    // ---- validity against the state and the block ----
    if (txn.gas_limit > block_gas_left)
        return unexpected(TxRejection::kGasLimitAboveBlock);
    const uint64_t nonce = st.nonce(sender);
    if (txn.nonce < nonce)
        return unexpected(TxRejection::kNonceTooLow);
    if (txn.nonce > nonce)
        return unexpected(TxRejection::kNonceTooHigh);
    if (nonce == UINT64_MAX)
        return unexpected(TxRejection::kNonceMax);
    if (st.code_hash(sender) != state::kEmptyCodeHash && st.exists(sender))
        return unexpected(TxRejection::kSenderNotEoa);
    const bool london = rev >= Revision::kLondon;
    if (london && txn.max_fee_per_gas < block.base_fee)
        return unexpected(TxRejection::kFeeCapBelowBaseFee);

    U256 blob_fee = 0;
    U256 max_blob_fee = 0;
    if (env.blob)
    {
        const auto& hashes = env.blob->versioned_hashes;
        if (hashes.empty() || hashes.size() > kMaxBlobsPerBlock || txn.is_creation())
            return unexpected(TxRejection::kInvalidBlob);
        for (const Hash& h : hashes)
            if (h[0] != 0x01)
                return unexpected(TxRejection::kInvalidBlob);
        if (env.blob->max_fee_per_blob_gas < block.blob_base_fee)
            return unexpected(TxRejection::kBlobFeeCapTooLow);
        const U256 blob_gas{kBlobGasPerBlob * hashes.size()};
        blob_fee = blob_gas * block.blob_base_fee;
        max_blob_fee = blob_gas * env.blob->max_fee_per_blob_gas;
    }

    // effective gas price: min(maxFee, baseFee + tip) (legacy: gasPrice)
    U256 price = txn.max_fee_per_gas;
    if (london)
    {
        const U256 tip_cap = txn.max_fee_per_gas - block.base_fee;
        price = block.base_fee + std::min(txn.max_priority_fee_per_gas, tip_cap);
    }
    const U256 gas_limit{txn.gas_limit};
    // L2: the data fee is known up front; the proof fee is bought per gas like gas itself.
    U256 data_fee = 0;
    U256 proof_per_gas = 0;
    if (env.l2_fees)
    {
        data_fee = env.l2_fees->data_fee;
        proof_per_gas = env.l2_fees->proof_fee_per_gas;
        if (txn.type == txtypes::TxType::kFeeSplit)
        {
            if (data_fee > txn.max_data_fee)
                return unexpected(TxRejection::kDataFeeAboveCap);
            if (gas_limit * proof_per_gas > txn.max_proof_fee)
                return unexpected(TxRejection::kProofFeeAboveCap);
        }
    }
    const U256 l2_upfront = data_fee + gas_limit * proof_per_gas;
    // Balance must cover the worst case: gasLimit * maxFee + value (+ max blob fee, + L2 fees).
    const U256 max_cost = gas_limit * txn.max_fee_per_gas + txn.value + max_blob_fee + l2_upfront;
    const U256 balance = st.balance(sender);
    if (balance < max_cost || max_cost < txn.value)
        return unexpected(TxRejection::kInsufficientFunds);

    // ---- buy gas, nonce, access list ----
    const size_t tx_start = st.checkpoint();  // an aborted tx (L1 unavailable) leaves nothing
    st.sub_balance(sender, gas_limit * price + blob_fee + l2_upfront);
    if (!txn.is_creation())
        st.set_nonce(sender, nonce + 1);  // creations bump it inside Evm::create

    warm_transaction_start(st, block, sender, txn.to, txn.access_list, rev, env.l2);

    // ---- run ----
    evm::TxContext tx_ctx;
    tx_ctx.origin = sender;
    tx_ctx.gas_price = price;
    if (env.blob)
        tx_ctx.blob_hashes = env.blob->versioned_hashes;
    evm::Evm vm{st, block, tx_ctx, g, rev, env.l2};

    const int64_t intrinsic = static_cast<int64_t>(txtypes::intrinsic_gas(txn, rev));
    evm::Message msg;
    msg.kind = txn.is_creation() ? evm::CallKind::kCreate : evm::CallKind::kCall;
    msg.gas = static_cast<int64_t>(txn.gas_limit) - intrinsic;
    msg.sender = sender;
    msg.recipient = txn.to.value_or(Address{});
    msg.code_address = msg.recipient;
    msg.value = txn.value;
    msg.input = txn.data;
    evm::CallResult r = vm.call(msg);
    if (r.status == evm::Status::kL1Unavailable)
    {
        st.rollback(tx_start);
        st.finish_transaction();
        return unexpected(TxRejection::kL1Unavailable);
    }

    // ---- refund, pay ----
    const uint64_t gas_used = gas_used_after_refund(txn.gas_limit, r, g);
    const uint64_t gas_left = txn.gas_limit - gas_used;
    st.add_balance(sender, U256{gas_left} * (price + proof_per_gas));
    const U256 tip_per_gas = london ? price - block.base_fee : price;
    st.add_balance(block.coinbase, U256{gas_used} * tip_per_gas);
    vm.touch(block.coinbase);
    if (env.l2_fees)
    {
        // OP Stack keeps the base fee in a vault; the data and proof fees have their own.
        st.add_balance(predeploys::kBaseFeeVault, U256{gas_used} * block.base_fee);
        st.add_balance(predeploys::kL1FeeVault, data_fee);
        st.add_balance(predeploys::kProofFeeVault, U256{gas_used} * proof_per_gas);
        vm.touch(predeploys::kBaseFeeVault);
        vm.touch(predeploys::kL1FeeVault);
        vm.touch(predeploys::kProofFeeVault);
    }

    sweep_accounts(st, vm);

    TxOutcome out;
    out.success = r.status == evm::Status::kSuccess;
    out.status = r.status;
    out.gas_used = gas_used;
    out.logs = out.success ? std::move(vm.logs()) : std::vector<txtypes::Log>{};
    if (txn.is_creation() && out.success)
        out.contract_address = r.create_address;
    out.output = std::move(r.output);
    out.data_fee = data_fee;
    out.proof_fee = U256{gas_used} * proof_per_gas;
    st.finish_transaction();
    return out;
}

Result<TxOutcome, TxRejection> execute_deposit(state::JournaledState& st,
                                               const evm::BlockContext& block,
                                               const txtypes::Transaction& txn, const TxEnv& env,
                                               uint64_t block_gas_left)
{
    if (txn.gas_limit > block_gas_left)
        return unexpected(TxRejection::kGasLimitAboveBlock);
    const Revision rev = env.revision;
    const Address& sender = txn.from;

    // The mint and the nonce survive a failed deposit: they happen before the checkpoint.
    const size_t tx_start = st.checkpoint();  // an aborted deposit (L1 unavailable) leaves nothing
    if (txn.mint)
        st.add_balance(sender, txn.mint);
    const uint64_t nonce = st.nonce(sender);
    TxOutcome out;
    out.deposit_nonce = nonce;
    if (!txn.is_creation() && nonce != UINT64_MAX)
        st.set_nonce(sender, nonce + 1);
    const size_t cp = st.checkpoint();

    evm::TxContext tx_ctx;
    tx_ctx.origin = sender;
    tx_ctx.gas_price = 0;
    evm::Evm vm{st, block, tx_ctx, *env.gas, rev, env.l2};

    warm_transaction_start(st, block, sender, txn.to, txn.access_list, rev, env.l2);

    const uint64_t intrinsic = txtypes::intrinsic_gas(txn, rev);
    evm::CallResult r;
    if (intrinsic > txn.gas_limit)
    {
        r.status = evm::Status::kOutOfGas;
        r.gas_left = 0;
    }
    else
    {
        evm::Message msg;
        msg.kind = txn.is_creation() ? evm::CallKind::kCreate : evm::CallKind::kCall;
        msg.gas = static_cast<int64_t>(txn.gas_limit - intrinsic);
        msg.sender = sender;
        msg.recipient = txn.to.value_or(Address{});
        msg.code_address = msg.recipient;
        msg.value = txn.value;
        msg.input = txn.data;
        r = vm.call(msg);
    }
    if (r.status == evm::Status::kL1Unavailable)
    {
        st.rollback(tx_start);
        st.finish_transaction();
        return unexpected(TxRejection::kL1Unavailable);
    }

    out.success = r.status == evm::Status::kSuccess;
    out.status = r.status;
    if (out.success)
    {
        out.gas_used = gas_used_after_refund(txn.gas_limit, r, *env.gas);
        sweep_accounts(st, vm);
        out.logs = std::move(vm.logs());
        if (txn.is_creation())
            out.contract_address = r.create_address;
    }
    else
    {
        // Everything but the mint and the nonce goes; a failed creation still bumps the nonce.
        st.rollback(cp);
        if (txn.is_creation() && nonce != UINT64_MAX)
            st.set_nonce(sender, nonce + 1);
        out.gas_used = txn.gas_limit;
    }
    out.output = std::move(r.output);
    st.finish_transaction();
    return out;
}

}  // namespace l2::execution
