#include "transaction.hpp"

#include "keccak.hpp"

namespace l2::txtypes {

U256 legacy_v(const Transaction& t) noexcept
{
    if (!t.chain_id)
        return U256{27u + t.signature.y_parity};
    return U256{*t.chain_id} * 2 + 35 + t.signature.y_parity;
}

Hash transaction_hash(const Transaction& txn)
{
    return keccak256(encode_transaction(txn));
}

bool sign_transaction(Transaction& txn, const Hash& private_key)
{
    if (txn.type == TxType::kDeposit)
        return false;
    const auto sig = sign(signing_hash(txn), private_key);
    if (!sig)
        return false;
    txn.signature = *sig;
    return true;
}

Result<Address, SigError> recover_sender(const Transaction& txn) noexcept
{
    if (txn.type == TxType::kDeposit)
        return txn.from;
    return recover_address(signing_hash(txn), txn.signature);
}

}  // namespace l2::txtypes
