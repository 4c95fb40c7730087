#pragma once
/// User deposits: the deposit portal's `TransactionDeposited(from, to, version, opaqueData)` logs
/// (OP Stack layout, docs/spec/contracts.md) turned into 0x7E transactions with OP source hashes.

#include <string>
#include <vector>

#include <l1client/l1_types.hpp>
#include <txtypes/result.hpp>
#include <txtypes/transaction.hpp>

namespace l2::derivation {

/// keccak256("TransactionDeposited(address,address,uint256,bytes)").
const Hash& transaction_deposited_topic();

enum class DepositErrc
{
    kNotADeposit,      ///< wrong address or topic 0
    kBadTopics,        ///< not 4 topics, or an address topic with nonzero high bytes
    kUnknownVersion,   ///< version != 0
    kBadData,          ///< opaqueData not ABI `bytes`, or shorter than its fixed part
};

struct DepositError
{
    DepositErrc code;
    std::string message;
};

/// OP source hash of a user deposit: keccak256(uint256(0) || keccak256(l1_block_hash ||
/// uint256(log_index))).
Hash user_deposit_source_hash(const Hash& l1_block_hash, uint64_t log_index);

/// Decodes one log of `portal`.
Result<txtypes::Transaction, DepositError> decode_deposit_log(const l1client::L1Log& log,
                                                              const Address& portal) noexcept;

/// The deposits of one L1 block, in log order. Logs that are not deposits are skipped; a
/// malformed deposit log of the portal is an error (the portal never emits one).
Result<std::vector<txtypes::Transaction>, DepositError> deposits_from_logs(
    const std::vector<l1client::L1Log>& logs, const Address& portal);

}  // namespace l2::derivation
