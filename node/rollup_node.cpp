#include "rollup_node.hpp"

#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <derivation/pipeline.hpp>
#include <derivation/rollup_config.hpp>
#include <execution/chain.hpp>
#include <execution/wasm/evm_entry.hpp>
#include <execution/wasm/module_cache.hpp>
#include <l1client/l1_client.hpp>
#include <l1client/rpc_client.hpp>
#include <l1client/tx_sender.hpp>
#include <sequencer/batch_poster.hpp>
#include <sequencer/batcher.hpp>
#include <sequencer/chain_pool_view.hpp>
#include <sequencer/mempool.hpp>
#include <sequencer/sequencer.hpp>
#include <state/rocksdb_store.hpp>
#include <txtypes/hex.hpp>

#include "eth_api.hpp"
#include "history_pruner.hpp"
#include "jwt.hpp"
#include "l1sload_source.hpp"
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

// ---- RollupNode ---------------------------------------------------------------------------

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

struct RollupNode::Impl
{
    NodeConfig cfg;
    derivation::RollupConfig rollup;
    std::unique_ptr<state::RocksDbStore> db;
    std::unique_ptr<execution::Chain> chain;
    std::unique_ptr<L1SloadSource> l1sload;  ///< L1SLOAD's reader (the chain points at it)
    std::unique_ptr<l1client::RpcClient> l1_rpc;
    std::unique_ptr<l1client::L1Client> l1;
    std::unique_ptr<derivation::Pipeline> pipeline;
    // Sequencer role only.
    std::unique_ptr<sequencer::ChainPoolView> view;
    std::unique_ptr<sequencer::Mempool> pool;
    std::unique_ptr<sequencer::Sequencer> seq;
    // The batcher has its own L1 connection and thread.
    std::unique_ptr<l1client::RpcClient> batcher_rpc;
    std::unique_ptr<l1client::L1Client> batcher_l1;
    std::unique_ptr<l1client::TxSender> batcher_sender;
    std::unique_ptr<sequencer::TxSenderPoster> poster;
    std::unique_ptr<sequencer::Batcher> batcher;
    std::thread batcher_thread;
    // Follower role: eth_sendRawTransaction goes to the sequencer.
    std::unique_ptr<l1client::RpcClient> sequencer_rpc;

    RpcMethods methods;
    RpcMethods admin_methods;
    std::unique_ptr<EthApiContext> eth_ctx;
    std::unique_ptr<RpcServer> rpc;
    std::unique_ptr<RpcServer> admin;
    std::unique_ptr<BigStackThread> block_thread;
    std::unique_ptr<HistoryPruner> pruner;  ///< history.blocks (issue 9)
    std::atomic<uint64_t> trie_gc_nodes_deleted{0};
    std::atomic<bool> stopping{false};
    std::atomic<bool> synced{false};  ///< derivation has caught up with L1 once
    std::mutex wake_mutex;
    std::condition_variable wake;

    bool is_sequencer() const noexcept { return seq != nullptr; }
    void block_loop();
    void batcher_loop();
    std::string metrics() const;
    nlohmann::json sync_status() const;
};

RollupNode::RollupNode(std::unique_ptr<Impl> impl) : m_impl{std::move(impl)} {}

RollupNode::~RollupNode()
{
    stop();
}

Result<std::unique_ptr<RollupNode>, std::string> RollupNode::create(const NodeConfig& cfg)
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
    // history.blocks = all: an archive, whose state is never GCed (no reference counting).
    auto chain = execution::Chain::open(*impl->db, std::move(*spec), cfg.history_blocks == 0);
    if (!chain)
        return unexpected(chain.error());
    impl->chain = std::move(*chain);
    impl->chain->state().set_node_buffer(cfg.trie_buffer_blocks, cfg.trie_buffer_mb << 20);
    impl->chain->state().set_trie_cache_bytes(cfg.trie_cache_mb << 20);
    impl->chain->state().set_trie_leaf_cache_bytes(cfg.trie_leaf_cache_mb << 20);
    execution::wasm::set_module_cache_bytes(cfg.wasm_module_cache_mb == 0
                                                ? execution::wasm::ModuleCache::kUnbounded
                                                : cfg.wasm_module_cache_mb << 20);
    if (impl->chain->repaired_head_flat())
        spdlog::warn("state: applied the flat-state redo record of head block {} (the last "
                     "run stopped before writing its flat state)",
                     impl->chain->head().header.number);
    if (impl->chain->repaired_head_nodes())
        spdlog::warn("state: rebuilt the trie nodes of head block {} (the last run stopped "
                     "before writing them)",
                     impl->chain->head().header.number);
    impl->l1sload = std::make_unique<L1SloadSource>(cfg, *impl->db);
    impl->chain->set_l1_storage(impl->l1sload.get());
    if (impl->chain->genesis().hash != rollup->genesis_l2.hash)
        return unexpected("rollup.genesis.l2.hash " + to_0x_hex(rollup->genesis_l2.hash.view()) +
                          " is not this chain config's genesis " +
                          to_0x_hex(impl->chain->genesis().hash.view()));

    impl->l1_rpc = std::make_unique<l1client::RpcClient>(cfg.l1_rpc);
    impl->l1 = std::make_unique<l1client::L1Client>(*impl->l1_rpc);
    impl->pipeline =
        std::make_unique<derivation::Pipeline>(*impl->chain, impl->rollup, *impl->l1);

    if (cfg.role == NodeConfig::Role::kSequencer)
    {
        impl->view = std::make_unique<sequencer::ChainPoolView>(*impl->chain);
        impl->pool = std::make_unique<sequencer::Mempool>(sequencer::PoolConfig{}, *impl->view);
        impl->seq = std::make_unique<sequencer::Sequencer>(*impl->chain, impl->rollup,
                                                           *impl->l1, *impl->pool);
        if (!cfg.sequencer_enabled)
            impl->seq->stop();
        Impl* raw = impl.get();
        impl->pipeline->set_rewind_hook(
            [raw](std::vector<txtypes::Block> removed) { raw->seq->requeue(removed); });

        if (!cfg.batcher_key_file.empty())
        {
            auto text = read_file(cfg.batcher_key_file);
            if (!text)
                return unexpected("batcher key: " + text.error());
            while (!text->empty() && std::isspace(static_cast<unsigned char>(text->back())))
                text->pop_back();
            auto key = hash_from_hex(*text);
            if (!key)
                return unexpected(cfg.batcher_key_file.string() + ": " + key.error());
            impl->batcher_rpc = std::make_unique<l1client::RpcClient>(cfg.l1_rpc);
            impl->batcher_l1 = std::make_unique<l1client::L1Client>(*impl->batcher_rpc);
            auto sender = l1client::TxSender::create(*impl->batcher_l1, *key,
                                                     impl->rollup.l1_chain_id);
            if (!sender)
                return unexpected("batcher key: " + sender.error().to_string());
            if ((*sender)->address() != impl->rollup.batcher)
                return unexpected("batcher key " + cfg.batcher_key_file.string() + " is for " +
                                  to_0x_hex((*sender)->address().view()) +
                                  ", but rollup.json's batcher is " +
                                  to_0x_hex(impl->rollup.batcher.view()));
            impl->batcher_sender = std::move(*sender);
            impl->poster = std::make_unique<sequencer::TxSenderPoster>(*impl->batcher_sender,
                                                                       impl->rollup.batch_inbox);
            sequencer::BatcherConfig bc;
            bc.max_frame_size = cfg.batcher_max_frame_size;
            bc.max_delay = cfg.batcher_max_delay;
            impl->batcher = std::make_unique<sequencer::Batcher>(*impl->chain, impl->rollup,
                                                                 *impl->poster, bc);
        }
        else
            spdlog::warn("no batcher key (batcher.private_key_file): the chain is not posted to "
                         "L1 and followers cannot derive it");
    }
    else if (!cfg.sequencer_rpc.empty())
        impl->sequencer_rpc = std::make_unique<l1client::RpcClient>(cfg.sequencer_rpc);

    {
        HistoryPrunerConfig pc;
        pc.keep_blocks = cfg.history_blocks;
        const execution::Chain* chain_ptr = impl->chain.get();
        impl->pruner = std::make_unique<HistoryPruner>(
            *impl->db, impl->chain->blocks(), pc, [chain_ptr] {
                const auto fin = chain_ptr->head_ref(state::Head::kFinalized);
                return PruneHeads{chain_ptr->head().header.number, fin ? fin->number : 0};
            });
        // Trie GC behind the history window (docs/spec/state.md): old state goes with old
        // history; the pruner never passes the finalized head, so rewinds keep what they need.
        execution::Chain* gc_chain = impl->chain.get();
        std::atomic<uint64_t>* gc_deleted = &impl->trie_gc_nodes_deleted;
        L1SloadSource* l1sload = impl->l1sload.get();
        impl->pruner->state_gc = [gc_chain, gc_deleted, l1sload](uint64_t up_to_block) {
            // L1SLOAD's cached L1 reads go with the blocks that made them (docs/spec/l1sload.md).
            l1sload->prune_for_history(gc_chain->blocks(), up_to_block + 1);
            state::TrieGcStats total;
            for (;;)
            {
                auto r = gc_chain->state().collect_garbage(up_to_block, 16);
                if (!r)
                {
                    spdlog::warn("trie GC: {}", r.error().message);
                    break;
                }
                if (r->anomalies != 0)
                    spdlog::error("trie GC: {} reference count anomalies up to block {}",
                                  r->anomalies, up_to_block);
                total.blocks += r->blocks;
                total.nodes_deleted += r->nodes_deleted;
                if (r->blocks == 0)
                    break;
            }
            if (total.blocks != 0)
                spdlog::debug("trie GC: state up to block {}: {} blocks, {} nodes deleted",
                              up_to_block, total.blocks, total.nodes_deleted);
            *gc_deleted += total.nodes_deleted;
        };
        if (cfg.history_blocks != 0)
            spdlog::info("state: {}", impl->chain->state().trie_gc_status());
        state::RocksDbStore* db_ptr = impl->db.get();
        impl->pruner->compact = [db_ptr] {
            for (auto c : {state::Column::kBodies, state::Column::kReceipts, state::Column::kTxIndex})
                db_ptr->compact(c);
        };
        spdlog::info("history: {}; oldest available block {}",
                     cfg.history_blocks == 0
                         ? std::string{"keeping all blocks"}
                         : "keeping the newest " + std::to_string(cfg.history_blocks) + " blocks",
                     impl->pruner->oldest_block());
    }

    const auto head = impl->chain->head();
    spdlog::info("{} for chain {} opened at {}: head {} {}",
                 impl->is_sequencer() ? "sequencer" : "follower", impl->chain->spec().chain_id,
                 cfg.datadir.string(), head.header.number, to_0x_hex(head.hash.view()));
    return std::unique_ptr<RollupNode>{new RollupNode{std::move(impl)}};
}

nlohmann::json RollupNode::Impl::sync_status() const
{
    const auto d = pipeline->status();
    const auto head = chain->head();
    nlohmann::json j{
        {"unsafe_l2", block_ref_json(*chain, state::BlockRef{head.header.number, head.hash})},
        {"safe_l2", block_ref_json(*chain, chain->head_ref(state::Head::kSafe))},
        {"finalized_l2", block_ref_json(*chain, chain->head_ref(state::Head::kFinalized))},
        {"current_l1", {{"number", d.l1_cursor}}},
        {"head_l1", {{"number", d.l1_head}}},
        {"finalized_l1", {{"number", d.l1_finalized}}},
        {"synced", synced.load()},
        {"role", is_sequencer() ? "sequencer" : "follower"},
    };
    if (is_sequencer())
    {
        const auto st = seq->status();
        j["sequencer_active"] = st.active;
        j["unsafe_l1_origin"] = {{"number", st.l1_origin}};
        j["txpool_size"] = pool->size();
    }
    if (batcher)
        j["batcher"] = {{"posted_up_to", batcher->status().posted_up_to.number}};
    return j;
}

std::string RollupNode::Impl::metrics() const
{
    std::ostringstream m;
    auto metric = [&](const char* type, const char* name, const char* help, auto value) {
        m << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
          << name << ' ' << value << '\n';
    };
    auto gauge = [&](const char* name, const char* help, auto value) {
        metric("gauge", name, help, value);
    };
    auto counter = [&](const char* name, const char* help, auto value) {
        metric("counter", name, help, value);
    };
    const auto d = pipeline->status();
    gauge("l2node_head_block", "Number of the unsafe L2 head.", chain->head().header.number);
    gauge("l2node_safe_block", "Number of the safe L2 head (derived from L1).", d.safe.number);
    gauge("l2node_finalized_block", "Number of the finalized L2 head.", d.finalized.number);
    gauge("l2node_derivation_l1_block", "Newest L1 block derivation has read.", d.l1_cursor);
    gauge("l2node_l1_head", "Newest L1 block seen.", d.l1_head);
    gauge("l2node_synced", "1 once derivation has caught up with L1.", synced ? 1 : 0);
    {
        const auto ls = l1sload->stats();
        counter("l2node_l1sload_memory_hits_total", "L1SLOAD keys answered from memory.",
                ls.memory_hits);
        counter("l2node_l1sload_disk_hits_total", "L1SLOAD keys answered from the database.",
                ls.disk_hits);
        counter("l2node_l1sload_misses_total", "L1SLOAD keys that needed L1.", ls.misses);
        counter("l2node_l1sload_coalesced_total",
                "L1SLOAD keys that needed L1, answered by a request already in flight.",
                ls.coalesced);
        counter("l2node_l1sload_failures_total", "L1SLOAD reads L1 did not answer.", ls.failures);
        gauge("l2node_l1sload_l1_down", "1 while the last L1SLOAD read failed.",
              l1sload->l1_down() ? 1 : 0);
        gauge("l2node_l1sload_cache_pruned_below",
              "Cached L1SLOAD reads of L1 blocks below this one are pruned (history.blocks).",
              l1sload->pruned_below());
    }
    gauge("l2node_derivation_error", "1 while the last derivation step failed.",
          d.last_error.empty() ? 0 : 1);
    counter("l2node_derived_blocks_total", "L2 blocks executed from L1 data.", d.blocks_derived);
    counter("l2node_consolidated_blocks_total", "Unsafe L2 blocks confirmed by L1 data.",
            d.blocks_consolidated);
    counter("l2node_default_blocks_total",
            "L2 blocks derived without a batch (sequencing window expired).", d.default_blocks);
    counter("l2node_batches_dropped_total", "Invalid batch blocks dropped.", d.batches_dropped);
    counter("l2node_inbox_txs_ignored_total",
            "Batch-inbox txs not from the batcher or malformed.", d.txs_ignored);
    counter("l2node_l1_reorgs_total", "L1 reorgs handled by derivation.", d.l1_reorgs);
    counter("l2node_l2_reorgs_total", "Unsafe L2 blocks replaced by derived ones.", d.l2_reorgs);
    counter("l2node_txs_recovery_skipped_total",
            "Batch txs of blocks the node already held: consolidated without sender recovery.",
            d.txs_recovery_skipped);
    counter("l2node_trie_gc_nodes_deleted_total",
            "Trie nodes of old state garbage-collected behind the history window.",
            trie_gc_nodes_deleted.load());
    {
        const auto nw = chain->state().node_write_stats();
        counter("l2node_trie_node_writes_total",
                "Blocks whose trie nodes reached the store in checkpoints (StateDb's node buffer).",
                nw.blocks);
        counter("l2node_trie_nodes_written_total",
                "Trie nodes in those writes (nodes replaced inside the buffer's window are not).",
                nw.nodes);
        counter("l2node_trie_node_write_seconds_total", "Time those writes took.",
                static_cast<double>(nw.micros) / 1e6);
        gauge("l2node_trie_head_repaired",
              "1 when this start rebuilt the head block's trie nodes (an unclean shutdown).",
              chain->repaired_head_nodes() ? 1 : 0);
        gauge("l2node_flat_redo_applied",
              "1 when this start applied the head block's flat-state redo record (an unclean "
              "shutdown between a large block's write and its deferred flat write).",
              chain->repaired_head_flat() ? 1 : 0);
    }
    if (is_sequencer())
    {
        const auto st = seq->status();
        gauge("l2node_l1_origin", "L1 origin of the L2 head.", st.l1_origin);
        gauge("l2node_txpool_size", "Transactions in the mempool.", pool->size());
        gauge("l2node_txpool_pending", "Executable transactions in the mempool.",
              pool->pending_count());
        gauge("l2node_sequencer_active", "1 when the sequencer produces blocks.",
              st.active ? 1 : 0);
        counter("l2node_blocks_built_total", "Blocks built since start.", st.blocks_built);
        counter("l2node_txs_included_total", "User transactions included since start.",
                st.txs_included);
        counter("l2node_txs_deferred_l1sload_total",
                "Transactions left in the pool because their L1SLOAD could not reach L1.",
                st.txs_deferred_l1);
        gauge("l2node_sequencer_error", "1 while the last block attempt failed.",
              st.last_error.empty() ? 0 : 1);
    }
    if (pruner)
    {
        gauge("l2node_history_oldest_block",
              "Oldest block with its body, receipts and tx index (history.blocks).",
              pruner->oldest_block());
        counter("l2node_history_pruned_blocks_total", "Blocks whose history was pruned.",
                pruner->pruned_blocks());
        m << "# HELP l2node_history_bytes Approximate bytes of the pruned columns (SST files + "
             "memtables).\n# TYPE l2node_history_bytes gauge\n";
        for (auto c : {state::Column::kBodies, state::Column::kReceipts, state::Column::kTxIndex})
            m << "l2node_history_bytes{column=\"" << state::column_name(c) << "\"} "
              << db->approximate_size(c) << '\n';
    }
    if (batcher)
    {
        const auto b = batcher->status();
        gauge("l2node_batcher_posted_block", "Newest L2 block handed to L1.", b.posted_up_to.number);
        counter("l2node_batcher_txs_total", "Batcher transactions (frames) sent to L1.", b.frames_posted);
        counter("l2node_batcher_resubmits_total", "Times posted data was lost and posted again.", b.resubmits);
        counter("l2node_batcher_bytes_total", "Calldata bytes posted.", b.bytes_posted);
        gauge("l2node_batcher_error", "1 while the last batcher step failed.",
              b.last_error.empty() ? 0 : 1);
    }
    return m.str();
}

void RollupNode::Impl::block_loop()
{
    using namespace std::chrono;
    std::string last_seq_error, last_derive_error;
    auto next_derive = steady_clock::now();
    milliseconds derive_backoff{500};
    // Sync progress: rate and ETA every 5 s until caught up.
    auto progress_at = steady_clock::now() + seconds{5};
    uint64_t progress_from = pipeline->status().l1_cursor;
    auto progress_since = steady_clock::now();
    while (!stopping)
    {
        if (steady_clock::now() >= next_derive)
        {
            auto r = pipeline->step(64);
            next_derive = steady_clock::now() + milliseconds{250};
            if (!r)
            {
                if (r.error() != last_derive_error)
                    spdlog::warn("derivation: {} (retrying)", r.error());
                last_derive_error = r.error();
                // Backoff while the error lasts (L1 down): 1 s, doubling to 8 s.
                derive_backoff = std::min(derive_backoff * 2, milliseconds{8000});
                next_derive = steady_clock::now() + derive_backoff;
            }
            else
            {
                last_derive_error.clear();
                derive_backoff = milliseconds{500};
                if (r->l2_blocks > 0 && pool)
                    pool->on_new_head();
                if (r->caught_up && !synced.exchange(true))
                    spdlog::info("sync: caught up with L1 at block {}; safe L2 block {}",
                                 pipeline->status().l1_cursor, pipeline->status().safe.number);
                if (!r->caught_up)
                    next_derive = steady_clock::now();  // more L1 to read: no pause
                if (!r->caught_up && steady_clock::now() >= progress_at)
                {
                    const auto st = pipeline->status();
                    // Display only (never consensus): blocks read since the last line, per
                    // second actually elapsed; the ETA assumes that rate holds.
                    const double secs =
                        duration<double>(steady_clock::now() - progress_since).count();
                    const uint64_t read =
                        st.l1_cursor > progress_from ? st.l1_cursor - progress_from : 0;
                    const double rate = static_cast<double>(read) / secs;
                    const uint64_t left = st.l1_head > st.l1_cursor ? st.l1_head - st.l1_cursor : 0;
                    spdlog::info("sync: L1 block {}/{} ({:.0f} blocks/s, ETA {}s), safe L2 block {}",
                                 st.l1_cursor, st.l1_head, rate,
                                 rate > 0 ? static_cast<uint64_t>(static_cast<double>(left) / rate)
                                          : 0,
                                 st.safe.number);
                    progress_from = st.l1_cursor;
                    progress_since = steady_clock::now();
                    progress_at = steady_clock::now() + seconds{5};
                }
            }
        }
        // The sequencer starts once derivation has caught up (it builds on the derived chain).
        if (seq && synced)
        {
            const auto now = static_cast<uint64_t>(
                duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
            auto r = seq->tick(now);
            if (!r)
            {
                if (r.error() != last_seq_error)
                    spdlog::warn("sequencer: {}", r.error());
                last_seq_error = r.error();
            }
            else if (*r)
            {
                last_seq_error.clear();
                continue;  // catch up without sleeping when behind the clock
            }
        }
        std::unique_lock lock{wake_mutex};
        wake.wait_for(lock, milliseconds{50}, [&] { return stopping.load(); });
    }
}

void RollupNode::Impl::batcher_loop()
{
    using namespace std::chrono;
    std::string last_error;
    while (!stopping)
    {
        auto head = batcher_l1->block_by_number(l1client::BlockTag::latest(), false);
        if (head && *head)
        {
            // The same clock as the sequencer's: L1 time when it runs ahead of the wall clock.
            const auto now = std::max(
                static_cast<uint64_t>(
                    duration_cast<seconds>(system_clock::now().time_since_epoch()).count()),
                (*head)->timestamp);
            auto r = batcher->tick((*head)->number, now);
            if (!r && r.error() != last_error)
                spdlog::warn("batcher: {} (retrying)", r.error());
            last_error = r ? std::string{} : r.error();
        }
        else
        {
            const std::string e = head ? "no latest L1 block" : head.error().to_string();
            if (e != last_error)
                spdlog::warn("batcher: L1: {} (retrying)", e);
            last_error = e;
        }
        std::unique_lock lock{wake_mutex};
        wake.wait_for(lock, milliseconds{500}, [&] { return stopping.load(); });
    }
}

Result<void, std::string> RollupNode::start()
{
    Impl& s = *m_impl;
    s.eth_ctx = std::make_unique<EthApiContext>(EthApiContext{*s.chain});
    s.eth_ctx->l1_chain_id = s.rollup.l1_chain_id;
    if (s.is_sequencer())
    {
        s.eth_ctx->submit = [&s](ByteView raw) -> Result<Hash, std::string> {
            auto r = s.pool->add(raw);
            if (!r)
                return unexpected(r.error().message);
            return *r;
        };
        s.eth_ctx->pending_nonce = [&s](const Address& a) { return s.pool->pending_nonce(a); };
        s.eth_ctx->pending_tx = [&s](const Hash& h) -> std::optional<txtypes::Transaction> {
            if (auto p = s.pool->get(h))
                return p->txn;
            return std::nullopt;
        };
    }
    else
    {
        s.eth_ctx->submit = [&s](ByteView raw) -> Result<Hash, std::string> {
            if (!s.sequencer_rpc)
                return unexpected(std::string{
                    "this node is a follower: send transactions to the sequencer (or set "
                    "follower.sequencer_rpc to forward them)"});
            auto r = s.sequencer_rpc->call("eth_sendRawTransaction",
                                           nlohmann::json::array({to_0x_hex(raw)}));
            if (!r)
                return unexpected("sequencer: " + r.error().to_string());
            if (!r->is_string())
                return unexpected(std::string{"sequencer: unexpected reply"});
            auto h = hash_from_hex(r->get<std::string>());
            if (!h)
                return unexpected("sequencer: " + h.error());
            return *h;
        };
    }
    s.eth_ctx->sync_status = [&s] { return s.sync_status(); };
    register_eth_api(s.methods, *s.eth_ctx);

    RpcServerOptions opts;
    opts.host = s.cfg.rpc_host;
    opts.port = s.cfg.rpc_port;
    opts.max_body_bytes = s.cfg.rpc_max_body_bytes;
    opts.max_batch = s.cfg.rpc_max_batch;
    opts.max_request_gas = s.cfg.rpc_max_request_gas;
    opts.threads = s.cfg.rpc_threads;
    opts.metrics = [&s] { return s.metrics(); };
    opts.name = "rpc";
    s.rpc = std::make_unique<RpcServer>(s.methods, opts);
    auto port = s.rpc->start();
    if (!port)
        return unexpected("L2 RPC: " + port.error());

    if (s.is_sequencer())
    {
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
        spdlog::info("admin RPC on http://{}:{}", s.cfg.rpc_host, *aport);
    }

    s.block_thread =
        std::make_unique<BigStackThread>(kExecutionStackBytes, [&s] { s.block_loop(); });
    if (s.batcher)
        s.batcher_thread = std::thread{[&s] { s.batcher_loop(); }};
    s.pruner->start();
    spdlog::info("L2 RPC on http://{}:{}", s.cfg.rpc_host, *port);
    return {};
}

void RollupNode::stop()
{
    if (!m_impl || m_impl->stopping.exchange(true))
        return;
    m_impl->wake.notify_all();
    if (m_impl->block_thread)
        m_impl->block_thread->join();
    if (m_impl->batcher_thread.joinable())
        m_impl->batcher_thread.join();
    if (m_impl->pruner)
        m_impl->pruner->stop();
    if (m_impl->rpc)
        m_impl->rpc->stop();
    if (m_impl->admin)
        m_impl->admin->stop();
}

uint16_t RollupNode::rpc_port() const
{
    return m_impl->rpc ? m_impl->rpc->port() : 0;
}

uint16_t RollupNode::admin_port() const
{
    return m_impl->admin ? m_impl->admin->port() : 0;
}

}  // namespace l2::node
