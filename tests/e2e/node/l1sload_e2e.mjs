// End to end: L1SLOAD (issue 8) on `l2node devnet`, the way an app developer uses it. An L2
// contract (contracts/src/examples/L1BalanceReader.sol, over the L1Sload library) reads an
// OpenZeppelin ERC-20's balance slot on the real L1 (anvil):
//   1. the L2 read equals the L1 balance at the block's L1 origin, and changes once the L1
//      transfer's block becomes the L2 origin;
//   2. with L1 unreachable for L1SLOAD (a loopback proxy in front of anvil that drops every
//      request), a tx calling L1SLOAD is neither included nor reverted while other txs are, and
//      eth_call answers an error; once the proxy forwards again, the tx is included with the
//      right value;
//   3. a follower that meets an L1SLOAD block while L1 is unreachable retries until it answers;
//   4. the follower derives the same blocks (hashes and state roots) over all of it.
//
// Usage: node l1sload_e2e.mjs <l2node> <contract artifacts dir>
//
// Exits nonzero on the first failed check; the devnet is always stopped.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { ethers } from 'ethers';

import { Devnet, failed, metrics, rpc, rpcRaw, sleep, waitFor } from './harness.mjs';

const [l2node, artifactsDir] = process.argv.slice(2);
if (!l2node || !artifactsDir) {
    console.error('usage: node l1sload_e2e.mjs <l2node> <artifacts dir>');
    process.exit(2);
}

const artifact = (name) => JSON.parse(fs.readFileSync(path.join(artifactsDir, `${name}.json`)));
const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const kL1Block = '0x4200000000000000000000000000000000000015';

// ---------------------------------------------------------------------------------------------
// A loopback JSON-RPC proxy in front of anvil for the nodes' L1SLOAD reads. `down` drops every
// request (the socket is destroyed without a reply), as an unreachable L1 would look.

class Proxy {
    constructor() {
        this.target = null;
        this.down = false;
        this.requests = 0;
        this.dropped = 0;
        this.server = http.createServer((req, res) => {
            let body = '';
            req.on('data', (d) => { body += d; });
            req.on('end', async () => {
                ++this.requests;
                if (this.down || !this.target) {
                    ++this.dropped;
                    req.socket.destroy();
                    return;
                }
                try {
                    const r = await fetch(this.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
                    res.writeHead(r.status, { 'content-type': 'application/json' });
                    res.end(await r.text());
                } catch {
                    req.socket.destroy();
                }
            });
        });
    }
    listen() {
        return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(this.server.address().port)));
    }
    close() {
        this.server.closeAllConnections?.();
        this.server.close();
    }
}

const proxy = new Proxy();
const proxyPort = await proxy.listen();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2node-l1sload-'));
const devnet = new Devnet(l2node, dir, ['--l1sload-rpc', `http://127.0.0.1:${proxyPort}`]);

const metric = async (url, name) => (await metrics(url))[name] ?? NaN;

// ---------------------------------------------------------------------------------------------

async function main() {
    const info = await devnet.start();
    proxy.target = info.l1_rpc;
    log(`devnet up: L1 ${info.l1_rpc}, L2 ${info.l2_rpc}, follower ${info.follower_rpc}, L1SLOAD via proxy :${proxyPort}`);
    const opts = { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 };
    const l1 = new ethers.JsonRpcProvider(info.l1_rpc, undefined, opts);
    const l2 = new ethers.JsonRpcProvider(info.l2_rpc, undefined, opts);
    const l1Owner = new ethers.NonceManager(new ethers.Wallet(info.dev_keys[5].private_key, l1));
    const alice = new ethers.Wallet(info.dev_keys[6].private_key, l2);
    const bob = new ethers.Wallet(info.dev_keys[7].private_key, l2);
    const holder = ethers.Wallet.createRandom().address;
    const l1Block = new ethers.Contract(kL1Block, ['function number() view returns (uint64)'], l2);
    let firstBlock = 0;
    let lastBlock = 0;
    const track = (r) => { firstBlock ||= r.blockNumber; lastBlock = Math.max(lastBlock, r.blockNumber); return r; };

    // -- an ERC-20 on L1, the reader on L2 ------------------------------------------------------
    const tokenArt = artifact('TestToken');
    const token = await new ethers.ContractFactory(tokenArt.abi, tokenArt.bytecode, l1Owner)
        .deploy(ethers.parseEther('1000000'));
    await token.waitForDeployment();
    const tokenAddr = await token.getAddress();
    const first = await (await token.transfer(holder, 1000n)).wait();
    log(`L1: TestToken at ${tokenAddr}; holder ${holder} has 1000 from L1 block ${first.blockNumber}`);

    const readerArt = artifact('L1BalanceReader');
    const readerDeploy = await new ethers.ContractFactory(readerArt.abi, readerArt.bytecode, alice).deploy(tokenAddr, 0);
    track(await readerDeploy.deploymentTransaction().wait());
    const reader = readerDeploy.connect(alice);
    const readerAddr = await reader.getAddress();
    log(`L2: L1BalanceReader at ${readerAddr}`);

    // -- 1. the L2 read follows L1 as the origin advances ---------------------------------------
    await waitFor('the L2 origin to pass the first transfer', async () => (await l1Block.number()) >= first.blockNumber, 60_000);
    assert.equal(await reader.l1BalanceOf(holder), 1000n);
    const second = await (await token.transfer(holder, 234n)).wait();
    log(`L1: +234 to the holder in L1 block ${second.blockNumber}`);
    // Before the origin reaches it, L2 still sees the old balance (the read is at the origin).
    // Both calls at one L2 block: a new block (a later origin) may come between them.
    const pinned = { blockTag: await l2.getBlockNumber() };
    const origin = await l1Block.number(pinned);
    if (origin < second.blockNumber) assert.equal(await reader.l1BalanceOf(holder, pinned), 1000n);
    await waitFor('the L2 origin to pass the second transfer', async () => (await l1Block.number()) >= second.blockNumber, 60_000);
    assert.equal(await reader.l1BalanceOf(holder), 1234n);
    const rec = track(await (await reader.record(holder)).wait());
    assert.equal(rec.status, 1);
    const ev = reader.interface.parseLog(rec.logs[0]);
    assert.equal(ev.args.balance, 1234n);
    // The value recorded is the L1 balance at exactly the L1 block the L2 block names as origin.
    const atOrigin = await token.balanceOf(holder, { blockTag: Number(ev.args.l1Block) });
    assert.equal(ev.args.balance, atOrigin);
    log(`record(): balance ${ev.args.balance} at L1 block ${ev.args.l1Block} (L2 block ${rec.blockNumber})`);

    // -- 2. L1 unreachable: the tx waits, nothing reverts, other txs go on ----------------------
    const holder2 = ethers.Wallet.createRandom().address;  // never read: no cache can answer
    await (await token.transfer(holder2, 77n)).wait();
    const seenL1 = await l1.getBlockNumber();
    await waitFor('the L2 origin to include the transfer to holder2', async () => (await l1Block.number()) >= seenL1, 60_000);
    proxy.down = true;
    const deferredBefore = await metric(info.l2_rpc, 'l2node_txs_deferred_l1sload_total');
    // eth_call: an error naming L1SLOAD (code -32000, no revert data), not a revert
    const callErr = await rpcRaw(info.l2_rpc, 'eth_call', [{
        to: readerAddr, data: reader.interface.encodeFunctionData('l1BalanceOf', [holder2]) }, 'latest']);
    assert.ok(callErr.error, 'eth_call fails while L1 is down');
    assert.match(callErr.error.message, /L1SLOAD/);
    assert.equal(callErr.error.data, undefined);
    log(`eth_call while down: ${callErr.error.code} ${callErr.error.message}`);
    const nonceBefore = await l2.getTransactionCount(alice.address);
    const pending = await alice.sendTransaction({
        to: readerAddr, data: reader.interface.encodeFunctionData('record', [holder2]), gasLimit: 200_000,
    });
    log(`proxy down: sent record(holder2) ${pending.hash}`);
    // Other traffic is included meanwhile, in several blocks.
    const during = [];
    for (let i = 0; i < 3; ++i) {
        during.push(track(await (await bob.sendTransaction({ to: bob.address, value: 1n })).wait()));
        await sleep(1000);
    }
    assert.ok(during[2].blockNumber > during[0].blockNumber, 'blocks go on');
    assert.equal(await l2.getTransactionReceipt(pending.hash), null, 'the L1SLOAD tx is not included while L1 is down');
    assert.equal(await l2.getTransactionCount(alice.address), nonceBefore, 'and its sender nonce did not move');
    const deferredDuring = await metric(info.l2_rpc, 'l2node_txs_deferred_l1sload_total');
    assert.ok(deferredDuring > deferredBefore, `deferred counter ${deferredBefore} -> ${deferredDuring}`);
    assert.equal(await metric(info.l2_rpc, 'l2node_l1sload_l1_down'), 1);
    assert.ok(proxy.dropped > 0);
    log(`while down: ${during.length} transfers included (blocks ${during[0].blockNumber}..${during[2].blockNumber}), ` +
        `the L1SLOAD tx deferred ${deferredDuring - deferredBefore} times, ${proxy.dropped} requests dropped`);

    // -- L1 back: the tx lands with the right value; then the follower meets an L1SLOAD block
    //    while L1 is down again and retries --------------------------------------------------
    proxy.down = false;
    const late = track(await waitFor('the deferred tx to be included', () => l2.getTransactionReceipt(pending.hash), 60_000));
    assert.equal(late.status, 1, 'included, not reverted');
    const ev2 = reader.interface.parseLog(late.logs[0]);
    assert.equal(ev2.args.balance, 77n);
    assert.equal(await reader.recorded(holder2), 77n);
    assert.equal(await metric(info.l2_rpc, 'l2node_l1sload_l1_down'), 0);
    log(`L1 back: record(holder2) included in L2 block ${late.blockNumber} with balance 77`);

    // The follower has not derived that block yet unless the batcher was fast; take L1SLOAD's L1
    // away from it now and check it waits, then derives once L1 answers.
    const followerSafe = (await rpc(info.follower_rpc, 'rollup_syncStatus')).safe_l2.number;
    if (followerSafe < late.blockNumber) {
        proxy.down = true;
        await sleep(6000);
        const stuck = (await rpc(info.follower_rpc, 'rollup_syncStatus')).safe_l2.number;
        assert.ok(stuck < late.blockNumber, `follower safe ${stuck} stays below ${late.blockNumber} while L1 is down`);
        const flog = fs.readFileSync(path.join(dir, 'follower.log'), 'utf8');
        assert.match(flog, /calls L1SLOAD and L1 is unavailable; retrying/);
        proxy.down = false;
        log(`follower waited at safe block ${stuck} while L1 was down`);
    } else {
        log(`follower had already derived block ${late.blockNumber} (safe ${followerSafe}); retry not exercised`);
    }

    // -- the follower derives the same chain ------------------------------------------------------
    await waitFor(`the follower's safe head >= ${lastBlock}`, async () =>
        (await rpc(info.follower_rpc, 'rollup_syncStatus')).safe_l2.number >= lastBlock, 90_000);
    for (let n = firstBlock; n <= lastBlock; ++n) {
        const q = ethers.toQuantity(n);
        const [a, b] = await Promise.all([rpc(info.l2_rpc, 'eth_getBlockByNumber', [q, false]),
            rpc(info.follower_rpc, 'eth_getBlockByNumber', [q, false])]);
        assert.equal(b.hash, a.hash, `block ${n} hash`);
        assert.equal(b.stateRoot, a.stateRoot, `block ${n} stateRoot`);
    }
    const fr = await rpc(info.follower_rpc, 'eth_getTransactionReceipt', [pending.hash]);
    assert.equal(fr.blockHash, late.blockHash);
    log(`follower: blocks ${firstBlock}..${lastBlock} have the same hash and stateRoot`);

    assert.equal(await devnet.stopAndWait(), 0);
    proxy.close();
    log('OK');
}

main().catch((e) => {
    proxy.close();
    failed(devnet, e);
});
