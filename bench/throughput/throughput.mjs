// End-to-end throughput: signed ETH transfers submitted over JSON-RPC batches until included,
// against `l2node devnet` or anvil, with the same client code (DESIGN.md "Performance targets").
//
//   node bench/throughput/throughput.mjs --target l2node|anvil [--txs 20000] [--senders 400]
//        [--batch 500] [--concurrency 4] [--gas-limit 1000000000] [--block-time 1]
//
// Senders are funded first (not timed); every transfer is signed before the clock starts. The
// figure is included transfers / (time of the last inclusion - time of the first submission).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ethers } from 'ethers';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
}, []));
const target = args.target ?? 'l2node';
const nTxs = Number(args.txs ?? 20000);
const nSenders = Number(args.senders ?? 400);
const batch = Number(args.batch ?? 500);
const concurrency = Number(args.concurrency ?? 4);
const gasLimit = BigInt(args['gas-limit'] ?? 1_000_000_000);
const blockTime = Number(args['block-time'] ?? 1);
const l2node = args.l2node ?? path.join(root, 'build-release/bin/l2node');
const anvilBin = path.join(root, 'node_modules/.bin/anvil');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const kDevKeys = [
    '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
    '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
    '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
    '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
    '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
    '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
    '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
];

let child = null;
process.on('exit', () => child && child.exitCode === null && child.kill('SIGINT'));

async function rpc(url, body) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.json();
}

async function start() {
    if (target === 'anvil') {
        const port = 20000 + Math.floor(Math.random() * 20000);
        child = spawn(anvilBin, ['--host', '127.0.0.1', '--port', `${port}`, '--block-time', `${blockTime}`,
            '--gas-limit', `${gasLimit}`, '--chain-id', '901', '--silent'], { stdio: 'ignore' });
        const url = `http://127.0.0.1:${port}`;
        for (let i = 0; i < 100; ++i) {
            try { await rpc(url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }); return url; } catch { await sleep(100); }
        }
        throw new Error('anvil did not start');
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2node-tput-'));
    child = spawn(l2node, ['devnet', '--datadir', dir, '--l2-gas-limit', `${gasLimit}`,
        '--l2-block-time', `${blockTime}`, '--log-level', 'warn'], { stdio: 'ignore' });
    for (let i = 0; i < 600; ++i) {
        const f = path.join(dir, 'devnet.json');
        if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f)).l2_rpc;
        await sleep(100);
    }
    throw new Error('devnet did not start');
}

async function main() {
    const url = await start();
    const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 200, batchMaxCount: 1 });
    const chainId = (await provider.getNetwork()).chainId;
    const perSender = Math.ceil(nTxs / nSenders);
    const senders = Array.from({ length: nSenders }, (_, i) => new ethers.Wallet(ethers.keccak256(ethers.toUtf8Bytes(`tput-${i}`))));
    const fee = { maxFeePerGas: 50_000_000_000n, maxPriorityFeePerGas: 1_000_000n, type: 2, chainId };

    // Fund the senders from the dev keys, in rounds of at most 50 txs per funder (the pool
    // accepts nonces up to 64 ahead of the account's).
    const funders = kDevKeys.map((k) => new ethers.Wallet(k));
    const perFunder = Math.ceil(nSenders / funders.length);
    for (let round = 0; round * 50 < perFunder; ++round) {
        const fundRaw = [];
        for (let f = 0; f < funders.length; ++f) {
            let nonce = await provider.getTransactionCount(funders[f].address, 'latest');
            for (let k = round * 50; k < Math.min(perFunder, (round + 1) * 50); ++k) {
                const i = f + k * funders.length;
                if (i >= nSenders) break;
                fundRaw.push(await funders[f].signTransaction({ ...fee, to: senders[i].address, value: ethers.parseEther('10'), gasLimit: 21000n, nonce: nonce++ }));
            }
        }
        for (let i = 0; i < fundRaw.length; i += batch)
            await rpc(url, fundRaw.slice(i, i + batch).map((r, j) => ({ jsonrpc: '2.0', id: j, method: 'eth_sendRawTransaction', params: [r] })));
        const last = Math.min(nSenders - 1, (Math.min(perFunder, (round + 1) * 50) - 1) * funders.length + funders.length - 1);
        while ((await provider.getBalance(senders[Math.min(last, nSenders - 1)].address)) === 0n) await sleep(200);
    }

    // Pre-sign every transfer, nonce-major so no sender ever has a gap in flight.
    const raws = [];
    for (let n = 0; n < perSender; ++n)
        for (const s of senders) {
            if (raws.length === nTxs) break;
            raws.push(await s.signTransaction({ ...fee, to: ethers.getAddress('0x' + 'ee'.repeat(20)), value: 1n, gasLimit: 21000n, nonce: n }));
        }
    const startBlock = await provider.getBlockNumber();

    const t0 = performance.now();
    let next = 0;
    let rejected = 0;
    async function worker() {
        while (next < raws.length) {
            const chunk = raws.slice(next, next + batch);
            next += batch;
            const res = await rpc(url, chunk.map((r, j) => ({ jsonrpc: '2.0', id: j, method: 'eth_sendRawTransaction', params: [r] })));
            rejected += res.filter((x) => x.error).length;
        }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
    const tSubmitted = performance.now();

    // Count user transfers included after startBlock until all are in.
    let included = 0;
    let scanned = startBlock;
    let tLast = tSubmitted;
    const deadline = Date.now() + 300_000;
    while (included < raws.length - rejected && Date.now() < deadline) {
        const head = await provider.getBlockNumber();
        for (let b = scanned + 1; b <= head; ++b) {
            const blk = await provider.send('eth_getBlockByNumber', [ethers.toQuantity(b), false]);
            const before = included;
            included += blk.transactions.length - (target === 'anvil' ? 0 : 1);  // minus L1-info
            if (included > before) tLast = performance.now();
        }
        scanned = head;
        await sleep(50);
    }
    const secs = (tLast - t0) / 1000;
    const result = {
        target, txs: raws.length, rejected, included, senders: nSenders, batch, concurrency,
        gas_limit: gasLimit.toString(), block_time: blockTime,
        submit_seconds: +((tSubmitted - t0) / 1000).toFixed(2), total_seconds: +secs.toFixed(2),
        tx_per_s: Math.round(included / secs),
    };
    console.log(JSON.stringify(result));
    child.kill('SIGINT');
    await sleep(500);
    process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
