#pragma once
/// Where the batcher's L1 transactions go: `BatchPoster` is the one interface (STYLE.md rule 6),
/// `TxSenderPoster` the real one over l1client::TxSender; tests post into a fake.

#include <string>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

namespace l2::l1client {
class TxSender;
}

namespace l2::sequencer {

class BatchPoster
{
public:
    virtual ~BatchPoster() = default;
    /// Sends one batcher tx with `calldata` to the batch inbox; returns its L1 tx hash.
    virtual Result<Hash, std::string> post(const Bytes& calldata) = 0;
    /// Tracking step (fee bumps of stuck txs); called every tick.
    virtual void poll() {}
    /// Forget in-flight txs and resync the nonce from L1 (after an L1 reorg dropped txs).
    virtual void reset() {}
};

/// Gas added on top of the calldata's intrinsic gas (the inbox is normally an EOA: no execution).
inline constexpr uint64_t kBatcherGasMargin = 2'000;

/// The gas limit of a batcher tx carrying `calldata` to a code-less inbox, without an
/// eth_estimateGas round trip: the larger of the intrinsic gas (21000 + 16 per non-zero byte +
/// 4 per zero byte) and the EIP-7623 (Prague) calldata floor (21000 + 40 per non-zero byte + 10
/// per zero byte), plus kBatcherGasMargin. Below the floor a Prague L1 refuses the tx.
uint64_t batcher_gas_limit(ByteView calldata) noexcept;

/// Posts through a TxSender (EIP-1559 txs to `inbox`, gas limit from batcher_gas_limit).
class TxSenderPoster final : public BatchPoster
{
public:
    /// `sender` must outlive the poster.
    TxSenderPoster(l1client::TxSender& sender, const Address& inbox) noexcept
      : m_sender{sender}, m_inbox{inbox}
    {}

    Result<Hash, std::string> post(const Bytes& calldata) override;
    void poll() override;
    void reset() override;

private:
    l1client::TxSender& m_sender;
    Address m_inbox;
};

}  // namespace l2::sequencer
