#include "sequencer_node.hpp"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <derivation/rollup_config.hpp>
#include <execution/chain.hpp>
#include <l1client/l1_client.hpp>
#include <l1client/rpc_client.hpp>
#include <sequencer/chain_pool_view.hpp>
#include <sequencer/mempool.hpp>
#include <sequencer/sequencer.hpp>
#include <state/rocksdb_store.hpp>
#include <txtypes/hex.hpp>

#include "eth_api.hpp"
#include "jwt.hpp"
#include "rpc_server.hpp"

namespace l2::node {

// ---- BigStackThread --------------------------------------------------------------------------

struct BigStackThread::State
{
    std::function<void()> fn;
    pthread_t thread{};
    bool joinable = false;
};

BigStackThread::BigStackThread(size_t stack_bytes, std::function<void()> fn)
  : m_state{std::make_unique<State>()}
{
    m_state->fn = std::move(fn);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_bytes);
    const int rc = pthread_create(
        &m_state->thread, &attr,
        [](void* p) -> void* {
            static_cast<State*>(p)->fn();
            return nullptr;
        },
        m_state.get());
    pthread_attr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error("pthread_create failed");  // startup only
    m_state->joinable = true;
}

BigStackThread::~BigStackThread()
{
    join();
}

void BigStackThread::join()
{
    if (m_state && m_state->joinable)
    {
        pthread_join(m_state->thread, nullptr);
        m_state->joinable = false;
    }
}

// ---- SequencerNode ---------------------------------------------------------------------------

namespace {

/// Block-production thread stack: 1024 nested EVM calls need a few MiB natively, more under
/// sanitizers.
constexpr size_t kExecutionStackBytes = 256u << 20;

Result<std::string, std::string> read_file(const std::filesystem::path& p)
{
    std::ifstream in{p, std::ios::binary};
    if (!in)
        return unexpected("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

nlohmann::json block_ref_json(const execution::Chain& chain, std::optional<state::BlockRef> ref)
{
    if (!ref)
        return nullptr;
    nlohmann::json j{{"number", ref->number}, {"hash", to_0x_hex(ref->hash.view())}};
    if (auto h = chain.blocks().header(ref->number, ref->hash); h && *h)
    {
        j["timestamp"] = (*h)->timestamp;
        j["parentHash"] = to_0x_hex((*h)->parent_hash.view());
    }
    return j;
}

}  // namespace

struct SequencerNode::Impl
{
    NodeConfig cfg;
    derivation::RollupConfig rollup;
    std::unique_ptr<state::RocksDbStore> db;
    std::unique_ptr<execution::Chain> chain;
    std::unique_ptr<sequencer::ChainPoolView> view;
    std::unique_ptr<sequencer::Mempool> pool;
    std::unique_ptr<l1client::RpcClient> l1_rpc;
    std::unique_ptr<l1client::L1Client> l1;
    std::unique_ptr<sequencer::Sequencer> seq;
    RpcMethods methods;
    RpcMethods admin_methods;
    std::unique_ptr<EthApiContext> eth_ctx;
    std::unique_ptr<RpcServer> rpc;
    std::unique_ptr<RpcServer> admin;
    std::unique_ptr<BigStackThread> block_thread;
    std::atomic<bool> stopping{false};
    std::mutex wake_mutex;
    std::condition_variable wake;

    void block_loop();
    std::string metrics() const;
    nlohmann::json sync_status() const;
};

SequencerNode::SequencerNode(std::unique_ptr<Impl> impl) : m_impl{std::move(impl)} {}

SequencerNode::~SequencerNode()
{
    stop();
}

Result<std::unique_ptr<SequencerNode>, std::string> SequencerNode::create(const NodeConfig& cfg)
{
    auto impl = std::make_unique<Impl>();
    impl->cfg = cfg;
    auto chain_text = read_file(cfg.chain_file);
    if (!chain_text)
        return unexpected("chain config: " + chain_text.error());
    auto spec = execution::ChainSpec::from_json(*chain_text);
    if (!spec)
        return unexpected(cfg.chain_file.string() + ": " + spec.error());
    auto rollup_text = read_file(cfg.rollup_file);
    if (!rollup_text)
        return unexpected("rollup config: " + rollup_text.error());
    auto rollup = derivation::RollupConfig::from_json(*rollup_text);
    if (!rollup)
        return unexpected(cfg.rollup_file.string() + ": " + rollup.error());
    impl->rollup = *rollup;
    if (rollup->l2_chain_id != spec->chain_id)
        return unexpected(std::string{"rollup.l2_chain_id does not match chain.chainId"});

    std::error_code ec;
    std::filesystem::create_directories(cfg.datadir, ec);
    if (ec)
        return unexpected("datadir " + cfg.datadir.string() + ": " + ec.message());
    auto db = state::RocksDbStore::open((cfg.datadir / "db").string());
    if (!db)
        return unexpected(db.error().message);
    impl->db = std::move(*db);
    auto chain = execution::Chain::open(*impl->db, std::move(*spec));
    if (!chain)
        return unexpected(chain.error());
    impl->chain = std::move(*chain);
    if (impl->chain->genesis().hash != rollup->genesis_l2.hash)
        return unexpected("rollup.genesis.l2.hash " + to_0x_hex(rollup->genesis_l2.hash.view()) +
                          " is not this chain config's genesis " +
                          to_0x_hex(impl->chain->genesis().hash.view()));

    impl->view = std::make_unique<sequencer::ChainPoolView>(*impl->chain);
    impl->pool = std::make_unique<sequencer::Mempool>(sequencer::PoolConfig{}, *impl->view);
    impl->l1_rpc = std::make_unique<l1client::RpcClient>(cfg.l1_rpc);
    impl->l1 = std::make_unique<l1client::L1Client>(*impl->l1_rpc);
    impl->seq = std::make_unique<sequencer::Sequencer>(*impl->chain, impl->rollup, *impl->l1,
                                                       *impl->pool);
    if (!cfg.sequencer_enabled)
        impl->seq->stop();

    const auto head = impl->chain->head();
    spdlog::info("chain {} opened at {}: head {} {}", impl->chain->spec().chain_id,
                 cfg.datadir.string(), head.header.number, to_0x_hex(head.hash.view()));
    return std::unique_ptr<SequencerNode>{new SequencerNode{std::move(impl)}};
}

nlohmann::json SequencerNode::Impl::sync_status() const
{
    const auto st = seq->status();
    const auto head = chain->head();
    return {
        {"unsafe_l2", block_ref_json(*chain, state::BlockRef{head.header.number, head.hash})},
        {"safe_l2", block_ref_json(*chain, chain->head_ref(state::Head::kSafe))},
        {"finalized_l2", block_ref_json(*chain, chain->head_ref(state::Head::kFinalized))},
        {"current_l1", {{"number", st.l1_origin}}},
        {"head_l1", {{"number", st.l1_head}}},
        {"sequencer_active", st.active},
        {"txpool_size", pool->size()},
    };
}

std::string SequencerNode::Impl::metrics() const
{
    const auto st = seq->status();
    std::ostringstream m;
    auto gauge = [&](const char* name, const char* help, auto value) {
        m << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
          << name << ' ' << value << '\n';
    };
    gauge("l2node_head_block", "Number of the unsafe L2 head.", st.head);
    gauge("l2node_l1_origin", "L1 origin of the L2 head.", st.l1_origin);
    gauge("l2node_l1_head", "Newest L1 block seen.", st.l1_head);
    gauge("l2node_txpool_size", "Transactions in the mempool.", pool->size());
    gauge("l2node_txpool_pending", "Executable transactions in the mempool.",
          pool->pending_count());
    gauge("l2node_sequencer_active", "1 when the sequencer produces blocks.", st.active ? 1 : 0);
    m << "# HELP l2node_blocks_built_total Blocks built since start.\n"
         "# TYPE l2node_blocks_built_total counter\nl2node_blocks_built_total "
      << st.blocks_built << '\n';
    m << "# HELP l2node_txs_included_total User transactions included since start.\n"
         "# TYPE l2node_txs_included_total counter\nl2node_txs_included_total "
      << st.txs_included << '\n';
    m << "# HELP l2node_sequencer_error 1 while the last block attempt failed.\n"
         "# TYPE l2node_sequencer_error gauge\nl2node_sequencer_error "
      << (st.last_error.empty() ? 0 : 1) << '\n';
    return m.str();
}

void SequencerNode::Impl::block_loop()
{
    using namespace std::chrono;
    std::string last_error;
    while (!stopping)
    {
        const auto now = static_cast<uint64_t>(
            duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
        auto r = seq->tick(now);
        milliseconds wait{50};
        if (!r)
        {
            if (r.error() != last_error)
                spdlog::warn("sequencer: {}", r.error());
            last_error = r.error();
            wait = milliseconds{500};
        }
        else if (*r)
        {
            last_error.clear();
            continue;  // catch up without sleeping when behind the wall clock
        }
        std::unique_lock lock{wake_mutex};
        wake.wait_for(lock, wait, [&] { return stopping.load(); });
    }
}

Result<void, std::string> SequencerNode::start()
{
    Impl& s = *m_impl;
    s.eth_ctx = std::make_unique<EthApiContext>(EthApiContext{*s.chain});
    s.eth_ctx->l1_chain_id = s.rollup.l1_chain_id;
    s.eth_ctx->submit = [&s](ByteView raw) -> Result<Hash, std::string> {
        auto r = s.pool->add(raw);
        if (!r)
            return unexpected(r.error().message);
        return *r;
    };
    s.eth_ctx->pending_nonce = [&s](const Address& a) { return s.pool->pending_nonce(a); };
    s.eth_ctx->sync_status = [&s] { return s.sync_status(); };
    s.eth_ctx->pending_tx = [&s](const Hash& h) -> std::optional<txtypes::Transaction> {
        if (auto p = s.pool->get(h))
            return p->txn;
        return std::nullopt;
    };
    register_eth_api(s.methods, *s.eth_ctx);

    RpcServerOptions opts;
    opts.host = s.cfg.rpc_host;
    opts.port = s.cfg.rpc_port;
    opts.max_body_bytes = s.cfg.rpc_max_body_bytes;
    opts.max_batch = s.cfg.rpc_max_batch;
    opts.threads = s.cfg.rpc_threads;
    opts.metrics = [&s] { return s.metrics(); };
    opts.name = "rpc";
    s.rpc = std::make_unique<RpcServer>(s.methods, opts);
    auto port = s.rpc->start();
    if (!port)
        return unexpected("L2 RPC: " + port.error());

    // Admin API: stop/start the sequencer, behind a JWT secret (like the Engine API).
    auto secret = read_or_create_jwt_secret(s.cfg.jwt_secret_file.empty()
                                                ? s.cfg.datadir / "jwt.hex"
                                                : s.cfg.jwt_secret_file);
    if (!secret)
        return unexpected("admin JWT secret: " + secret.error());
    s.admin_methods.add("admin_stopSequencer", [&s](const nlohmann::json&) -> RpcResult {
        s.seq->stop();
        spdlog::info("admin: sequencer stopped");
        return nlohmann::json(to_0x_hex(s.chain->head().hash.view()));
    });
    s.admin_methods.add("admin_startSequencer", [&s](const nlohmann::json&) -> RpcResult {
        s.seq->start();
        spdlog::info("admin: sequencer started");
        return nlohmann::json(nullptr);
    });
    s.admin_methods.add("admin_sequencerActive", [&s](const nlohmann::json&) -> RpcResult {
        return nlohmann::json(s.seq->active());
    });
    RpcServerOptions admin_opts;
    admin_opts.host = s.cfg.rpc_host;
    admin_opts.port = s.cfg.admin_port;
    admin_opts.threads = 1;
    admin_opts.jwt_secret = *secret;
    admin_opts.name = "admin";
    s.admin = std::make_unique<RpcServer>(s.admin_methods, admin_opts);
    auto aport = s.admin->start();
    if (!aport)
        return unexpected("admin RPC: " + aport.error());

    s.block_thread =
        std::make_unique<BigStackThread>(kExecutionStackBytes, [&s] { s.block_loop(); });
    spdlog::info("L2 RPC on http://{}:{}, admin on http://{}:{}", s.cfg.rpc_host, *port,
                 s.cfg.rpc_host, *aport);
    return {};
}

void SequencerNode::stop()
{
    if (!m_impl || m_impl->stopping.exchange(true))
        return;
    m_impl->wake.notify_all();
    if (m_impl->block_thread)
        m_impl->block_thread->join();
    if (m_impl->rpc)
        m_impl->rpc->stop();
    if (m_impl->admin)
        m_impl->admin->stop();
}

uint16_t SequencerNode::rpc_port() const
{
    return m_impl->rpc ? m_impl->rpc->port() : 0;
}

uint16_t SequencerNode::admin_port() const
{
    return m_impl->admin ? m_impl->admin->port() : 0;
}

}  // namespace l2::node
