// History-pruning soak (issue 9): database size over time under steady load, for one or more
// `history.blocks` settings, each on its own fresh `l2node devnet`. Not a ctest: run it with
// `make soak` (or the command below) and paste the table into docs/performance.md.
//
// Usage: node bench/soak/history_soak.mjs <l2node> [--history 1000,all] [--seconds 180]
//            [--burst 60] [--txs 400] [--sample 10] [--json out.json]
//
// Load: each round signs `--txs` ETH transfers (dev keys 2..9), sends them in JSON-RPC batches,
// waits for their receipts, then mines `--burst` L1 blocks (`l2node l1-advance`): the sequencer
// builds that many L2 blocks at once (its clock follows L1 time), so the chain moves far faster
// than one block per wall-clock second and a window of 1,000 blocks fills within the run. Every
// `--sample` seconds it records the L2 head, the oldest available block and the size of the
// sequencer's database directory (du of DIR/sequencer/db: SST files, WAL, manifest).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { ethers } = await import(path.join(here, '../../node_modules/ethers/lib.esm/index.js'));
const { Devnet, rpc, rpcBatch, waitFor } = await import(path.join(here, '../../tests/e2e/node/harness.mjs'));

const argv = process.argv.slice(2);
const l2node = argv[0];
const opt = (name, def) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : def;
};
if (!l2node || l2node.startsWith('--')) {
    console.error('usage: node history_soak.mjs <l2node> [--history 1000,all] [--seconds 180] [--burst 60] [--txs 400] [--sample 10] [--json out.json]');
    process.exit(2);
}
const settings = opt('history', '1000,all').split(',');
const seconds = Number(opt('seconds', 180));
const burst = Number(opt('burst', 60));
const txsPerRound = Number(opt('txs', 400));
const sampleEvery = Number(opt('sample', 10));
const jsonOut = opt('json', '');

const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(7)}s] ${msg}`);


function duBytes(p) {
    try {
        return Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split(/\s+/)[0]);
    } catch {
        return 0;
    }
}
/// Bytes of RocksDB's write-ahead log files (*.log) in `p`: replayed at open, freed once every
/// column family has flushed the memtables they hold.
function walBytes(p) {
    try {
        return fs.readdirSync(p).filter((f) => f.endsWith('.log'))
            .reduce((a, f) => a + fs.statSync(path.join(p, f)).size, 0);
    } catch {
        return 0;
    }
}
const mib = (b) => (b / (1 << 20)).toFixed(1);

async function soak(history) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `l2node-soak-${history}-`));
    const devnet = new Devnet(l2node, dir, ['--history.blocks', history, '--no-follower']);
    const info = await devnet.start();
    log(`history.blocks = ${history}: devnet at ${dir}`);
    const senders = await Promise.all([2, 3, 4, 5, 6, 7, 8, 9].map(async (i) => {
        const w = new ethers.Wallet(info.dev_keys[i].private_key);
        return { w, nonce: Number(await rpc(info.l2_rpc, 'eth_getTransactionCount', [w.address, 'pending'])) };
    }));
    const to = ethers.Wallet.createRandom().address;
    const db = path.join(dir, 'sequencer', 'db');
    const samples = [];
    let txs = 0;
    let nextSample = Date.now();
    const start = Date.now();
    while (Date.now() - start < seconds * 1000) {
        const raws = [];
        for (let k = 0; k < txsPerRound; ++k) {
            const s = senders[k % senders.length];
            raws.push(s.w.signTransaction({
                type: 2, chainId: info.chain_id, nonce: s.nonce++, maxPriorityFeePerGas: 1_000_000n,
                maxFeePerGas: 50_000_000_000n, gasLimit: 21_000n, value: 1n, to, data: '0x',
            }));
        }
        const hashes = await rpcBatch(info.l2_rpc, (await Promise.all(raws)).map((r) => ['eth_sendRawTransaction', [r]]));
        await waitFor('receipts', async () => {
            const last = hashes.slice(-senders.length);  // each sender's newest: the rest precede it
            const rs = await rpcBatch(info.l2_rpc, last.map((h) => ['eth_getTransactionReceipt', [h]]));
            return rs.every((r) => r);
        }, 60_000, 100);
        txs += hashes.length;
        execFileSync(l2node, ['l1-advance', `${burst}`, '--devnet', dir], { encoding: 'utf8' });
        const l1 = await rpc(info.l1_rpc, 'eth_getBlockByNumber', ['latest', false]);
        await waitFor('the sequencer to follow L1 time', async () => {
            const b = await rpc(info.l2_rpc, 'eth_getBlockByNumber', ['latest', false]);
            return Number(b.timestamp) >= Number(l1.timestamp);
        }, 60_000, 100);
        if (Date.now() >= nextSample) {
            const st = await rpc(info.l2_rpc, 'rollup_syncStatus');
            const text = await (await fetch(`${info.l2_rpc}/metrics`)).text();
            let historyBytes = 0;
            for (const line of text.split('\n'))
                if (line.startsWith('l2node_history_bytes{')) historyBytes += Number(line.split(/\s+/)[1]);
            const s = {
                t: Math.round((Date.now() - start) / 1000), head: st.unsafe_l2.number,
                finalized: st.finalized_l2?.number ?? 0, oldest: st.oldest_available_block, txs,
                bytes: duBytes(db), wal: walBytes(db), historyBytes,
            };
            samples.push(s);
            log(`  t=${String(s.t).padStart(4)} s  head ${String(s.head).padStart(6)}  oldest ${String(s.oldest).padStart(6)}  ` +
                `txs ${String(txs).padStart(7)}  db ${mib(s.bytes).padStart(7)} MiB (WAL ${mib(s.wal).padStart(6)})  history columns ${mib(historyBytes).padStart(7)} MiB`);
            nextSample = Date.now() + sampleEvery * 1000;
        }
    }
    await devnet.stopAndWait(30_000);
    fs.rmSync(dir, { recursive: true, force: true });
    return { history, samples };
}

const results = [];
for (const h of settings) results.push(await soak(h));

// The table: size at each sample time, per setting; then growth after the window filled.
console.log('\n| t (s) | ' + results.map((r) => `history.blocks = ${r.history}: head / oldest / DB dir MiB (of it WAL) / history columns MiB`).join(' | ') + ' |');
console.log('|---|' + results.map(() => '---|').join(''));
const rows = Math.max(...results.map((r) => r.samples.length));
for (let i = 0; i < rows; ++i) {
    const t = results.find((r) => r.samples[i])?.samples[i].t;
    console.log(`| ${t} | ` + results.map((r) => {
        const s = r.samples[i];
        return s ? `${s.head} / ${s.oldest} / ${mib(s.bytes)} (${mib(s.wal)}) / ${mib(s.historyBytes)}` : '';
    }).join(' | ') + ' |');
}
for (const r of results) {
    const filled = r.samples.filter((s) => s.oldest > 0);
    const last = r.samples[r.samples.length - 1];
    if (filled.length >= 2) {
        const a = filled[0];
        console.log(`\nhistory.blocks = ${r.history}: after the window filled (t=${a.t} s, head ${a.head}): ` +
            `${mib(a.bytes)} -> ${mib(last.bytes)} MiB over ${last.head - a.head} blocks ` +
            `(min ${mib(Math.min(...filled.map((s) => s.bytes)))}, max ${mib(Math.max(...filled.map((s) => s.bytes)))}); ` +
            `history columns ${mib(a.historyBytes)} -> ${mib(last.historyBytes)} MiB ` +
            `(min ${mib(Math.min(...filled.map((s) => s.historyBytes)))}, max ${mib(Math.max(...filled.map((s) => s.historyBytes)))})`);
    } else {
        console.log(`\nhistory.blocks = ${r.history}: ${mib(r.samples[0]?.bytes ?? 0)} -> ${mib(last?.bytes ?? 0)} MiB ` +
            `over ${(last?.head ?? 0) - (r.samples[0]?.head ?? 0)} blocks; history columns ` +
            `${mib(r.samples[0]?.historyBytes ?? 0)} -> ${mib(last?.historyBytes ?? 0)} MiB`);
    }
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2));
