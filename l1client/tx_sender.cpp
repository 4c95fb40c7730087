#include "tx_sender.hpp"

#include <algorithm>
#include <cctype>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>
#include <txtypes/hex.hpp>

namespace l2::l1client {

using Clock = std::chrono::steady_clock;

const char* to_string(SendErrc code) noexcept
{
    switch (code)
    {
    case SendErrc::kRpc:
        return "rpc";
    case SendErrc::kRejected:
        return "rejected";
    case SendErrc::kTimeout:
        return "timeout";
    case SendErrc::kNonceTaken:
        return "nonce taken";
    case SendErrc::kBadKey:
        return "bad key";
    }
    return "unknown";
}

std::string SendError::to_string() const
{
    return std::string{l1client::to_string(code)} + ": " + message;
}

namespace {

/// Wraps an RPC failure.
SendError from_rpc(const RpcError& e, SendErrc code = SendErrc::kRpc)
{
    return SendError{.code = code, .message = e.to_string(), .rpc = e};
}

bool contains_ci(std::string_view hay, std::string_view needle) noexcept
{
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           }) != hay.end();
}

// Error texts of geth, anvil, erigon, Nethermind and Besu for the cases the sender handles.
bool is_nonce_too_low(const RpcError& e) noexcept
{
    return e.code == RpcErrc::kRpc &&
           (contains_ci(e.message, "nonce too low") || contains_ci(e.message, "OldNonce") ||
            contains_ci(e.message, "nonce has already been used"));
}

bool is_already_known(const RpcError& e) noexcept
{
    return e.code == RpcErrc::kRpc &&
           (contains_ci(e.message, "already known") || contains_ci(e.message, "already imported") ||
            contains_ci(e.message, "known transaction") || contains_ci(e.message, "AlreadyKnown"));
}

bool is_replacement_underpriced(const RpcError& e) noexcept
{
    return e.code == RpcErrc::kRpc && (contains_ci(e.message, "underpriced") ||
                                       contains_ci(e.message, "replacement fee too low"));
}

/// ceil(x * (1000 + permille) / 1000), saturating.
U256 bump(const U256& x, uint64_t permille) noexcept
{
    const U256 factor = U256{1000} + U256{permille};
    if (x > kU256Max / factor)
        return kU256Max;
    const auto [q, r] = udivrem(x * factor, U256{1000});
    return r ? q + 1 : q;
}

std::string gwei(const U256& wei)
{
    const auto [q, r] = udivrem(wei, U256{kGwei});
    auto frac = to_string(r + U256{kGwei}).substr(1);  // 9 digits, zero-padded.
    while (!frac.empty() && frac.back() == '0')
        frac.pop_back();
    return to_string(q) + (frac.empty() ? "" : "." + frac) + " gwei";
}

}  // namespace

Fees suggest_fees(const FeeHistory& history, const U256& min_tip) noexcept
{
    std::vector<U256> rewards;
    for (const auto& row : history.reward)
        if (!row.empty())
            rewards.push_back(row.front());
    U256 tip = min_tip;
    if (!rewards.empty())
    {
        std::sort(rewards.begin(), rewards.end());
        tip = std::max(tip, rewards[(rewards.size() - 1) / 2]);
    }
    const U256 base = history.base_fee_per_gas.empty() ? U256{} : history.base_fee_per_gas.back();
    const U256 two_base = base > (kU256Max >> 1) ? kU256Max : base << 1;
    const U256 max_fee = two_base > kU256Max - tip ? kU256Max : two_base + tip;
    return Fees{.max_fee_per_gas = max_fee, .max_priority_fee_per_gas = tip};
}

Fees bump_fees(const Fees& old, const Fees& current, uint64_t bump_permille) noexcept
{
    Fees f{
        .max_fee_per_gas = std::max(bump(old.max_fee_per_gas, bump_permille),
                                    current.max_fee_per_gas),
        .max_priority_fee_per_gas = std::max(bump(old.max_priority_fee_per_gas, bump_permille),
                                             current.max_priority_fee_per_gas),
    };
    f.max_fee_per_gas = std::max(f.max_fee_per_gas, f.max_priority_fee_per_gas);
    return f;
}

Result<std::unique_ptr<TxSender>, SendError> TxSender::create(L1Client& client,
                                                              const Hash& private_key,
                                                              uint64_t chain_id,
                                                              TxSenderOptions options)
{
    const auto address = address_from_private_key(private_key);
    if (!address)
        return unexpected(
            SendError{.code = SendErrc::kBadKey, .message = "invalid secp256k1 private key"});
    return std::unique_ptr<TxSender>{
        new TxSender{client, private_key, *address, chain_id, options}};
}

TxSender::TxSender(L1Client& client, const Hash& key, const Address& address, uint64_t chain_id,
                   const TxSenderOptions& options)
  : m_client{client}, m_key{key}, m_address{address}, m_chain_id{chain_id}, m_options{options}
{
    m_options.bump_permille = std::max<uint64_t>(m_options.bump_permille, 100);
}

Result<Fees, SendError> TxSender::current_fees()
{
    auto h = m_client.fee_history(m_options.fee_history_blocks, BlockTag::latest(),
                                  {m_options.reward_percentile});
    if (!h)
        return unexpected(from_rpc(h.error()));
    auto fees = suggest_fees(*h, m_options.min_priority_fee);
    if (m_options.max_fee_cap && fees.max_fee_per_gas > m_options.max_fee_cap)
    {
        spdlog::warn("L1 sender {}: maxFeePerGas {} capped at {}", to_0x_hex(m_address),
                     gwei(fees.max_fee_per_gas), gwei(m_options.max_fee_cap));
        fees.max_fee_per_gas = m_options.max_fee_cap;
        fees.max_priority_fee_per_gas =
            std::min(fees.max_priority_fee_per_gas, m_options.max_fee_cap);
    }
    return fees;
}

Result<uint64_t, SendError> TxSender::sync_nonce()
{
    const bool latest = std::exchange(m_nonce_from_latest, false);
    auto n = m_client.transaction_count(m_address,
                                        latest ? BlockTag::latest() : BlockTag::pending());
    if (!n)
    {
        m_nonce_from_latest = latest;
        return unexpected(from_rpc(n.error()));
    }
    // Our own txs the node has lost keep their nonces (poll() resubmits them).
    return m_pending.empty() ? *n : std::max(*n, m_pending.rbegin()->first + 1);
}

Result<Hash, SendError> TxSender::send(const TxRequest& request)
{
    std::lock_guard lock{m_mutex};
    if (!m_next_nonce)
    {
        auto n = sync_nonce();
        if (!n)
            return unexpected(n.error());
        m_next_nonce = *n;
    }

    txtypes::Transaction txn;
    txn.type = txtypes::TxType::kDynamicFee;
    txn.chain_id = m_chain_id;
    txn.to = request.to;
    txn.value = request.value;
    txn.data = request.data;
    if (request.gas_limit)
        txn.gas_limit = *request.gas_limit;
    else
    {
        auto g = m_client.estimate_gas(
            {.from = m_address, .to = request.to, .value = request.value, .data = request.data});
        if (!g)
            return unexpected(from_rpc(
                g.error(), g.error().code == RpcErrc::kRpc ? SendErrc::kRejected : SendErrc::kRpc));
        const auto limit = static_cast<unsigned __int128>(*g) * m_options.gas_limit_percent / 100;
        txn.gas_limit = limit > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(limit);
    }
    auto fees = current_fees();
    if (!fees)
        return unexpected(fees.error());
    txn.max_fee_per_gas = fees->max_fee_per_gas;
    txn.max_priority_fee_per_gas = fees->max_priority_fee_per_gas;

    for (unsigned attempt = 0;; ++attempt)
    {
        txn.nonce = *m_next_nonce;
        if (!txtypes::sign_transaction(txn, m_key))
            return unexpected(SendError{.code = SendErrc::kBadKey, .message = "signing failed"});
        const auto raw = txtypes::encode_transaction(txn);
        const auto hash = txtypes::transaction_hash(txn);
        auto r = m_client.send_raw_transaction(raw);
        const bool in_transit = !r && r.error().is_transient();
        if (r || in_transit || is_already_known(r.error()))
        {
            if (in_transit)
                spdlog::warn("L1 sender {}: nonce {} tx {} may not have reached the node ({}); "
                             "it will be rebroadcast",
                             to_0x_hex(m_address), txn.nonce, to_0x_hex(hash),
                             r.error().to_string());
            else
                spdlog::info("L1 sender {}: sent nonce {} tx {} (maxFee {}, tip {}, gas {})",
                             to_0x_hex(m_address), txn.nonce, to_0x_hex(hash),
                             gwei(txn.max_fee_per_gas), gwei(txn.max_priority_fee_per_gas),
                             txn.gas_limit);
            auto& p = m_pending[txn.nonce];
            p = Pending{.txn = txn, .hashes = {hash}, .last_sent = Clock::now()};
            p.rebroadcast = in_transit;
            ++*m_next_nonce;
            return hash;
        }
        const auto& e = r.error();
        if (attempt < 2 && (is_nonce_too_low(e) || is_replacement_underpriced(e)))
        {
            auto n = sync_nonce();
            if (!n)
                return unexpected(n.error());
            if (*n != txn.nonce)
            {
                spdlog::info("L1 sender {}: nonce {} is taken ({}); resynced to {}",
                             to_0x_hex(m_address), txn.nonce, e.message, *n);
                m_next_nonce = *n;
                continue;
            }
        }
        return unexpected(from_rpc(e, SendErrc::kRejected));
    }
}

void TxSender::rebroadcast(Pending& p)
{
    auto r = m_client.send_raw_transaction(txtypes::encode_transaction(p.txn));
    p.last_sent = Clock::now();
    if (r || is_already_known(r.error()) || is_nonce_too_low(r.error()))
        p.rebroadcast = false;
}

void TxSender::resubmit(Pending& p)
{
    const auto fees = current_fees();
    if (!fees)
        return;  // Try again on the next poll.
    const Fees old{p.txn.max_fee_per_gas, p.txn.max_priority_fee_per_gas};
    auto next = bump_fees(old, *fees, m_options.bump_permille);
    if (m_options.max_fee_cap && next.max_fee_per_gas > m_options.max_fee_cap)
    {
        next.max_fee_per_gas = m_options.max_fee_cap;
        next.max_priority_fee_per_gas =
            std::min(next.max_priority_fee_per_gas, next.max_fee_per_gas);
        if (bump(old.max_fee_per_gas, 100) > next.max_fee_per_gas)
        {
            spdlog::warn("L1 sender {}: nonce {} is stuck but its fee is at the cap {}",
                         to_0x_hex(m_address), p.txn.nonce, gwei(m_options.max_fee_cap));
            p.last_sent = Clock::now();
            if (p.rebroadcast)
                rebroadcast(p);
            return;
        }
    }
    auto txn = p.txn;
    txn.max_fee_per_gas = next.max_fee_per_gas;
    txn.max_priority_fee_per_gas = next.max_priority_fee_per_gas;
    if (!txtypes::sign_transaction(txn, m_key))
        return;
    const auto hash = txtypes::transaction_hash(txn);
    auto r = m_client.send_raw_transaction(txtypes::encode_transaction(txn));
    p.last_sent = Clock::now();
    const bool in_transit = !r && r.error().is_transient();
    if (r || in_transit || is_already_known(r.error()))
    {
        spdlog::info("L1 sender {}: nonce {} not mined, resubmitted as {} (maxFee {} -> {}, "
                     "tip {} -> {})",
                     to_0x_hex(m_address), txn.nonce, to_0x_hex(hash), gwei(old.max_fee_per_gas),
                     gwei(txn.max_fee_per_gas), gwei(old.max_priority_fee_per_gas),
                     gwei(txn.max_priority_fee_per_gas));
        p.txn = std::move(txn);
        p.hashes.push_back(hash);
        p.rebroadcast = in_transit;
    }
    else if (is_replacement_underpriced(r.error()))
        p.txn = std::move(txn);  // Not accepted, but bump from here next time.
    // "nonce too low": a version was mined meanwhile; the next poll finds its receipt.
}

bool TxSender::confirmed(const L1Receipt& receipt, std::optional<uint64_t>& head)
{
    if (m_options.confirmations <= 1)
        return true;
    if (!head)
    {
        auto h = m_client.block_number();
        if (!h)
            return false;
        head = *h;
    }
    return *head >= receipt.block_number &&
           *head - receipt.block_number + 1 >= m_options.confirmations;
}

void TxSender::finish(uint64_t nonce, Outcome outcome)
{
    const auto it = m_pending.find(nonce);
    for (const auto& h : it->second.hashes)
        m_outcomes.insert_or_assign(h, outcome);
    m_outcome_order.push_back(std::move(it->second.hashes));
    m_pending.erase(it);
    constexpr size_t kKeep = 1024;  // Finished nonces whose outcome wait() can still see.
    while (m_outcome_order.size() > kKeep)
    {
        for (const auto& h : m_outcome_order.front())
            m_outcomes.erase(h);
        m_outcome_order.pop_front();
    }
}

void TxSender::poll()
{
    std::lock_guard lock{m_mutex};
    if (m_pending.empty())
        return;
    const auto latest = m_client.transaction_count(m_address, BlockTag::latest());
    if (!latest)
        return;  // Logged by the client; try again on the next poll.
    std::optional<uint64_t> head;
    for (auto it = m_pending.begin(); it != m_pending.end();)
    {
        const uint64_t nonce = it->first;
        auto& p = it->second;
        ++it;  // finish() erases the current entry.
        if (nonce >= *latest)
        {
            p.mined.reset();  // Reorged out, if it had been mined.
            if (Clock::now() - p.last_sent >= m_options.resubmit_after)
                resubmit(p);
            else if (p.rebroadcast)
                rebroadcast(p);
            continue;
        }
        // The nonce is used on chain: by which of our versions, if any?
        std::optional<L1Receipt> receipt;
        bool failed = false;
        for (auto h = p.hashes.rbegin(); h != p.hashes.rend() && !receipt && !failed; ++h)
        {
            auto r = m_client.transaction_receipt(*h);
            failed = !r;
            if (r && *r)
                receipt = std::move(**r);
        }
        if (failed)
            continue;
        if (!receipt)
        {
            if (++p.missing_polls >= 3)  // Not a receipt lagging behind the nonce.
            {
                spdlog::error("L1 sender {}: nonce {} was used by a tx this sender did not send",
                              to_0x_hex(m_address), nonce);
                finish(nonce, unexpected(SendError{
                                  .code = SendErrc::kNonceTaken,
                                  .message = "nonce " + std::to_string(nonce) +
                                             " was used by another transaction"}));
            }
            continue;
        }
        p.missing_polls = 0;
        if (!confirmed(*receipt, head))
        {
            p.mined = std::move(receipt);
            continue;
        }
        spdlog::info("L1 sender {}: nonce {} mined as {} in block {} (status {})",
                     to_0x_hex(m_address), nonce, to_0x_hex(receipt->tx_hash),
                     receipt->block_number, receipt->status ? 1 : 0);
        finish(nonce, std::move(*receipt));
    }
}

bool TxSender::is_tracked(const Hash& h) const
{
    for (const auto& [nonce, p] : m_pending)
        if (std::find(p.hashes.begin(), p.hashes.end(), h) != p.hashes.end())
            return true;
    return false;
}

std::optional<TxSender::Outcome> TxSender::find_outcome(const Hash& h) const
{
    const auto it = m_outcomes.find(h);
    if (it == m_outcomes.end())
        return std::nullopt;
    return it->second;
}

Result<L1Receipt, SendError> TxSender::wait(const Hash& tx_hash, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    for (;;)
    {
        bool tracked = false;
        {
            std::lock_guard lock{m_mutex};
            if (auto o = find_outcome(tx_hash))
                return std::move(*o);
            tracked = is_tracked(tx_hash);
        }
        if (tracked)
        {
            poll();
            std::lock_guard lock{m_mutex};
            if (auto o = find_outcome(tx_hash))
                return std::move(*o);
        }
        else
        {
            // Not ours (or long finished): just watch for its receipt.
            auto r = m_client.transaction_receipt(tx_hash);
            std::optional<uint64_t> head;
            if (r && *r && confirmed(**r, head))
                return std::move(**r);
        }
        const auto now = Clock::now();
        if (now >= deadline)
            return unexpected(SendError{
                .code = SendErrc::kTimeout,
                .message = "tx " + to_0x_hex(tx_hash) + " not mined with " +
                           std::to_string(m_options.confirmations) + " confirmation(s) within " +
                           std::to_string(timeout.count()) + " ms"});
        std::this_thread::sleep_for(
            std::min<Clock::duration>(m_options.poll_interval, deadline - now));
    }
}

Result<L1Receipt, SendError> TxSender::send_and_wait(const TxRequest& request,
                                                     std::chrono::milliseconds timeout)
{
    auto h = send(request);
    if (!h)
        return unexpected(h.error());
    return wait(*h, timeout);
}

size_t TxSender::pending_count() const
{
    std::lock_guard lock{m_mutex};
    return m_pending.size();
}

std::optional<uint64_t> TxSender::next_nonce() const
{
    std::lock_guard lock{m_mutex};
    return m_next_nonce;
}

void TxSender::reset_nonce()
{
    std::lock_guard lock{m_mutex};
    if (!m_pending.empty())
        spdlog::warn("L1 sender {}: reset, forgetting {} tracked tx(s) (nonces {}..{})",
                     to_0x_hex(m_address), m_pending.size(), m_pending.begin()->first,
                     m_pending.rbegin()->first);
    m_pending.clear();
    m_next_nonce.reset();
    m_nonce_from_latest = true;
}

}  // namespace l2::l1client
