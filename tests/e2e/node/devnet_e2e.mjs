// End to end: `l2node devnet` used the way an app developer uses it, with ethers 6 and cast.
//
// Usage: node devnet_e2e.mjs <l2node> <cast> <contract artifacts dir>
//
// Exits nonzero on the first failed check; the devnet (and with it anvil and the sequencer) is
// always stopped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ethers } from 'ethers';

import { Devnet, failed, sleep, waitFor } from './harness.mjs';

const [l2node, cast, artifactsDir] = process.argv.slice(2);
if (!l2node || !cast || !artifactsDir) {
    console.error('usage: node devnet_e2e.mjs <l2node> <cast> <artifacts dir>');
    process.exit(2);
}

const kGasPriceOracle = '0x420000000000000000000000000000000000000F';
const kProofFeePerGas = 3n;
const artifact = (name) => JSON.parse(fs.readFileSync(path.join(artifactsDir, `${name}.json`)));

// ---------------------------------------------------------------------------------------------
// the devnet

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2node-devnet-'));
const devnet = new Devnet(l2node, dir, ['--proof-fee-per-gas', `${kProofFeePerGas}`]);


function castRun(...args) {
    return execFileSync(cast, args, { encoding: 'utf8', timeout: 60_000 }).trim();
}

function l2nodeRun(...args) {
    return execFileSync(l2node, args, { encoding: 'utf8', timeout: 120_000 }).trim();
}

// ---------------------------------------------------------------------------------------------
// 0x7D fee-split transactions (docs/spec/transactions.md), signed with ethers' SigningKey

function feeSplitTx(key, f) {
    const q = (v) => ethers.toBeArray(BigInt(v));
    const fields = [q(f.chainId), q(f.nonce), q(f.maxPriorityFeePerGas), q(f.maxFeePerGas),
        q(f.gasLimit), f.to, q(f.value), f.data, [], q(f.maxDataFee), q(f.maxProofFee), []];
    const unsigned = ethers.concat(['0x7d', ethers.encodeRlp(fields)]);
    const sig = new ethers.SigningKey(key).sign(ethers.keccak256(unsigned));
    return ethers.concat(['0x7d', ethers.encodeRlp([...fields, q(sig.yParity), q(sig.r), q(sig.s)])]);
}

// ---------------------------------------------------------------------------------------------

async function main() {
    const info = await devnet.start();
    console.log(`devnet up: L2 ${info.l2_rpc}, L1 ${info.l1_rpc}`);
    // cacheTimeout -1: ethers otherwise answers a repeated eth_getTransactionCount from a 250 ms cache,
    // which hands a second tx a stale nonce when blocks come faster than that.
    const provider = new ethers.JsonRpcProvider(info.l2_rpc, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
    assert.equal((await provider.getNetwork()).chainId, BigInt(info.chain_id));
    const [k0, k1] = [info.dev_keys[8].private_key, info.dev_keys[9].private_key];
    const alice = new ethers.Wallet(k0, provider);
    const bob = new ethers.Wallet(k1, provider);
    const carol = ethers.Wallet.createRandom().address;

    // -- ERC-20 (OpenZeppelin, compiled by solc): deploy, transfer, balances ------------------
    const tokenArt = artifact('TestToken');
    const factory = new ethers.ContractFactory(tokenArt.abi, tokenArt.bytecode, alice);
    const supply = ethers.parseEther('1000000');
    const token = await factory.deploy(supply);
    await token.waitForDeployment();
    const tokenAddr = await token.getAddress();
    assert.notEqual(await provider.getCode(tokenAddr), '0x');
    assert.equal(await token.balanceOf(alice.address), supply);
    console.log(`ERC-20 deployed at ${tokenAddr}`);

    const tx1 = await token.transfer(bob.address, 1234n);
    const r1 = await tx1.wait();
    assert.equal(r1.status, 1);
    assert.equal(await token.balanceOf(bob.address), 1234n);
    assert.equal(await token.balanceOf(alice.address), supply - 1234n);

    // -- getLogs for Transfer events -----------------------------------------------------------
    const transfers = await token.queryFilter(token.filters.Transfer(), 0, 'latest');
    assert.equal(transfers.length, 2);  // the mint, then the transfer
    assert.equal(transfers[1].args.from, alice.address);
    assert.equal(transfers[1].args.to, bob.address);
    assert.equal(transfers[1].args.value, 1234n);
    assert.equal(transfers[1].transactionHash, tx1.hash);
    const toBob = await token.queryFilter(token.filters.Transfer(null, bob.address));
    assert.equal(toBob.length, 1);
    const none = await token.queryFilter(token.filters.Transfer(null, carol));
    assert.equal(none.length, 0);

    // -- receipts carry l1Fee and proofFee ---------------------------------------------------------
    const raw1 = await provider.send('eth_getTransactionReceipt', [tx1.hash]);
    assert.ok(BigInt(raw1.l1Fee) > 0n, 'l1Fee > 0');
    assert.equal(BigInt(raw1.proofFee), BigInt(raw1.gasUsed) * kProofFeePerGas);
    assert.ok(BigInt(raw1.l1GasUsed) > 0n);

    // -- estimateGas then send with exactly that ------------------------------------------------
    const est = await token.transfer.estimateGas(carol, 5n);
    assert.ok(est > 21000n && est < 100000n, `estimate ${est}`);
    const tx2 = await token.transfer(carol, 5n, { gasLimit: est });
    assert.equal((await tx2.wait()).status, 1);
    assert.equal(await token.balanceOf(carol), 5n);

    // -- the GasPriceOracle quotes what the receipts charge --------------------------------------
    const gpo = new ethers.Contract(kGasPriceOracle, [
        'function getL1Fee(bytes) view returns (uint256)', 'function decimals() view returns (uint256)',
        'function isFjord() view returns (bool)', 'function proofFeePerGas() view returns (uint256)',
        'function l1BaseFee() view returns (uint256)'], provider);
    assert.equal(await gpo.decimals(), 6n);
    assert.equal(await gpo.isFjord(), true);
    assert.equal(await gpo.proofFeePerGas(), kProofFeePerGas);
    assert.ok(await gpo.getL1Fee('0x' + '11'.repeat(200)) > 0n);

    // -- a 0x7D fee-split tx with caps ----------------------------------------------------------
    const block = await provider.getBlock('latest');
    const nonce = await provider.getTransactionCount(bob.address, 'pending');
    const base = {
        chainId: info.chain_id, nonce, maxPriorityFeePerGas: 1_000_000n,
        maxFeePerGas: block.baseFeePerGas * 2n + 1_000_000n, gasLimit: 21000n, to: carol,
        value: 777n, data: '0x',
    };
    // caps too small: refused at submission with a clear error
    const tooLow = feeSplitTx(k1, { ...base, maxDataFee: 1n, maxProofFee: 21000n * kProofFeePerGas });
    await assert.rejects(provider.send('eth_sendRawTransaction', [tooLow]), /data fee|maxDataFee/i);
    const good = feeSplitTx(k1, { ...base, maxDataFee: ethers.parseEther('0.01'), maxProofFee: 21000n * kProofFeePerGas });
    const hash7d = await provider.send('eth_sendRawTransaction', [good]);
    assert.equal(hash7d, ethers.keccak256(good));
    const r7d = await waitFor('the 0x7D receipt', () => provider.send('eth_getTransactionReceipt', [hash7d]));
    assert.equal(r7d.status, '0x1');
    assert.equal(r7d.type, '0x7d');
    assert.ok(BigInt(r7d.l1Fee) > 0n && BigInt(r7d.l1Fee) <= ethers.parseEther('0.01'));
    assert.equal(BigInt(r7d.proofFee), 21000n * kProofFeePerGas);
    const t7d = await provider.send('eth_getTransactionByHash', [hash7d]);
    assert.equal(t7d.type, '0x7d');
    assert.equal(BigInt(t7d.maxDataFee), ethers.parseEther('0.01'));
    assert.equal(await provider.getBalance(carol), 777n);
    console.log('0x7D fee-split tx included with its caps');

    // -- deposits (0x7E) only come from L1: refused over RPC with a clear error -----------------
    const fakeDeposit = ethers.concat(['0x7e', ethers.encodeRlp([ethers.ZeroHash, alice.address,
        bob.address, '0x01', '0x', ethers.toBeArray(21000n), '0x', '0x'])]);
    await assert.rejects(provider.send('eth_sendRawTransaction', [fakeDeposit]), /deposit transactions \(type 0x7E\)/);

    // -- cast: send, call, receipt ----------------------------------------------------------------
    const castHash = castRun('send', '--rpc-url', info.l2_rpc, '--private-key', k0, '--async',
        tokenAddr, 'transfer(address,uint256)', carol, '10');
    const castReceipt = await waitFor('cast receipt', () => {
        const out = castRun('receipt', '--rpc-url', info.l2_rpc, castHash, '--json');
        return JSON.parse(out);
    });
    assert.equal(castReceipt.status, '0x1');
    const bal = castRun('call', '--rpc-url', info.l2_rpc, tokenAddr, 'balanceOf(address)(uint256)', carol);
    assert.equal(bal.split(' ')[0], '15');
    console.log('cast send/call/receipt work');

    // -- a deposit on L1 appears on L2 as a 0x7E tx in the first block of its epoch --------------
    const depositTo = ethers.Wallet.createRandom().address;
    const out = l2nodeRun('deposit', '--devnet', dir, '--to', depositTo, '--value', '0.5eth', '--wait');
    const l2Hash = out.match(/L2 tx\s+(0x[0-9a-f]{64})/)[1];
    assert.equal(await provider.getBalance(depositTo), ethers.parseEther('0.5'));
    const dtx = await provider.send('eth_getTransactionByHash', [l2Hash]);
    assert.equal(dtx.type, '0x7e');
    assert.equal(BigInt(dtx.mint), ethers.parseEther('0.5'));
    const dblock = await provider.send('eth_getBlockByHash', [dtx.blockHash, true]);
    const l1info = dblock.transactions[0];
    assert.equal(l1info.type, '0x7e');
    assert.equal(l1info.to.toLowerCase(), '0x4200000000000000000000000000000000000015');
    // setL1BlockValues(number, timestamp, basefee, hash, sequenceNumber, ...): word 4 = 0.
    const words = ethers.dataSlice(l1info.input, 4);
    assert.equal(BigInt(ethers.dataSlice(words, 4 * 32, 5 * 32)), 0n, 'first block of the epoch');
    const l1Number = BigInt(ethers.dataSlice(words, 0, 32));
    const l1Receipt = await new ethers.JsonRpcProvider(info.l1_rpc, undefined, { staticNetwork: true })
        .getTransactionReceipt(out.match(/L1 tx\s+(0x[0-9a-f]{64})/)[1]);
    assert.equal(BigInt(l1Receipt.blockNumber), l1Number, 'the deposit is in its own L1 block\'s epoch');
    console.log(`deposit included in L2 block ${BigInt(dblock.number)} (epoch ${l1Number})`);

    // -- admin API: stop and start the sequencer --------------------------------------------------
    l2nodeRun('admin', 'stop-sequencer', '--devnet', dir);
    await sleep(1500);
    const stopped = await provider.getBlockNumber();
    await sleep(2500);
    assert.equal(await provider.getBlockNumber(), stopped, 'no blocks while stopped');
    l2nodeRun('admin', 'start-sequencer', '--devnet', dir);
    await waitFor('blocks after start', async () => (await provider.getBlockNumber()) > stopped);

    // -- kill -9 the sequencer: the devnet restarts it, the chain and balances persist ----------
    const before = await provider.getBlockNumber();
    const bobTokens = await token.balanceOf(bob.address);
    const carolEth = await provider.getBalance(carol);
    const pid = devnet.info().pids.sequencer;
    process.kill(pid, 'SIGKILL');
    await waitFor('a restarted sequencer', () =>
        devnet.info().pids.sequencer !== pid);
    await waitFor('the RPC after restart', async () => (await provider.getBlockNumber()) >= before);
    assert.equal(await token.balanceOf(bob.address), bobTokens);
    assert.equal(await provider.getBalance(carol), carolEth);
    assert.equal((await provider.getTransactionReceipt(tx1.hash)).status, 1);
    await waitFor('new blocks after restart', async () => (await provider.getBlockNumber()) > before);
    console.log(`sequencer killed at block ${before}; restarted, chain and balances intact`);

    assert.equal(await devnet.stopAndWait(), 0);
    console.log('OK');
}

main().catch((e) => failed(devnet, e, ['sequencer']));
