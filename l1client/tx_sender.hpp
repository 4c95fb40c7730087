#pragma once
/// TxSender: sends the node's own L1 transactions (batches, outputs) from one key. EIP-1559
/// (type 0x02) txs with locally tracked nonces, fees from eth_feeHistory, confirmation
/// tracking, and resubmission with bumped fees when a tx is stuck (docs/spec/l1client.md).

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <txtypes/transaction.hpp>

#include "l1_client.hpp"

namespace l2::l1client {

/// 1 gwei in wei.
inline constexpr uint64_t kGwei = 1'000'000'000;

/// What to send. `to` empty = contract creation; `gas_limit` empty = eth_estimateGas x 1.2.
struct TxRequest
{
    std::optional<Address> to;
    Bytes data;
    U256 value;
    std::optional<uint64_t> gas_limit;
};

enum class SendErrc
{
    kRpc,         ///< L1 unreachable or erroring while preparing or tracking (see `rpc`)
    kRejected,    ///< the node refused the tx (insufficient funds, gas estimation reverted, ...)
    kTimeout,     ///< wait() gave up; the tx stays tracked and may still be mined
    kNonceTaken,  ///< another tx (not sent by this sender) used the nonce
    kBadKey,      ///< the private key is not a valid secp256k1 key
};

const char* to_string(SendErrc code) noexcept;

struct SendError
{
    SendErrc code = SendErrc::kRpc;
    std::string message;
    std::optional<RpcError> rpc;  ///< the underlying RPC error, if any

    std::string to_string() const;
};

struct TxSenderOptions
{
    /// Gas limit = eth_estimateGas x this / 100 when the request gives none.
    uint64_t gas_limit_percent = 120;
    /// eth_feeHistory window and the reward percentile the tip is taken from.
    uint64_t fee_history_blocks = 10;
    double reward_percentile = 50;
    /// The tip never goes below this.
    U256 min_priority_fee{kGwei};
    /// When nonzero, maxFeePerGas never goes above this (a stuck tx then stays stuck).
    U256 max_fee_cap;
    /// A tx not mined this long after its last (re)submission is resubmitted with bumped fees.
    std::chrono::milliseconds resubmit_after{30'000};
    /// Fee bump per resubmission, in per mille (125 = 12.5%; geth and anvil require >= 10%).
    uint64_t bump_permille = 125;
    /// Blocks on top of the tx's block (inclusive) before wait() returns its receipt.
    uint64_t confirmations = 1;
    /// How often wait() polls.
    std::chrono::milliseconds poll_interval{500};
};

/// EIP-1559 fee parameters.
struct Fees
{
    U256 max_fee_per_gas;
    U256 max_priority_fee_per_gas;
    friend bool operator==(const Fees&, const Fees&) = default;
};

/// Fees from a fee history: tip = the median of the blocks' first reward column, at least
/// `min_tip`; maxFee = 2 x the next block's base fee + tip (survives six full blocks).
Fees suggest_fees(const FeeHistory& history, const U256& min_tip) noexcept;

/// Replacement fees: each of `old`'s raised by at least `bump_permille` / 1000 (rounded up),
/// and to at least `current`'s. maxFee is kept >= tip.
Fees bump_fees(const Fees& old, const Fees& current, uint64_t bump_permille) noexcept;

/// Sends and tracks txs of one key. Thread-safe. Once send() returns a hash the sender owns
/// that nonce: it keeps the tx alive (resubmitting, bumping fees) until a version is mined.
class TxSender
{
public:
    /// A sender for `private_key` on chain `chain_id`; kBadKey for an invalid key. `client`
    /// must outlive the sender.
    static Result<std::unique_ptr<TxSender>, SendError> create(L1Client& client,
                                                               const Hash& private_key,
                                                               uint64_t chain_id,
                                                               TxSenderOptions options = {});

    const Address& address() const noexcept { return m_address; }

    /// Builds, signs and sends an EIP-1559 tx with the next nonce; returns its hash. A
    /// transport failure of eth_sendRawTransaction after the tx was built still returns the
    /// hash (the node may have it; poll() rebroadcasts). "nonce too low" resyncs the nonce from
    /// the node and tries again.
    Result<Hash, SendError> send(const TxRequest& request);

    /// Waits until the tx of `tx_hash` - or any fee-bumped replacement of it - is mined with
    /// `confirmations`, polling (and so resubmitting) meanwhile. Returns the receipt of the
    /// version that was mined (its tx_hash may differ from `tx_hash`); a reverted tx is a
    /// receipt with status false, not an error.
    Result<L1Receipt, SendError> wait(const Hash& tx_hash, std::chrono::milliseconds timeout);

    /// send() then wait().
    Result<L1Receipt, SendError> send_and_wait(const TxRequest& request,
                                               std::chrono::milliseconds timeout);

    /// One tracking step: records mined txs, resubmits stuck ones. Call it periodically when
    /// not waiting (wait() calls it).
    void poll();

    /// Txs sent and not yet mined (with enough confirmations).
    size_t pending_count() const;
    /// The nonce the next send() uses; empty before the first send.
    std::optional<uint64_t> next_nonce() const;

    /// Forgets every tracked tx (no more resubmissions; wait() on them only watches receipts)
    /// and the local nonce: the next send() takes the node's *latest* (mined) tx count, so it
    /// replaces txs an L1 reorg or a dropping mempool left behind (the batcher after lost data).
    void reset_nonce();

private:
    struct Pending
    {
        txtypes::Transaction txn;  ///< the newest version
        std::vector<Hash> hashes;  ///< every version sent, oldest first
        std::chrono::steady_clock::time_point last_sent;
        std::optional<L1Receipt> mined;  ///< mined, waiting for confirmations
        bool rebroadcast = false;  ///< the last send failed in transit: send the same bytes again
        unsigned missing_polls = 0;  ///< polls that saw the nonce used but no receipt of ours
    };
    using Outcome = Result<L1Receipt, SendError>;

    TxSender(L1Client& client, const Hash& key, const Address& address, uint64_t chain_id,
             const TxSenderOptions& options);

    Result<Fees, SendError> current_fees();
    Result<uint64_t, SendError> sync_nonce();
    void resubmit(Pending& p);
    void rebroadcast(Pending& p);
    bool confirmed(const L1Receipt& receipt, std::optional<uint64_t>& head);
    void finish(uint64_t nonce, Outcome outcome);
    bool is_tracked(const Hash& h) const;
    std::optional<Outcome> find_outcome(const Hash& h) const;

    L1Client& m_client;
    Hash m_key;
    Address m_address;
    uint64_t m_chain_id;
    TxSenderOptions m_options;

    mutable std::mutex m_mutex;
    std::optional<uint64_t> m_next_nonce;
    bool m_nonce_from_latest = false;  ///< set by reset_nonce(): the next sync reads `latest`
    std::map<uint64_t, Pending> m_pending;  ///< by nonce
    std::unordered_map<Hash, Outcome, FixedBytesHasher> m_outcomes;  ///< finished, by each hash
    std::deque<std::vector<Hash>> m_outcome_order;  ///< for evicting old outcomes
};

}  // namespace l2::l1client
