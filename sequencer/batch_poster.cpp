#include "batch_poster.hpp"

#include <algorithm>

#include <l1client/tx_sender.hpp>

namespace l2::sequencer {

uint64_t batcher_gas_limit(ByteView calldata) noexcept
{
    const auto zeros = static_cast<uint64_t>(std::count(calldata.begin(), calldata.end(), 0));
    const uint64_t nonzeros = calldata.size() - zeros;
    const uint64_t intrinsic = 21'000 + 16 * nonzeros + 4 * zeros;
    const uint64_t floor = 21'000 + 10 * (zeros + 4 * nonzeros);  // EIP-7623: 10 per token
    return std::max(intrinsic, floor) + kBatcherGasMargin;
}

Result<Hash, std::string> TxSenderPoster::post(const Bytes& calldata)
{
    l1client::TxRequest req;
    req.to = m_inbox;
    req.data = calldata;
    req.gas_limit = batcher_gas_limit(calldata);
    auto h = m_sender.send(req);
    if (!h)
        return unexpected("L1 send: " + h.error().to_string());
    return *h;
}

void TxSenderPoster::poll()
{
    m_sender.poll();
}

void TxSenderPoster::reset()
{
    m_sender.reset_nonce();
}

}  // namespace l2::sequencer
