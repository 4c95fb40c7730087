// End to end (issue 6): the follower derives the sequencer's chain from L1 alone, through mixed
// traffic, sequencer downtime (the sequencing window), an L1 reorg and junk in the batch inbox.
// One `l2node devnet --seq-window 20` (real anvil, real sequencer and follower processes) for all
// scenarios.
//
// Usage: node follower_e2e.mjs <l2node> <cast> <contract artifacts dir>
//
// Exits nonzero on the first failed check (printing the tails of the node logs); the devnet is
// always stopped.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { ethers } from 'ethers';

import { Devnet, failed, metrics, rpc, rpcBatch, sleep, waitFor } from './harness.mjs';

const [l2node, cast, artifactsDir] = process.argv.slice(2);
if (!l2node || !cast || !artifactsDir) {
    console.error('usage: node follower_e2e.mjs <l2node> <cast> <artifacts dir>');
    process.exit(2);
}

const kSeqWindow = 20;
// L1 blocks mined at once between traffic rounds. Smaller than the sequencing window on purpose:
// an L2 block built just before a jump of J L1 blocks gets its batch into L1 block origin + J + 1
// or later, so J >= the window would expire healthy blocks (their batch cannot land in time).
// (Both overridable from the environment, for debugging: L2_FOLLOWER_E2E_BURST/_BLOCKS; a burst
// of 0 waits one wall-clock second per round instead.)
const kBurst = Number(process.env.L2_FOLLOWER_E2E_BURST ?? 12);
const kTargetBlocks = Number(process.env.L2_FOLLOWER_E2E_BLOCKS ?? 300);
const artifact = (name) => JSON.parse(fs.readFileSync(path.join(artifactsDir, `${name}.json`)));
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
const eth = (s) => ethers.parseEther(s);

// ---------------------------------------------------------------------------------------------
// the devnet

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2node-follower-'));
const devnet = new Devnet(l2node, dir, ['--seq-window', `${kSeqWindow}`]);
let info = null;



function castRun(...args) {
    return execFileSync(cast, args, { encoding: 'utf8', timeout: 60_000 }).trim();
}

function l2nodeRun(...args) {
    return execFileSync(l2node, args, { encoding: 'utf8', timeout: 120_000 }).trim();
}

const execFileP = promisify(execFile);
async function l2nodeAsync(...args) {
    const { stdout } = await execFileP(l2node, args, { encoding: 'utf8', timeout: 120_000 });
    return stdout.trim();
}

/// `l2node deposit` (no --wait) from dev key 6 (a deposit bumps its sender's L2 nonce: key 6
/// sends nothing else): returns the L1 block and the L2 deposit tx hash it printed.
async function deposit(to, value) {
    const out = await l2nodeAsync('deposit', '--devnet', dir, '--private-key', info.dev_keys[6].private_key,
        '--to', to, '--value', value);
    const m = out.match(/L1 tx\s+(0x[0-9a-f]{64}) \(block (\d+)\)/);
    const h = out.match(/L2 tx\s+(0x[0-9a-f]{64})/);
    assert.ok(m && h, `unexpected deposit output: ${out}`);
    return { l1Tx: m[1], l1Block: Number(m[2]), l2Tx: h[1] };
}

const hex = (n) => ethers.toQuantity(n);
const syncStatus = (url) => rpc(url, 'rollup_syncStatus');
const headNumber = async (url) => Number(await rpc(url, 'eth_blockNumber'));
const blockAt = (url, n) => rpc(url, 'eth_getBlockByNumber', [typeof n === 'number' ? hex(n) : n, false]);
const balance = async (url, a) => BigInt(await rpc(url, 'eth_getBalance', [a, 'latest']));


/// Blocks lo..hi on both nodes: same hash and same stateRoot, every one.
async function compareChains(lo, hi, what) {
    const calls = [];
    for (let n = lo; n <= hi; ++n) calls.push(['eth_getBlockByNumber', [hex(n), false]]);
    const [a, b] = await Promise.all([rpcBatch(info.l2_rpc, calls), rpcBatch(info.follower_rpc, calls)]);
    for (let i = 0; i < a.length; ++i) {
        const n = lo + i;
        assert.ok(a[i], `${what}: the sequencer has no block ${n}`);
        assert.ok(b[i], `${what}: the follower has no block ${n}`);
        if (a[i].hash !== b[i].hash || a[i].stateRoot !== b[i].stateRoot) {
            throw new Error(`${what}: block ${n} differs: sequencer ${a[i].hash} (state ${a[i].stateRoot}, ` +
                `${a[i].transactions.length} txs), follower ${b[i].hash} (state ${b[i].stateRoot}, ` +
                `${b[i].transactions.length} txs)`);
        }
        assert.equal(Number(a[i].number), n);
    }
    log(`${what}: blocks ${lo}..${hi} (${hi - lo + 1}) have the same hash and stateRoot on both nodes`);
}

/// Waits until the follower's safe head is at least `n`; returns its sync status.
async function followerSafeAtLeast(n, ms, what) {
    return waitFor(`${what}: the follower's safe head to reach ${n}`, async () => {
        const s = await syncStatus(info.follower_rpc);
        return s.safe_l2.number >= n ? s : null;
    }, ms);
}

/// Waits until sequencer and follower agree at the follower's safe head, with the sequencer's
/// head at or past it and the safe head at least `min`; returns that block number.
async function converged(min, ms, what) {
    return waitFor(`${what}: sequencer and follower to agree at the follower's safe head >= ${min}`, async () => {
        const s = await syncStatus(info.follower_rpc);
        const f = s.safe_l2.number;
        if (f < min) return null;
        const [a, b] = await Promise.all([blockAt(info.l2_rpc, f), blockAt(info.follower_rpc, f)]);
        return a && b && a.hash === b.hash ? f : null;
    }, ms, 300);
}

// ---------------------------------------------------------------------------------------------
// L2 transactions, signed locally and sent in one batch per round

class Sender {
    constructor(key, nonce) {
        this.wallet = new ethers.Wallet(key);
        this.address = this.wallet.address;
        this.nonce = nonce;
    }
    static async create(key) {
        const w = new ethers.Wallet(key);
        return new Sender(key, Number(await rpc(info.l2_rpc, 'eth_getTransactionCount', [w.address, 'pending'])));
    }
    sign(fields) {
        return this.wallet.signTransaction({
            type: 2, chainId: info.chain_id, nonce: this.nonce++, maxPriorityFeePerGas: 1_000_000n,
            maxFeePerGas: 50_000_000_000n, gasLimit: 21_000n, value: 0n, data: '0x', ...fields,
        });
    }
}

async function sendRaw(url, raws) {
    const hashes = await rpcBatch(url, raws.map((r) => ['eth_sendRawTransaction', [r]]));
    hashes.forEach((h, i) => assert.equal(h, ethers.keccak256(raws[i])));
    return hashes;
}

async function receiptsOf(url, hashes, ms, what) {
    return waitFor(`${what}: ${hashes.length} receipts`, async () => {
        const rs = await rpcBatch(url, hashes.map((h) => ['eth_getTransactionReceipt', [h]]));
        return rs.every((r) => r) ? rs : null;
    }, ms, 300);
}

/// New txs sent to the sequencer are mined, batched and derived by the follower into the very
/// same blocks (not replaced by blocks derived without a batch). Returns the newest such block.
async function roundTrip(senders, what) {
    const defaults = (await metrics(info.follower_rpc)).l2node_default_blocks_total;
    const to = ethers.Wallet.createRandom().address;
    const raws = await Promise.all(senders.map((x) => x.sign({ to, value: 1n })));
    const hashes = await sendRaw(info.l2_rpc, raws);
    const rs = await receiptsOf(info.l2_rpc, hashes, 30_000, `${what}: txs on the sequencer`);
    const top = Math.max(...rs.map((x) => Number(x.blockNumber)));
    await followerSafeAtLeast(top, 60_000, what);
    const frs = await receiptsOf(info.follower_rpc, hashes, 5_000, `${what}: the same txs on the follower`).catch(async (e) => {
        const m = await metrics(info.follower_rpc);
        throw new Error(`${e.message} (follower: ${m.l2node_default_blocks_total - defaults} blocks derived without a batch ` +
            'meanwhile: the batcher\'s data did not reach L1 within the sequencing window)');
    });
    frs.forEach((x, i) => assert.equal(x.blockHash, rs[i].blockHash, `${what}: tx ${hashes[i]} is in another block on the follower`));
    assert.equal(await balance(info.follower_rpc, to), BigInt(senders.length));
    const lo = Math.min(...rs.map((x) => Number(x.blockNumber)));
    await compareChains(lo, top, `${what}: new txs`);
    return top;
}

// ---------------------------------------------------------------------------------------------
// scenarios

async function scenarioTraffic(senders, tokenOwner, token) {
    log(`== 1. mixed traffic for ${kTargetBlocks}+ blocks (ETH transfers, ERC-20, deposits, L1 jumps of ${kBurst})`);
    const iface = new ethers.Interface(artifact('TestToken').abi);
    const ethTo = Array.from({ length: 4 }, () => ethers.Wallet.createRandom().address);
    const tokTo = Array.from({ length: 3 }, () => ethers.Wallet.createRandom().address);
    const expectEth = new Map(ethTo.map((a) => [a, 0n]));
    const expectTok = new Map(tokTo.map((a) => [a, 0n]));
    const deposits = [];
    const hashes = [];
    let round = 0;
    let lastBurstAt = Date.now();
    while (true) {
        const head = await headNumber(info.l2_rpc);
        if (head >= kTargetBlocks) break;
        assert.ok(round < 60, `only ${head} L2 blocks after ${round} rounds`);
        // a round: 4 ETH transfers, 2 token transfers, every 3rd round a deposit, then an L1 jump
        const raws = [];
        senders.forEach((s, i) => {
            const to = ethTo[(round + i) % ethTo.length];
            const v = BigInt(1000 + round * 10 + i);
            expectEth.set(to, expectEth.get(to) + v);
            raws.push(s.sign({ to, value: v }));
        });
        for (let k = 0; k < 2; ++k) {
            const to = tokTo[(round + k) % tokTo.length];
            const v = BigInt(round * 3 + k + 1);
            expectTok.set(to, expectTok.get(to) + v);
            raws.push(tokenOwner.sign({ to: token, gasLimit: 100_000n, data: iface.encodeFunctionData('transfer', [to, v]) }));
        }
        hashes.push(...await sendRaw(info.l2_rpc, await Promise.all(raws)));
        const dep = round % 3 === 0
            ? (() => {
                const to = ethers.Wallet.createRandom().address;
                const value = `0.${round + 1}`.padEnd(4, '0');
                return deposit(to, `${value}eth`).then((d) => deposits.push({ ...d, to, value: eth(value) }));
            })()
            : Promise.resolve();
        dep.catch(() => {});  // awaited below; no unhandled rejection if this round fails first
        if (kBurst > 0) l2nodeRun('l1-advance', `${kBurst}`, '--devnet', dir);
        else await sleep(1000);
        // the sequencer catches up with L1's clock in a burst (its clock is max(wall clock, the
        // newest L1 timestamp): it builds the ~kBurst blocks at once, well within a few seconds) ...
        const l1 = await rpc(info.l1_rpc, 'eth_getBlockByNumber', ['latest', false]);
        let seen = null;
        const caught = await waitFor(`the sequencer to catch up with L1's clock after l1-advance ${kBurst} ` +
            `(L1 block ${Number(l1.number)}, time ${Number(l1.timestamp)}, wall ${Math.floor(Date.now() / 1000)})`, async () => {
            seen = await blockAt(info.l2_rpc, 'latest');
            return Number(seen.timestamp) >= Number(l1.timestamp) ? Number(seen.number) : null;
        }, 8_000, 100).catch((e) => {
            throw new Error(`${e.message}; the sequencer's head is block ${Number(seen?.number)} with time ${Number(seen?.timestamp)}`);
        });
        // ... and the batcher hands it to L1 before the next jump (a real L1 never jumps: without
        // this, the window of blocks built just before the next jump could close before their batch)
        try {
            await waitFor('the batcher', async () => {
                const s = await syncStatus(info.l2_rpc);
                return s.batcher && s.batcher.posted_up_to >= caught;
            }, 10_000, 100);
        } catch (e) {
            log(`  warning: ${e.message}`);
        }
        await dep;
        if (round % 5 === 0 || caught >= kTargetBlocks) {
            log(`  round ${round}: L2 head ${caught} (${((Date.now() - lastBurstAt) / 1000).toFixed(1)} s since last print), ` +
                `${hashes.length} txs, ${deposits.length} deposits`);
            lastBurstAt = Date.now();
        }
        ++round;
    }

    // all txs mined, with status 1
    const rs = await receiptsOf(info.l2_rpc, hashes, 60_000, 'traffic on the sequencer');
    rs.forEach((r, i) => assert.equal(r.status, '0x1', `tx ${hashes[i]} failed`));
    const depReceipts = await receiptsOf(info.l2_rpc, deposits.map((d) => d.l2Tx), 60_000, 'deposits on the sequencer');
    depReceipts.forEach((r, i) => assert.equal(r.status, '0x1', `deposit ${deposits[i].l2Tx} failed`));
    log(`all ${hashes.length} txs and ${deposits.length} deposits mined on the sequencer`);

    // a tx sent to the follower is forwarded to the sequencer and mined
    const fwdTo = ethers.Wallet.createRandom().address;
    const fwdRaw = await senders[0].sign({ to: fwdTo, value: 4242n });
    const fwdHash = await rpc(info.follower_rpc, 'eth_sendRawTransaction', [fwdRaw]);
    assert.equal(fwdHash, ethers.keccak256(fwdRaw));
    const [fwdReceipt] = await receiptsOf(info.l2_rpc, [fwdHash], 30_000, 'the forwarded tx');
    assert.equal(fwdReceipt.status, '0x1');
    log(`a tx sent to the follower's RPC was forwarded and mined in sequencer block ${Number(fwdReceipt.blockNumber)}`);

    // the follower derives all of it from L1
    const n = await headNumber(info.l2_rpc);
    await followerSafeAtLeast(n, 90_000, 'traffic');
    await compareChains(0, n, 'traffic');
    // receipts and balances on the follower
    const frs = await receiptsOf(info.follower_rpc, [...hashes, fwdHash, ...deposits.map((d) => d.l2Tx)], 10_000, 'traffic on the follower');
    const srs = [...rs, fwdReceipt, ...depReceipts];
    frs.forEach((r, i) => {
        assert.equal(r.status, '0x1');
        assert.equal(r.blockHash, srs[i].blockHash, `receipt ${r.transactionHash}: block differs`);
    });
    for (const [a, v] of expectEth) assert.equal(await balance(info.follower_rpc, a), v, `ETH of ${a}`);
    assert.equal(await balance(info.follower_rpc, fwdTo), 4242n);
    for (const d of deposits) assert.equal(await balance(info.follower_rpc, d.to), d.value, `deposit to ${d.to}`);
    for (const [a, v] of expectTok) {
        const data = iface.encodeFunctionData('balanceOf', [a]);
        for (const url of [info.l2_rpc, info.follower_rpc])
            assert.equal(BigInt(await rpc(url, 'eth_call', [{ to: token, data }, 'latest'])), v, `tokens of ${a}`);
    }
    const fm = await metrics(info.follower_rpc);
    log(`follower: derived ${fm.l2node_derived_blocks_total} blocks, default ${fm.l2node_default_blocks_total}, ` +
        `dropped batch blocks ${fm.l2node_batches_dropped_total}, L2 reorgs ${fm.l2node_l2_reorgs_total}`);
    assert.equal(fm.l2node_default_blocks_total, 0, 'no block derived without a batch while the sequencer runs');
    const sm = await metrics(info.l2_rpc);
    assert.equal(sm.l2node_l2_reorgs_total, 0, 'the sequencer\'s own blocks were never replaced');
    log(`balances, token balances and ${frs.length} receipts agree on the follower`);
}

async function scenarioDowntime(senders) {
    log(`== 2. sequencer downtime past the sequencing window (${kSeqWindow} L1 blocks)`);
    const before = await metrics(info.follower_rpc);
    l2nodeRun('admin', 'stop-sequencer', '--devnet', dir);
    await waitFor('the sequencer to stop', async () => (await syncStatus(info.l2_rpc)).sequencer_active === false);
    await sleep(1200);
    const stoppedAt = await headNumber(info.l2_rpc);
    const r = ethers.Wallet.createRandom().address;
    const d = await deposit(r, '0.5eth');
    log(`sequencer stopped at block ${stoppedAt}; deposit of 0.5 ETH to ${r} in L1 block ${d.l1Block}`);
    l2nodeRun('l1-advance', '30', '--devnet', dir);
    await waitFor('the deposit on the follower', async () => (await balance(info.follower_rpc, r)) === eth('0.5'), 60_000, 300);
    assert.equal(castRun('balance', '--rpc-url', info.follower_rpc, r), `${eth('0.5')}`);
    const dr = await rpc(info.follower_rpc, 'eth_getTransactionReceipt', [d.l2Tx]);
    assert.equal(dr.status, '0x1');
    const db = await rpc(info.follower_rpc, 'eth_getBlockByHash', [dr.blockHash, true]);
    assert.ok(db.transactions.every((t) => t.type === '0x7e'), 'a block derived without a batch holds only deposits');
    const s = await syncStatus(info.l2_rpc);
    assert.equal(s.sequencer_active, false, 'the sequencer is still stopped');
    const after = await metrics(info.follower_rpc);
    assert.ok(after.l2node_default_blocks_total > before.l2node_default_blocks_total, 'blocks derived without a batch');
    log(`the follower included the deposit in block ${Number(dr.blockNumber)} while the sequencer was stopped ` +
        `(${after.l2node_default_blocks_total - before.l2node_default_blocks_total} blocks derived without a batch)`);

    l2nodeRun('admin', 'start-sequencer', '--devnet', dir);
    const f = await converged(Number(dr.blockNumber), 60_000, 'downtime');
    await waitFor('the sequencer to build past the follower', async () => (await headNumber(info.l2_rpc)) > f, 30_000);
    await compareChains(0, f, 'after downtime');
    assert.equal(await balance(info.l2_rpc, r), eth('0.5'));
    const sm = await metrics(info.l2_rpc);
    log(`sequencer restarted and converged (its L2 reorgs: ${sm.l2node_l2_reorgs_total}, default blocks: ${sm.l2node_default_blocks_total})`);

    // new txs on the restarted sequencer reach the follower unchanged
    await roundTrip(senders, 'after the restart');
}

async function scenarioL1Reorg(senders) {
    log('== 3. an L1 reorg (evm_snapshot / evm_revert on anvil)');
    const pids = devnet.info().pids;
    const before = await metrics(info.follower_rpc);
    const snap = await rpc(info.l1_rpc, 'evm_snapshot');
    const l1AtSnap = Number(await rpc(info.l1_rpc, 'eth_blockNumber'));
    const r = ethers.Wallet.createRandom().address;
    const d = await deposit(r, '0.25eth');
    await waitFor('the deposit on the follower', async () => (await balance(info.follower_rpc, r)) === eth('0.25'), 60_000, 300);
    const dr = await rpc(info.follower_rpc, 'eth_getTransactionReceipt', [d.l2Tx]);
    await followerSafeAtLeast(Number(dr.blockNumber) + 2, 30_000, 'before the reorg');
    await waitFor('a few more L1 blocks', async () => Number(await rpc(info.l1_rpc, 'eth_blockNumber')) >= d.l1Block + 3, 10_000);
    const l1Before = Number(await rpc(info.l1_rpc, 'eth_blockNumber'));
    const seqBefore = await headNumber(info.l2_rpc);
    const safeBefore = (await syncStatus(info.follower_rpc)).safe_l2.number;
    assert.equal(await rpc(info.l1_rpc, 'evm_revert', [snap]), true);
    const l1After = Number(await rpc(info.l1_rpc, 'eth_blockNumber'));
    log(`snapshot at L1 ${l1AtSnap}, deposit in L1 ${d.l1Block} (L2 ${Number(dr.blockNumber)}), reverted L1 ${l1Before} -> ${l1After}; ` +
        `sequencer head ${seqBefore}, follower safe ${safeBefore}`);
    assert.ok(l1After < d.l1Block, 'the deposit\'s L1 block is gone');
    await waitFor('anvil to mine on after the revert', async () => Number(await rpc(info.l1_rpc, 'eth_blockNumber')) > l1After, 10_000);
    assert.equal(await rpc(info.l1_rpc, 'eth_getTransactionReceipt', [d.l1Tx]), null, 'the L1 deposit tx was reverted');

    await waitFor('the follower to notice the L1 reorg',
        async () => (await metrics(info.follower_rpc)).l2node_l1_reorgs_total > before.l2node_l1_reorgs_total, 30_000, 300);
    await waitFor('the deposit to vanish on both nodes', async () =>
        (await balance(info.follower_rpc, r)) === 0n && (await balance(info.l2_rpc, r)) === 0n, 60_000, 300);
    log('both nodes dropped the reverted deposit');
    const f = await converged(seqBefore, 90_000, 'after the L1 reorg');
    const now = devnet.info().pids;
    for (const who of ['sequencer', 'follower']) {
        assert.equal(now[who], pids[who], `the ${who} was restarted (it crashed)`);
        process.kill(pids[who], 0);  // throws when gone
    }
    await compareChains(0, f, 'after the L1 reorg');
    const fm = await metrics(info.follower_rpc);
    const sm = await metrics(info.l2_rpc);
    log(`converged at block ${f}; follower: L1 reorgs ${fm.l2node_l1_reorgs_total}, L2 reorgs ${fm.l2node_l2_reorgs_total}; ` +
        `sequencer: L1 reorgs ${sm.l2node_l1_reorgs_total}, L2 reorgs ${sm.l2node_l2_reorgs_total}`);
    // the batcher recovers too (its txs in the reverted L1 blocks are gone, nonces included):
    // new txs are batched again, and no block had to be derived without a batch
    const top = await roundTrip(senders, 'after the L1 reorg');
    const after = await metrics(info.follower_rpc);
    assert.equal(after.l2node_default_blocks_total, before.l2node_default_blocks_total,
        'blocks derived without a batch after the L1 reorg: the batcher did not repost in time');
    log(`the batcher posts again after the reorg: new txs derived by the follower in the same blocks (up to ${top})`);
}

async function scenarioInboxJunk(senders) {
    log('== 4. a copied batch from an unauthorized sender and garbage in the batch inbox');
    const l1 = new ethers.JsonRpcProvider(info.l1_rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const inbox = info.batch_inbox.toLowerCase();
    const batcher = info.batcher.toLowerCase();
    const head = Number(await rpc(info.l1_rpc, 'eth_blockNumber'));
    let batchInput = null;
    for (let n = head; n > Math.max(0, head - 60) && !batchInput; --n) {
        const b = await rpc(info.l1_rpc, 'eth_getBlockByNumber', [hex(n), true]);
        const t = b.transactions.find((x) => x.to && x.to.toLowerCase() === inbox && x.from.toLowerCase() === batcher);
        if (t) batchInput = t.input;
    }
    assert.ok(batchInput, 'a batcher tx in the last 60 L1 blocks');
    const before = await metrics(info.follower_rpc);
    const mallory = new ethers.Wallet(info.dev_keys[3].private_key, l1);
    const nonce = await l1.getTransactionCount(mallory.address, 'pending');
    const t1 = await mallory.sendTransaction({ to: info.batch_inbox, data: batchInput, nonce });
    const t2 = await mallory.sendTransaction({ to: info.batch_inbox, data: ethers.hexlify(crypto.randomBytes(300)), nonce: nonce + 1 });
    const [r1, r2] = await Promise.all([t1.wait(), t2.wait()]);
    log(`sent a copy of a batch (${(batchInput.length - 2) / 2} bytes) and 300 random bytes to the inbox from dev key 3 ` +
        `(L1 blocks ${r1.blockNumber}, ${r2.blockNumber})`);
    const ignored = await waitFor('the follower to ignore both', async () => {
        const m = await metrics(info.follower_rpc);
        return m.l2node_inbox_txs_ignored_total >= before.l2node_inbox_txs_ignored_total + 2 ? m.l2node_inbox_txs_ignored_total : null;
    }, 30_000, 300);
    log(`follower: l2node_inbox_txs_ignored_total ${before.l2node_inbox_txs_ignored_total} -> ${ignored}`);
    await roundTrip(senders, 'after the inbox junk');
    const seq = await headNumber(info.l2_rpc);
    const f = await converged(seq, 60_000, 'after the inbox junk');
    await compareChains(0, f, 'after the inbox junk');
    const fm = await metrics(info.follower_rpc);
    assert.equal(fm.l2node_derivation_error, 0, 'no derivation error on the follower');
    assert.equal(fm.l2node_default_blocks_total, before.l2node_default_blocks_total, 'junk in the inbox made no block default');
    // The copy was not even decoded: no batch or channel dropped in its L1 block. (Not the
    // dropped-batches counter: a batcher tx of scenario 3 that the L1 reorg reverted can come
    // back from anvil's pool and be mined now, and its batch, built on the reverted origin, is
    // rightly dropped.)
    const followerLog = fs.readFileSync(info.logs.follower, 'utf8');
    for (const what of [`dropping a batch of L1 block ${r1.blockNumber}:`, `completed in L1 block ${r1.blockNumber}:`])
        assert.ok(!followerLog.includes(what), `the copied batch was not even looked at (log: "${what}")`);
}

async function scenarioLogsAndStatus() {
    log('== 5. the follower\'s sync log and `l2node status --rpc`');
    const text = fs.readFileSync(info.logs.follower, 'utf8');
    const lines = text.split('\n').filter((l) => l.includes('sync:'));
    assert.ok(lines.length > 0, 'the follower logs sync progress ("sync:")');
    log(`follower log: ${lines.length} "sync:" line(s), e.g. ${lines[lines.length - 1].trim()}`);
    const st = JSON.parse(l2nodeRun('status', '--rpc', info.follower_rpc));
    assert.equal(st.role, 'follower');
    assert.equal(st.synced, true);
    assert.ok(st.safe_l2.number > kTargetBlocks);
    assert.ok(st.current_l1.number > 0 && st.head_l1.number >= st.current_l1.number);
    log(`l2node status --rpc ${info.follower_rpc}: role ${st.role}, safe ${st.safe_l2.number}, ` +
        `unsafe ${st.unsafe_l2.number}, L1 ${st.current_l1.number}/${st.head_l1.number}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
    info = await devnet.start();
    log(`devnet up (${dir}): sequencer ${info.l2_rpc}, follower ${info.follower_rpc}, L1 ${info.l1_rpc}, ` +
        `seq window ${info.seq_window_size}`);
    assert.equal(info.seq_window_size, kSeqWindow);
    assert.ok(info.follower_rpc, 'the devnet runs a follower');
    assert.equal(BigInt(await rpc(info.follower_rpc, 'eth_chainId')), BigInt(info.chain_id));
    assert.equal((await syncStatus(info.follower_rpc)).role, 'follower');
    assert.equal((await syncStatus(info.l2_rpc)).role, 'sequencer');

    // the ERC-20, deployed with ethers (key 0); keys 2..5 send ETH (key 1 is the batcher's)
    const provider = new ethers.JsonRpcProvider(info.l2_rpc, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
    const owner = new ethers.Wallet(info.dev_keys[0].private_key, provider);
    const tokenArt = artifact('TestToken');
    const tokenContract = await new ethers.ContractFactory(tokenArt.abi, tokenArt.bytecode, owner).deploy(eth('1000000'));
    await tokenContract.waitForDeployment();
    const token = await tokenContract.getAddress();
    log(`ERC-20 deployed at ${token}`);
    const tokenOwner = await Sender.create(info.dev_keys[0].private_key);
    const senders = await Promise.all([2, 3, 4, 5].map((i) => Sender.create(info.dev_keys[i].private_key)));

    await scenarioTraffic(senders, tokenOwner, token);
    await scenarioDowntime(senders);
    await scenarioL1Reorg(senders);
    await scenarioInboxJunk(senders);
    await scenarioLogsAndStatus();

    assert.equal(await devnet.stopAndWait(), 0);
    fs.rmSync(dir, { recursive: true, force: true });  // kept on failure, for its logs
    log('OK');
}


main().catch((e) => failed(devnet, e));
