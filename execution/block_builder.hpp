#pragma once
/// Builds one L2 block on a parent: the forced transactions of the payload attributes (the
/// L1-info deposit first, then the epoch's user deposits), then whatever the caller adds (the
/// sequencer's mempool txs, or a batch's txs for a follower), then the sealed block with its state
/// root and the state writes to commit. Sequencer and follower share this one path (DESIGN.md).

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <state/journaled_state.hpp>
#include <state/state_db.hpp>
#include <txtypes/block.hpp>
#include <txtypes/receipt.hpp>

#include "chain_spec.hpp"
#include "executor.hpp"
#include "l1_info.hpp"
#include "l1sload.hpp"

namespace l2::execution {

struct PayloadAttributes
{
    uint64_t timestamp = 0;
    Hash prev_randao;        ///< the L1 origin's mixHash (OP Stack)
    Address fee_recipient;   ///< the sequencer fee vault
    /// Forced transactions: the L1-info deposit, then the epoch's user deposits (0x7E each).
    std::vector<txtypes::Transaction> deposits;
};

/// What a block adds to a receipt beyond its consensus fields (RPC only).
struct ReceiptExtras
{
    U256 l1_fee;
    U256 proof_fee;
    uint64_t l1_gas_used = 0;
    U256 effective_gas_price;
    std::optional<Address> contract_address;
};

struct BuiltBlock
{
    txtypes::Block block;
    Hash hash;
    std::vector<txtypes::Receipt> receipts;
    std::vector<ReceiptExtras> extras;
    std::vector<Address> senders;
    state::PreparedState state;  ///< add the block and heads, then StateDb::commit
};

enum class BlockErrc
{
    kBadDeposit,    ///< a forced transaction is not a deposit or does not fit the block
    kStateWrite,    ///< the state commit could not be prepared (storage error)
    /// A deposit calls L1SLOAD and L1 does not answer: the block cannot be built now; retry.
    kL1Unavailable,
};

struct BlockError
{
    BlockErrc code;
    std::string message;
};

class BlockBuilder
{
public:
    using BlockHashFn = std::function<Hash(uint64_t)>;

    /// `db` must hold the state of `parent` (the current head).
    BlockBuilder(state::StateDb& db, const ChainSpec& spec, const txtypes::BlockHeader& parent,
                 const Hash& parent_hash, PayloadAttributes attrs, BlockHashFn block_hash);
    ~BlockBuilder();

    /// Where L1SLOAD reads (l1sload.hpp); without one, a tx calling L1SLOAD is kL1Unavailable.
    /// Call before apply_deposits.
    void set_l1_storage(L1StorageReader* reader) noexcept { m_ctx.l1_storage = reader; }

    /// Applies the forced deposits. Call once, first.
    Result<void, BlockError> apply_deposits();

    /// Executes one ordinary transaction (`raw` is its canonical encoding, for the data fee).
    /// A rejected transaction leaves the block unchanged.
    Result<const TxOutcome*, TxRejection> add(const txtypes::Transaction& txn,
                                              const Address& sender, ByteView raw);

    uint64_t gas_used() const noexcept { return m_gas_used; }
    uint64_t gas_left() const noexcept { return m_header.gas_limit - m_gas_used; }
    size_t tx_count() const noexcept { return m_txs.size(); }
    const txtypes::BlockHeader& header() const noexcept { return m_header; }
    /// The L1 fee parameters this block charges with (after apply_deposits).
    const L1Info& l1_info() const noexcept { return m_l1_info; }

    /// Computes the roots and the hash. The builder is spent afterwards.
    Result<BuiltBlock, BlockError> seal();

private:
    void record(const txtypes::Transaction& txn, const Address& sender, TxOutcome outcome,
                const U256& effective_price, uint64_t l1_gas);

    state::StateDb& m_db;
    const ChainSpec& m_spec;
    Hash m_parent_state_root;
    PayloadAttributes m_attrs;
    txtypes::BlockHeader m_header;
    evm::BlockContext m_ctx;
    std::unique_ptr<state::JournaledState> m_state;
    L1Info m_l1_info;
    uint64_t m_gas_used = 0;
    std::vector<txtypes::Transaction> m_txs;
    std::vector<txtypes::Receipt> m_receipts;
    std::vector<ReceiptExtras> m_extras;
    std::vector<Address> m_senders;
    TxOutcome m_last;
};

/// The chain's transaction environment at `block_num` (revision, gas schedule).
TxEnv tx_env_for(const ChainSpec& spec, uint64_t block_num);

}  // namespace l2::execution
