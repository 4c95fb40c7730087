// End to end (issue 9): history pruning on a rolling window. One `l2node devnet --history.blocks
// 64` (real anvil, real sequencer and follower processes, both pruning), a few hundred blocks of
// ETH transfers, then: blocks below the oldest available one answer 4444 "pruned history
// unavailable" (blocks by number and hash, txs by block and index, block receipts, eth_getLogs;
// txs by hash are unknown: null), blocks inside the window are complete, the follower derived the
// same chain, rollup_syncStatus / `l2node status` / /metrics name the oldest available block.
//
// Usage: node pruning_e2e.mjs <l2node>
//
// Exits nonzero on the first failed check (printing the tails of the node logs); the devnet is
// always stopped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ethers } from 'ethers';

import { Devnet, failed, metrics, rpc, rpcBatchRaw as rpcBatch, rpcRaw, waitFor } from './harness.mjs';

const [l2node] = process.argv.slice(2);
if (!l2node) {
    console.error('usage: node pruning_e2e.mjs <l2node>');
    process.exit(2);
}

const kWindow = 64;
const kTargetBlocks = Number(process.env.L2_PRUNING_E2E_BLOCKS ?? 300);
// L1 blocks mined per traffic round: the sequencer then builds as many L2 blocks at once (its
// clock is max(wall clock, L1 time)). Well below the sequencing window (200).
const kBurst = 30;
const kPrunedCode = 4444;
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2node-pruning-'));
const devnet = new Devnet(l2node, dir, ['--history.blocks', `${kWindow}`]);
let info = null;

const l2nodeRun = (...args) => execFileSync(l2node, args, { encoding: 'utf8', timeout: 60_000 }).trim();

// Batches here keep whole replies (rpcBatchRaw): okAll names the call that failed.
const okAll = (replies, what) => replies.map((r, i) => {
    if (!r || r.error) throw new Error(`${what} #${i}: ${r ? r.error.message : 'no reply'}`);
    return r.result;
});

const hex = (n) => ethers.toQuantity(n);
const syncStatus = (url) => rpc(url, 'rollup_syncStatus');
const headNumber = async (url) => Number(await rpc(url, 'eth_blockNumber'));


/// `method(params)` answers error 4444 "pruned history unavailable".
async function expectPruned(url, method, params, what) {
    const j = await rpcRaw(url, method, params);
    assert.ok(j.error, `${what}: ${method} answered ${JSON.stringify(j.result)?.slice(0, 120)} instead of 4444`);
    assert.equal(j.error.code, kPrunedCode, `${what}: ${method}: ${j.error.message}`);
    assert.match(j.error.message, /pruned history unavailable/);
}

// ---------------------------------------------------------------------------------------------
// traffic: ETH transfers signed locally, one batch per round, then an L1 jump

class Sender {
    constructor(key, nonce) {
        this.wallet = new ethers.Wallet(key);
        this.nonce = nonce;
    }
    static async create(key) {
        const w = new ethers.Wallet(key);
        return new Sender(key, Number(await rpc(info.l2_rpc, 'eth_getTransactionCount', [w.address, 'pending'])));
    }
    sign(to, value) {
        return this.wallet.signTransaction({
            type: 2, chainId: info.chain_id, nonce: this.nonce++, maxPriorityFeePerGas: 1_000_000n,
            maxFeePerGas: 50_000_000_000n, gasLimit: 21_000n, value, to, data: '0x',
        });
    }
}

/// Sends rounds of transfers (at least `minRounds`) until the head passes `target`; returns
/// every tx with its block.
async function traffic(senders, target, minRounds = 0, burst = true) {
    const sent = [];
    const to = ethers.Wallet.createRandom().address;
    for (let round = 0; ; ++round) {
        const head = await headNumber(info.l2_rpc);
        if (head >= target && round >= minRounds) break;
        assert.ok(round < 40, `only ${head} L2 blocks after ${round} rounds`);
        const raws = await Promise.all(senders.map((s, i) => s.sign(to, BigInt(round * 10 + i + 1))));
        const hashes = okAll(await rpcBatch(info.l2_rpc, raws.map((r) => ['eth_sendRawTransaction', [r]])), 'send');
        const receipts = await waitFor('receipts', async () => {
            const rs = okAll(await rpcBatch(info.l2_rpc, hashes.map((h) => ['eth_getTransactionReceipt', [h]])), 'receipt');
            return rs.every((r) => r) ? rs : null;
        }, 20_000, 100);
        receipts.forEach((r, i) => {
            assert.equal(r.status, '0x1');
            sent.push({ hash: hashes[i], block: Number(r.blockNumber), blockHash: r.blockHash, index: Number(r.transactionIndex) });
        });
        if (!burst) continue;
        l2nodeRun('l1-advance', `${kBurst}`, '--devnet', dir);
        const l1 = await rpc(info.l1_rpc, 'eth_getBlockByNumber', ['latest', false]);
        const caught = await waitFor('the sequencer to catch up with L1\'s clock', async () => {
            const b = await rpc(info.l2_rpc, 'eth_getBlockByNumber', ['latest', false]);
            return Number(b.timestamp) >= Number(l1.timestamp) ? Number(b.number) : null;
        }, 15_000, 100);
        // the batcher hands the burst to L1 before the next jump
        await waitFor('the batcher', async () => {
            const s = await syncStatus(info.l2_rpc);
            return s.batcher && s.batcher.posted_up_to >= caught;
        }, 15_000, 100).catch((e) => log(`  warning: ${e.message}`));
        if (round % 3 === 0) log(`  round ${round}: L2 head ${caught}, ${sent.length} txs`);
    }
    return sent;
}

// ---------------------------------------------------------------------------------------------

async function main() {
    info = await devnet.start();
    log(`devnet up (${dir}): sequencer ${info.l2_rpc}, follower ${info.follower_rpc}, L1 ${info.l1_rpc}`);
    const senders = await Promise.all([2, 3, 4, 5].map((i) => Sender.create(info.dev_keys[i].private_key)));

    log(`== traffic until block ${kTargetBlocks} (history window ${kWindow})`);
    const sent = await traffic(senders, kTargetBlocks);
    log(`${sent.length} transfers in blocks ${sent[0].block}..${sent[sent.length - 1].block}`);

    // Blocks are pruned up to min(finalized - 1, head - window - 1): L1 finality (anvil: 64 blocks
    // behind its head) has to pass the traffic first.
    log('== L1 finality past the traffic; pruning follows the finalized head');
    const trafficHead = await headNumber(info.l2_rpc);
    l2nodeRun('l1-advance', '100', '--devnet', dir);
    const wanted = kTargetBlocks - kWindow;
    let st = null;
    await waitFor(`the sequencer's oldest available block to pass ${wanted}`, async () => {
        st = await syncStatus(info.l2_rpc);
        return st.oldest_available_block >= wanted;
    }, 40_000, 250).catch((e) => {
        throw new Error(`${e.message} (status: ${JSON.stringify(st)})`);
    });
    // Let the pruner catch up with its target (it prunes a backlog in 256-block batches, each
    // followed by trie GC); afterwards it only trails L1 finality by a block or two.
    // Finality first (it reaches the traffic's last block once L1 finalizes the jump), and the
    // head a window above it (the sequencer catching up with the jump's L1 time): then the target
    // is the finalized head and stays there.
    await waitFor('the pruner to reach the finalized head', async () => {
        st = await syncStatus(info.l2_rpc);
        const h = await headNumber(info.l2_rpc);
        const fin = st.finalized_l2?.number ?? 0;
        return fin >= trafficHead && h - kWindow >= fin && st.oldest_available_block + 2 >= fin;
    }, 40_000, 250);
    // one more round without an L1 jump, so that the window holds transactions too
    sent.push(...await traffic(senders, 0, 1, false));
    const head = await headNumber(info.l2_rpc);
    st = await syncStatus(info.l2_rpc);
    const oldest = st.oldest_available_block;
    // The checks of complete blocks start this far above `oldest`: finality (and so pruning)
    // keeps moving with L1 while they run.
    const kMargin = 16;
    log(`sequencer: head ${head}, finalized ${st.finalized_l2?.number}, oldest available ${oldest}`);
    assert.ok(oldest <= head - kWindow, `oldest available ${oldest} is inside the window (head ${head})`);
    assert.ok(oldest <= (st.finalized_l2?.number ?? 0), 'pruned at or above the finalized head');

    // ---- below the window: 4444 ----
    const gone = sent.filter((t) => t.block < oldest);
    const kept = sent.filter((t) => t.block >= oldest + kMargin);
    assert.ok(gone.length > 20 && kept.length > 0, `${gone.length} pruned txs, ${kept.length} kept`);
    for (const n of [1, Math.floor(oldest / 2), oldest - 1]) {
        await expectPruned(info.l2_rpc, 'eth_getBlockByNumber', [hex(n), false], `block ${n}`);
        await expectPruned(info.l2_rpc, 'eth_getBlockByNumber', [hex(n), true], `block ${n} (full)`);
        await expectPruned(info.l2_rpc, 'eth_getBlockTransactionCountByNumber', [hex(n)], `block ${n}`);
        await expectPruned(info.l2_rpc, 'eth_getBlockReceipts', [hex(n)], `block ${n}`);
    }
    for (const t of [gone[0], gone[gone.length - 1]]) {
        await expectPruned(info.l2_rpc, 'eth_getBlockByHash', [t.blockHash, false], `block ${t.block} by hash`);
        await expectPruned(info.l2_rpc, 'eth_getTransactionByBlockNumberAndIndex', [hex(t.block), hex(t.index)], `tx ${t.hash}`);
        await expectPruned(info.l2_rpc, 'eth_getTransactionByBlockHashAndIndex', [t.blockHash, hex(t.index)], `tx ${t.hash}`);
        // the tx index went with the bodies: an unknown hash, null as in geth
        assert.equal(await rpc(info.l2_rpc, 'eth_getTransactionReceipt', [t.hash]), null);
        assert.equal(await rpc(info.l2_rpc, 'eth_getTransactionByHash', [t.hash]), null);
    }
    await expectPruned(info.l2_rpc, 'eth_getLogs', [{ fromBlock: hex(oldest - 10), toBlock: hex(oldest + 5) }], 'logs across the edge');
    await expectPruned(info.l2_rpc, 'eth_getLogs', [{ fromBlock: 'earliest', toBlock: 'latest' }], 'logs from earliest');
    await expectPruned(info.l2_rpc, 'eth_getLogs', [{ blockHash: gone[0].blockHash }], 'logs of a pruned block');
    // ethers surfaces the code
    const provider = new ethers.JsonRpcProvider(info.l2_rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
    await assert.rejects(provider.getBlock(oldest - 1), (e) => e.error?.code === kPrunedCode || /4444|pruned/.test(String(e.message)));
    log(`below block ${oldest}: blocks, txs by block, block receipts and logs answer 4444; ${gone.length} pruned tx hashes are unknown (null)`);

    // ---- old state: its trie nodes are garbage-collected behind the window -----------------------
    // (a query at an old block answers 4444 once its nodes have also left the node cache)
    const who = info.dev_keys[0].address;
    const gcDeleted = await waitFor('trie GC behind the window', async () =>
        (await metrics(info.l2_rpc)).l2node_trie_gc_nodes_deleted_total, 15_000);
    assert.ok(BigInt(await rpc(info.l2_rpc, 'eth_getBalance', [who, hex(head - 1)])) > 0n, 'state inside the window');
    const proof = await rpc(info.l2_rpc, 'eth_getProof', [who, [], hex(oldest + kMargin)]);
    assert.ok(proof.accountProof.length > 0, 'a proof at the oldest available block');
    log(`trie GC deleted ${gcDeleted} nodes of old state; state at block ${oldest + kMargin} and above is complete`);
    // Blocks' trie nodes are written behind them (StateDb::commit), and counted.
    const stateMetrics = await metrics(info.l2_rpc);
    assert.ok(stateMetrics.l2node_trie_node_writes_total > 0 && stateMetrics.l2node_trie_nodes_written_total > 0,
        'trie node writes in /metrics');
    assert.equal(stateMetrics.l2node_trie_head_repaired, 0, 'a clean start repairs nothing');

    // ---- inside the window: complete ----
    const nums = [];
    for (let n = oldest + kMargin; n <= head; ++n) nums.push(n);
    const blocks = okAll(await rpcBatch(info.l2_rpc, nums.map((n) => ['eth_getBlockByNumber', [hex(n), true]])), 'block');
    const brs = okAll(await rpcBatch(info.l2_rpc, nums.map((n) => ['eth_getBlockReceipts', [hex(n)]])), 'block receipts');
    blocks.forEach((b, i) => {
        assert.ok(b && b.transactions.length >= 1, `block ${nums[i]} is incomplete`);
        assert.equal(brs[i].length, b.transactions.length, `block ${nums[i]}: receipts`);
    });
    const rs = okAll(await rpcBatch(info.l2_rpc, kept.map((t) => ['eth_getTransactionReceipt', [t.hash]])), 'receipt');
    const txs = okAll(await rpcBatch(info.l2_rpc, kept.map((t) => ['eth_getTransactionByHash', [t.hash]])), 'tx');
    kept.forEach((t, i) => {
        assert.ok(rs[i] && rs[i].blockHash === t.blockHash, `receipt of ${t.hash} (block ${t.block}) in the window`);
        assert.ok(txs[i] && Number(txs[i].blockNumber) === t.block, `tx ${t.hash} in the window`);
    });
    assert.ok(Array.isArray(await rpc(info.l2_rpc, 'eth_getLogs', [{ fromBlock: hex(oldest + kMargin), toBlock: 'latest' }])));
    assert.ok(await provider.getBlock(oldest + kMargin));
    log(`blocks ${oldest + kMargin}..${head}: complete (bodies, ${kept.length} receipts and tx lookups, block receipts, logs)`);

    // ---- status and metrics ----
    const m = await metrics(info.l2_rpc);
    assert.ok(m.l2node_history_oldest_block >= oldest, 'l2node_history_oldest_block');
    assert.ok(m.l2node_history_pruned_blocks_total >= oldest, 'l2node_history_pruned_blocks_total');
    // L1SLOAD's cached L1 reads follow the window: cut below the oldest kept block's L1 origin
    // (hundreds of L1 blocks in), in steps of 64 L1 blocks.
    assert.ok(m.l2node_l1sload_cache_pruned_below >= 64,
        `l2node_l1sload_cache_pruned_below ${m.l2node_l1sload_cache_pruned_below}`);
    const status = JSON.parse(l2nodeRun('status', '--devnet', dir));
    assert.ok(status.oldest_available_block >= oldest, '`l2node status` shows the oldest available block');
    log(`metrics: oldest ${m.l2node_history_oldest_block}, pruned ${m.l2node_history_pruned_blocks_total}, ` +
        `L1SLOAD cache below L1 block ${m.l2node_l1sload_cache_pruned_below}; ` +
        `l2node status: oldest_available_block ${status.oldest_available_block}`);

    // ---- the follower derived the same chain (and prunes its own copy) ----
    const fst = await waitFor('the follower\'s safe head to reach the sequencer\'s head', async () => {
        const s = await syncStatus(info.follower_rpc);
        return s.safe_l2.number >= head ? s : null;
    }, 60_000, 250);
    const fOldest = (await syncStatus(info.follower_rpc)).oldest_available_block;
    const lo = Math.max(oldest, fOldest) + kMargin;
    const cmp = [];
    for (let n = lo; n <= head; ++n) cmp.push(['eth_getBlockByNumber', [hex(n), false]]);
    const [a, b] = await Promise.all([rpcBatch(info.l2_rpc, cmp), rpcBatch(info.follower_rpc, cmp)]);
    const sa = okAll(a, 'sequencer block');
    const sb = okAll(b, 'follower block');
    sa.forEach((x, i) => {
        assert.equal(x.hash, sb[i].hash, `block ${lo + i} differs between sequencer and follower`);
        assert.equal(x.stateRoot, sb[i].stateRoot);
    });
    log(`follower: safe ${fst.safe_l2.number}, oldest available ${fOldest}; blocks ${lo}..${head} equal on both nodes ` +
        '(hashes chain back to genesis)');

    assert.equal(await devnet.stopAndWait(), 0);
    fs.rmSync(dir, { recursive: true, force: true });  // kept on failure, for its logs
    log('OK');
}

main().catch((e) => failed(devnet, e));
