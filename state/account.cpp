#include "account.hpp"

namespace l2::state {

Bytes encode_account(const Account& a)
{
    // Sized first, so the record is one allocation (a block encodes two per account touched).
    const uint64_t engine = static_cast<uint8_t>(a.engine);
    const size_t payload = rlp::length(a.nonce) + rlp::length(a.balance) +
                           rlp::length(a.storage_root) + rlp::length(a.code_hash) +
                           (a.engine != Engine::kEvm ? rlp::length(engine) : 0);
    Bytes out;
    out.reserve(rlp::length_of_list(payload));
    rlp::encode_header(out, {true, payload});
    rlp::encode(out, a.nonce);
    rlp::encode(out, a.balance);
    rlp::encode(out, a.storage_root);
    rlp::encode(out, a.code_hash);
    if (a.engine != Engine::kEvm)
        rlp::encode(out, engine);
    return out;
}

Result<Account, AccountError> decode_account(ByteView in) noexcept
{
    auto list = rlp::decode_list(in);
    if (!list || !in.empty())
        return unexpected(AccountError::kRlp);
    ByteView f = *list;
    Account a;
    auto nonce = rlp::decode_u64(f);
    auto balance = nonce ? rlp::decode_u256(f) : unexpected(nonce.error());
    auto root = balance ? rlp::decode_hash(f) : unexpected(balance.error());
    auto code = root ? rlp::decode_hash(f) : unexpected(root.error());
    if (!code)
        return unexpected(AccountError::kRlp);
    a.nonce = *nonce;
    a.balance = *balance;
    a.storage_root = *root;
    a.code_hash = *code;
    if (!f.empty())
    {
        auto engine = rlp::decode_u64(f);
        if (!engine)
            return unexpected(AccountError::kRlp);
        // The engine field is present only for non-EVM engines (one encoding per account).
        if (*engine > 0xff || !engine_from_byte(static_cast<uint8_t>(*engine), a.engine) ||
            a.engine == Engine::kEvm)
            return unexpected(AccountError::kUnknownEngine);
    }
    if (!f.empty())
        return unexpected(AccountError::kTrailingFields);
    return a;
}

Bytes encode_storage_value(const U256& v)
{
    return to_be_bytes_trimmed(v);
}

U256 decode_storage_value(ByteView in) noexcept
{
    return in.size() <= 32 ? from_be_bytes(in) : U256{0};
}

}  // namespace l2::state
