/// kill -9 at any moment loses nothing acknowledged (DESIGN.md, "Real components").
///
/// Runs tests/e2e/crash_child against one RocksDB directory again and again, killing it with
/// SIGKILL after a random delay (most runs count it from the child's "ready" line, so the kill
/// lands among blocks; every kStartupKillEvery-th from its start, so it may land in the open and
/// the repairs), and after each kill opens the database in-process and checks:
/// the unsafe head covers every block the child acknowledged (or a rewind target it announced
/// since: the child also rewinds a few blocks now and then and appends different ones); the
/// canonical chain 0..head is complete and linked, with nothing canonical above the head; the
/// head's state root equals a root recomputed FROM SCRATCH over the flat state (every storage
/// trie and the account trie rebuilt from Column::kState alone); the persistent trie holds that
/// root's nodes, once StateDb::repair_head_nodes has run as a node's start does (a kill between
/// a block's write and its trie nodes' leaves them to rebuild: counted and printed), after the
/// StateDb has applied any redo record (a kill between a block's write and its deferred flat
/// write: counted and printed); and there is a well-formed undo record for every block above
/// the finalized head, and for at most kMaxRecordsAtOrBelowFinalized blocks below it (see
/// there). The child also prunes history (issue 9) with a small window: the oldest
/// available block is never above the finalized head, every canonical block from it to the
/// head is complete (body, receipts, each transaction indexed at its place) and every one below
/// it has lost its body and receipts (a pruning batch is all or nothing).

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <state/block_store.hpp>
#include <state/flat_writer.hpp>
#include <state/rocksdb_store.hpp>
#include <state/state_db.hpp>
#include <state/undo.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/mpt.hpp>
#include <txtypes/rlp.hpp>

#include "scratch_state.hpp"

using namespace l2;
using namespace l2::state;
using Clock = std::chrono::steady_clock;
using test::scratch_state_root;
using test::ScratchState;

namespace {

constexpr int kIterations = 30;
constexpr uint64_t kChildSeed = 7;
constexpr uint64_t kDelaySeed = 20240601;
constexpr int kMinDelayMs = 10;
constexpr int kMaxDelayMs = 400;
/// One run in kStartupKillEvery times its kill from the child's start, so it may land while
/// the child opens the database and repairs it (a kill during recovery); the others time it
/// from the child's "ready" line, so it lands among blocks even when a loaded machine makes the
/// start slower than the delay.
constexpr int kStartupKillEvery = 4;
/// A child that has not said "ready" by then is killed anyway (and counted).
constexpr std::chrono::seconds kReadyTimeout{60};
/// The child (as execution::Chain) drops the undo records up to the finalized head but keeps
/// those above the newest durable trie checkpoint: a restart rebuilds those blocks' nodes from
/// them. A checkpoint is written behind the blocks (a synced table file and the checkpoint
/// record), and on a loaded machine it can land several blocks late, so a finalization may
/// leave a few records at or below the finalized head until the next one drops them. Bound:
/// two node buffers (the checkpoint in flight and the one filling, 5 blocks each) plus the
/// blocks between two finalizations (10).
constexpr uint64_t kMaxRecordsAtOrBelowFinalized = 2 * 5 + 10;

struct ChildRun
{
    /// The lowest head the database may hold: the last block acknowledged, or the target of a
    /// rewind announced since (its write may or may not have landed).
    std::optional<uint64_t> last_acked;
    uint64_t acks = 0;
    uint64_t rewinds = 0;
    bool killed = false;  ///< died of our SIGKILL (not of its own accord)
    bool ready = false;   ///< said "ready" (opened and repaired) before the kill
    int status = 0;
};

/// Starts crash_child on `dir`, reads its acks for `delay` (counted from its start, or with
/// `from_ready` from its "ready" line), SIGKILLs it, then drains the pipe: a line in the pipe
/// was printed after its batch was written, so it counts as acknowledged.
ChildRun run_and_kill(const std::string& dir, std::chrono::milliseconds delay, bool from_ready)
{
    ChildRun run;
    int fds[2];
    if (::pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0)
    {
        // A test killed by ctest's timeout takes its child along (the child shares ctest's
        // stderr: left running, it would keep ctest waiting).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);  // the test died before the line above
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        const std::string seed = std::to_string(kChildSeed);
        ::execl(L2_CRASH_CHILD, "crash_child", dir.c_str(), seed.c_str(), nullptr);
        ::_exit(127);
    }
    ::close(fds[1]);

    std::string pending;
    auto consume = [&](const char* data, size_t n) {
        pending.append(data, n);
        size_t eol;
        while ((eol = pending.find('\n')) != std::string::npos)
        {
            const std::string line = pending.substr(0, eol);
            pending.erase(0, eol + 1);
            if (line.rfind("acked ", 0) == 0)
            {
                run.last_acked = std::stoull(line.substr(6));
                ++run.acks;
            }
            else if (line.rfind("rewind ", 0) == 0)
            {
                run.last_acked = std::stoull(line.substr(7));
                ++run.rewinds;
            }
            else if (line == "ready")
            {
                run.ready = true;
            }
        }
    };

    char buf[4096];
    auto deadline = Clock::now() + (from_ready ? kReadyTimeout : delay);
    bool waiting_for_ready = from_ready;
    bool eof = false;
    while (!eof)
    {
        if (waiting_for_ready && run.ready)
        {
            waiting_for_ready = false;
            deadline = Clock::now() + delay;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            break;
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0)
            eof = true;  // the child died early: waitpid tells how
        else
            consume(buf, static_cast<size_t>(n));
    }
    ::kill(pid, SIGKILL);
    for (;;)
    {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;
        consume(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    ::waitpid(pid, &run.status, 0);
    run.killed = WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGKILL;
    return run;
}

struct Checked
{
    uint64_t head = 0;
    uint64_t finalized = 0;
    uint64_t oldest = 0;  ///< oldest available block (history pruning)
    size_t accounts = 0;
    size_t slots = 0;
    uint64_t repairs = 0;       ///< checks that had to rebuild the head's trie nodes
    uint64_t flat_repairs = 0;  ///< checks that found a block's flat writes only in its redo record
    uint64_t most_kept = 0;     ///< most undo records at or below the finalized head in one check
};

/// Opens the database the child left behind and checks it (see the file comment).
void check_database(const std::string& dir, std::optional<uint64_t> must_cover, Checked& out)
{
    auto opened = RocksDbStore::open(dir);
    ASSERT_TRUE(opened) << opened.error().message;
    const KvStore& kv = **opened;
    const BlockStore blocks{**opened};

    const auto schema = blocks.check_schema();
    ASSERT_TRUE(schema) << schema.error().message;
    const auto head = blocks.head(Head::kUnsafe);
    ASSERT_TRUE(head) << head.error().message;
    if (!*head)
    {
        ASSERT_FALSE(must_cover) << "block " << *must_cover << " acked, but no head";
        EXPECT_FALSE(*schema);
        return;
    }
    EXPECT_TRUE(*schema);
    const BlockRef ref = **head;
    if (must_cover)
    {
        ASSERT_GE(ref.number, *must_cover) << "an acknowledged block was lost";
    }

    // The canonical chain 0..head: complete, linked, each header under its own hash.
    Hash prev;
    txtypes::BlockHeader head_header;
    Hash parent_root = txtypes::kEmptyRootHash;
    for (uint64_t n = 0; n <= ref.number; ++n)
    {
        const auto hash = blocks.canonical_hash(n);
        ASSERT_TRUE(hash && *hash) << "no canonical block " << n;
        const auto h = blocks.header(n, **hash);
        ASSERT_TRUE(h && *h) << "no header for canonical block " << n;
        ASSERT_EQ(txtypes::header_hash(**h), **hash) << n;
        ASSERT_EQ((*h)->number, n);
        ASSERT_EQ((*h)->timestamp, n);
        if (n > 0)
        {
            ASSERT_EQ((*h)->parent_hash, prev) << n;
        }
        prev = **hash;
        if (n > 0)
            parent_root = head_header.state_root;
        head_header = **h;
    }
    ASSERT_EQ(prev, ref.hash) << "the head is not the canonical block at its number";
    // The head moves in the same batch as the canonical mark: nothing canonical above it.
    ASSERT_FALSE(*blocks.canonical_hash(ref.number + 1));
    // History pruning: whole heights below the oldest available block, nothing at or above it.
    const auto oldest = blocks.oldest_available();
    ASSERT_TRUE(oldest) << oldest.error().message;
    {
        const auto fin_head = blocks.head(Head::kFinalized);
        ASSERT_TRUE(fin_head);
        const uint64_t fin_number = *fin_head ? (*fin_head)->number : 0;
        ASSERT_LE(*oldest, fin_number) << "history pruned at or above the finalized head";
    }
    for (uint64_t n = 0; n <= ref.number; ++n)
    {
        const Hash hash = **blocks.canonical_hash(n);
        const auto body = blocks.block(n, hash);
        ASSERT_TRUE(body) << body.error().message;
        const auto receipts = blocks.receipts(n, hash);
        ASSERT_TRUE(receipts) << receipts.error().message;
        if (n < *oldest)
        {
            ASSERT_FALSE(*body) << "block " << n << " below the oldest " << *oldest
                                << " has a body";
            ASSERT_FALSE(*receipts) << "block " << n << " below the oldest has receipts";
            continue;
        }
        ASSERT_TRUE(*body) << "block " << n << " in the window lost its body (oldest " << *oldest
                           << ")";
        ASSERT_TRUE(*receipts) << "block " << n << " in the window lost its receipts";
        ASSERT_EQ((*receipts)->size(), (*body)->transactions.size()) << n;
        ASSERT_EQ((*body)->transactions.size(), n == 0 ? 0u : 2u) << n;
        for (uint32_t i = 0; i < (*body)->transactions.size(); ++i)
        {
            const auto loc =
                blocks.tx_location(txtypes::transaction_hash((*body)->transactions[i]));
            ASSERT_TRUE(loc && *loc) << "tx " << i << " of block " << n << " not indexed";
            ASSERT_EQ((*loc)->block_num, n);
            ASSERT_EQ((*loc)->index, i);
            ASSERT_EQ((*loc)->block_hash, hash);
        }
    }
    out.oldest = *oldest;

    // A kill between a block's write and its deferred flat write leaves the block's redo
    // record; opening the state applies it, as a node's start does (counted).
    {
        Bytes redo;
        out.flat_repairs += kv.get(Column::kMeta, as_view(kFlatRedoKey), redo) ? 1u : 0u;
    }
    StateDb state{**opened};
    const auto opened_state = state.wait_for_nodes();
    ASSERT_TRUE(opened_state) << opened_state.error().message;

    // The committed root equals the root of the flat state rebuilt from scratch.
    const ScratchState scratch = scratch_state_root(kv);
    ASSERT_EQ(to_hex(scratch.root), to_hex(head_header.state_root))
        << "flat state and committed state root disagree at block " << ref.number;

    // The persistent trie has that root's nodes (after the repair a restart runs): lookups from
    // it find the flat values.
    if (ref.number > 0)
    {
        const auto repaired =
            state.repair_head_nodes(ref.number, parent_root, head_header.state_root);
        ASSERT_TRUE(repaired) << repaired.error().message;
        out.repairs += *repaired ? 1u : 0u;
    }
    const Trie trie = state.trie();
    for (const auto& [key, leaf] : scratch.account_samples)
    {
        const auto got = trie.get(head_header.state_root, key);
        ASSERT_TRUE(got) << got.error().message;
        ASSERT_TRUE(*got) << "account " << to_hex(key) << " missing from the trie";
        EXPECT_EQ(**got, leaf);
    }
    for (const auto& [root, key, leaf] : scratch.slot_samples)
    {
        const auto got = trie.get(root, key);
        ASSERT_TRUE(got) << got.error().message;
        ASSERT_TRUE(*got) << "slot " << to_hex(key) << " missing from storage trie";
        EXPECT_EQ(**got, leaf);
    }
    // Undo records: one for each block above the finalized head (a rewind can reach them), none
    // above the head (dropped by the rewind), and below it only the few a late checkpoint kept
    // (kMaxRecordsAtOrBelowFinalized): a contiguous run ending at the head.
    const auto finalized = blocks.head(Head::kFinalized);
    ASSERT_TRUE(finalized) << finalized.error().message;
    const uint64_t fin = *finalized ? (*finalized)->number : 0;
    ASSERT_LE(fin, ref.number);
    std::vector<uint64_t> records;
    scan_prefix(kv, Column::kUndo, {}, [&](ByteView k, ByteView record) {
        uint64_t n = 0;
        for (const uint8_t b : k)
            n = (n << 8) | b;
        records.push_back(n);
        WriteBatch scratch_batch;
        const auto ok = add_undo_writes(scratch_batch, record);
        EXPECT_TRUE(ok) << "undo record " << n << ": " << (ok ? "" : ok.error().message);
        return true;
    });
    const uint64_t lowest = records.empty() ? fin + 1 : std::min(records.front(), fin + 1);
    ASSERT_LE(fin + 1 - lowest, kMaxRecordsAtOrBelowFinalized)
        << "finalized " << fin << ", oldest undo record " << lowest
        << ": records below the finalized head were never dropped";
    out.most_kept = std::max(out.most_kept, fin + 1 - lowest);
    std::vector<uint64_t> want;
    for (uint64_t n = std::max<uint64_t>(lowest, 1); n <= ref.number; ++n)
        want.push_back(n);
    ASSERT_EQ(records, want) << "finalized " << fin << ", head " << ref.number;

    out.head = ref.number;
    out.finalized = fin;
    out.accounts = scratch.accounts;
    out.slots = scratch.slots;
}

TEST(Crash, KillNineLosesNothingAcknowledged)
{
    std::string tmpl = (std::filesystem::temp_directory_path() / "l2-crash-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    const std::string dir = tmpl + "/db";

    std::mt19937_64 rng{kDelaySeed};
    std::optional<uint64_t> acked_ever;
    uint64_t acks = 0;
    uint64_t rewinds = 0;
    int empty_runs = 0;
    int startup_kills = 0;  ///< killed before "ready": while opening or repairing
    int iterations = 0;
    Checked checked;
    const auto start = Clock::now();
    for (int i = 0; i < kIterations; ++i)
    {
        SCOPED_TRACE("iteration " + std::to_string(i));
        const auto delay = std::chrono::milliseconds{
            kMinDelayMs + static_cast<int>(rng() % (kMaxDelayMs - kMinDelayMs + 1))};
        const bool from_ready = i % kStartupKillEvery != 0;
        const ChildRun run = run_and_kill(dir, delay, from_ready);
        ++iterations;
        ASSERT_TRUE(run.killed) << "crash_child exited on its own, wait status " << run.status;
        if (run.last_acked)
            acked_ever = run.last_acked;
        acks += run.acks;
        rewinds += run.rewinds;
        if (run.acks == 0)
            ++empty_runs;
        if (!run.ready)
            ++startup_kills;
        check_database(dir, acked_ever, checked);
        if (HasFatalFailure())
            break;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("crash test: %d iterations, %" PRIu64 " blocks acked, %" PRIu64
                " rewinds (%d runs acked none, %d killed before ready), head %" PRIu64
                ", finalized %" PRIu64 ", oldest available %" PRIu64
                ", %zu accounts, %zu slots, %" PRIu64 " head trie repairs, %" PRIu64
                " flat redo repairs, at most %" PRIu64
                " undo records kept at or below the finalized head, %.1f s\n",
                iterations, acks, rewinds, empty_runs, startup_kills, checked.head,
                checked.finalized, checked.oldest, checked.accounts, checked.slots, checked.repairs,
                checked.flat_repairs, checked.most_kept, seconds);
    EXPECT_GT(rewinds, 0u);
    EXPECT_GT(checked.oldest, 0u) << "the child never pruned history";
    if (!HasFailure())
        std::filesystem::remove_all(tmpl);
    else
        std::printf("database kept at %s\n", dir.c_str());
}

}  // namespace
