// End to end: the WASM engine (issue 7) on `l2node devnet`, driven by ethers 6 the way an app
// developer uses it: deploy the examples (examples/wasm: a WAT counter and an AssemblyScript
// token) through the deployer precompile 0x20001, call them with transactions and eth_call, read
// their logs, read WASM state from Solidity (readU64, 0x20002) and EVM state from WASM
// (evm_storage_read), refuse a float-using and a malformed module, and check the follower derives
// the same blocks (hashes and state roots).
//
// Usage: node wasm_e2e.mjs <l2node> <contract artifacts dir> <wat2wasm> <asc>
//
// Exits nonzero on the first failed check; the devnet is always stopped.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ethers } from 'ethers';

import { Devnet, failed, rpc, sleep, waitFor } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { buildExamples, watToWasm } = await import(path.join(here, '..', '..', '..', 'examples', 'wasm', 'build.mjs'));

const [l2node, artifactsDir, wat2wasm, asc] = process.argv.slice(2);
if (!l2node || !artifactsDir || !wat2wasm || !asc) {
    console.error('usage: node wasm_e2e.mjs <l2node> <artifacts dir> <wat2wasm> <asc>');
    process.exit(2);
}

const kDeployer = '0x0000000000000000000000000000000000020001';
const kReadU64 = '0x0000000000000000000000000000000000020002';
const artifact = (name) => JSON.parse(fs.readFileSync(path.join(artifactsDir, `${name}.json`)));
const word = (v) => ethers.zeroPadValue(ethers.toBeArray(BigInt(v)), 32);
const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

// ---------------------------------------------------------------------------------------------
// the devnet

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2node-wasm-'));
const devnet = new Devnet(l2node, dir, []);



/// The identity a (name, version) deploys to: keccak256(chain_id (8 BE) ‖ name ‖ version (8 BE))[0..20].
function wasmIdentity(chainId, name, version) {
    const h = ethers.solidityPackedKeccak256(['uint64', 'string', 'uint64'], [chainId, name, version]);
    return ethers.getAddress(ethers.dataSlice(h, 0, 20));
}

/// Sends `tx` from `wallet` and returns its receipt without throwing on status 0.
async function sendRaw(wallet, tx) {
    const sent = await wallet.sendTransaction(tx);
    const receipt = await waitFor(`receipt of ${sent.hash}`, () => wallet.provider.getTransactionReceipt(sent.hash));
    return receipt;
}

/// The revert data of an eth_call that must fail.
async function revertData(provider, tx) {
    try {
        await provider.call(tx);
    } catch (e) {
        const data = e.data ?? e.info?.error?.data;
        assert.ok(data !== undefined, `no revert data in ${e.message}`);
        return data;
    }
    throw new Error('the call did not revert');
}

const revertReason = (data) => ethers.AbiCoder.defaultAbiCoder().decode(['string'], ethers.dataSlice(data, 4))[0];

// ---------------------------------------------------------------------------------------------

async function main() {
    const outDir = path.join(dir, 'wasm');
    const built = buildExamples(outDir, { wat2wasm, asc });
    const counterWasm = fs.readFileSync(built.counter);
    const tokenWasm = fs.readFileSync(built.token);
    const floatWasm = watToWasm('(module (memory (export "memory") 1 1)\n' +
        '  (func (export "call") (drop (f64.add (f64.const 1) (f64.const 2)))))', path.join(outDir, 'float.wasm'), wat2wasm);
    const malformedWasm = ethers.getBytes('0x0061736d01000000010a');  // truncated type section
    log(`examples built: counter ${counterWasm.length} bytes, token ${tokenWasm.length} bytes`);

    const info = await devnet.start();
    log(`devnet up: L2 ${info.l2_rpc}, follower ${info.follower_rpc}`);
    const provider = new ethers.JsonRpcProvider(info.l2_rpc, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
    const chainId = BigInt(info.chain_id);
    assert.equal((await provider.getNetwork()).chainId, chainId);
    const alice = new ethers.Wallet(info.dev_keys[8].private_key, provider);
    const bob = new ethers.Wallet(info.dev_keys[9].private_key, provider);
    const deployer = new ethers.Contract(kDeployer,
        ['function deploy(string name, uint64 version, bytes module) returns (address)'], alice);
    let lastBlock = 0;
    const track = (r) => { lastBlock = Math.max(lastBlock, r.blockNumber); return r; };

    // -- deploy both examples --------------------------------------------------------------------
    const firstBlock = (await provider.getBlockNumber()) + 1;
    const counter = wasmIdentity(chainId, 'counter', 1);
    const tokenAddr = wasmIdentity(chainId, 'token', 1);
    assert.equal(await deployer.deploy.staticCall('counter', 1, counterWasm), counter);
    for (const [name, mod, id] of [['counter', counterWasm, counter], ['token', tokenWasm, tokenAddr]]) {
        const tx = await deployer.deploy(name, 1, mod);
        const r = track(await tx.wait());
        assert.equal(r.status, 1, `deploy ${name}`);
        assert.ok(r.gasUsed > 32000n + 200n * BigInt(mod.length), `deploy gas ${r.gasUsed}`);
        assert.equal(await provider.getTransactionCount(id), 1, `${name}'s nonce`);
        log(`${name} deployed at ${id} (block ${r.blockNumber}, gas ${r.gasUsed})`);
    }
    // a (name, version) is immutable
    await assert.rejects(deployer.deploy.staticCall('counter', 1, counterWasm), /identity in use/);

    // -- the counter: txs and eth_call -----------------------------------------------------------
    for (let i = 1; i <= 2; ++i) {
        const r = track(await sendRaw(alice, { to: counter, data: '0x' }));
        assert.equal(r.status, 1, `increment ${i}`);
        assert.equal(r.logs.length, 0);
    }
    assert.equal(await provider.call({ to: counter, data: '0x01' }), word(2));
    assert.equal(await provider.call({ to: counter, data: '0x' }), word(3));  // simulated: no state change
    assert.equal(await provider.call({ to: counter, data: '0x01' }), word(2));
    const badOp = await revertData(provider, { to: counter, data: '0x07' });
    assert.equal(ethers.toUtf8String(badOp), 'counter: bad calldata');
    const failed = track(await sendRaw(alice, { to: counter, data: '0x07', gasLimit: 100_000 }));
    assert.equal(failed.status, 0, 'a reverting WASM call is a failed tx');
    const est = await provider.estimateGas({ from: alice.address, to: counter, data: '0x' });
    assert.ok(est > 21000n + 20000n && est < 100_000n, `estimateGas ${est}`);
    log(`counter: 2 increments, eth_call get/simulate, revert data, estimateGas ${est}`);

    // -- WASM -> EVM and EVM -> WASM through a Solidity contract ---------------------------------
    const readerArt = artifact('WasmReader');
    const reader = await new ethers.ContractFactory(readerArt.abi, readerArt.bytecode, alice).deploy();
    track(await (await reader.deploymentTransaction()).wait());
    const readerAddr = await reader.getAddress();
    assert.equal(await reader.read(counter, 0), word(2), 'readU64(counter, 0) from Solidity');
    assert.equal(await reader.read(counter, 9), ethers.ZeroHash);
    assert.equal(await reader.read(readerAddr, 0), ethers.ZeroHash, 'readU64 of an EVM account');
    const direct = new ethers.Contract(kReadU64, ['function readU64(address module, uint64 slot) view returns (bytes32)'], provider);
    assert.equal(await direct.readU64(counter, 0), word(2));

    track(await (await reader.set(0xabcdef)).wait());
    const evmRead = ethers.concat(['0x02', readerAddr, ethers.ZeroHash]);  // slot 0 of WasmReader
    assert.equal(await provider.call({ to: counter, data: evmRead }), word(0xabcdef));
    const er = track(await sendRaw(alice, { to: counter, data: evmRead }));
    assert.equal(er.status, 1);
    assert.equal(await reader.read(counter, 1), word(0xabcdef), 'the EVM value stored by the module');
    log('readU64 from Solidity and evm_storage_read from WASM agree');

    // -- the AssemblyScript token ----------------------------------------------------------------
    const erc20 = ['function transfer(address to, uint256 amount) returns (bool)',
        'function balanceOf(address owner) view returns (uint256)', 'function totalSupply() view returns (uint256)',
        'event Transfer(address indexed from, address indexed to, uint256 value)'];
    const token = new ethers.Contract(tokenAddr, erc20, alice);
    const mint = track(await sendRaw(alice, { to: tokenAddr, data: '0x' }));  // the first call mints
    assert.equal(mint.status, 1);
    assert.equal(mint.logs.length, 1);
    assert.equal(mint.logs[0].address, tokenAddr);
    assert.equal(await token.totalSupply(), 1_000_000n);
    assert.equal(await token.balanceOf(alice.address), 1_000_000n);
    const tx = await token.transfer(bob.address, 1234n);
    const tr = track(await tx.wait());
    assert.equal(tr.status, 1);
    assert.equal(tr.logs.length, 1);
    const parsed = token.interface.parseLog(tr.logs[0]);
    assert.equal(parsed.name, 'Transfer');
    assert.deepEqual([parsed.args.from, parsed.args.to, parsed.args.value], [alice.address, bob.address, 1234n]);
    assert.equal(await token.balanceOf(bob.address), 1234n);
    assert.equal(await token.balanceOf(alice.address), 1_000_000n - 1234n);
    // eth_getLogs finds the mint and the transfer, and filters by topic
    const all = await token.queryFilter(token.filters.Transfer(), 0, 'latest');
    assert.equal(all.length, 2);
    assert.equal(all[0].args.from, ethers.ZeroAddress);
    assert.equal(all[1].transactionHash, tx.hash);
    const toBob = await provider.getLogs({ address: tokenAddr, topics: [ethers.id('Transfer(address,address,uint256)'), null, ethers.zeroPadValue(bob.address, 32)], fromBlock: 0 });
    assert.equal(toBob.length, 1);
    assert.equal(BigInt(toBob[0].data), 1234n);
    // bob sends some back; too much reverts with the module's message
    const back = track(await (await token.connect(bob).transfer(alice.address, 34n)).wait());
    assert.equal(back.status, 1);
    assert.equal(await token.balanceOf(bob.address), 1200n);
    const tooMuch = await revertData(provider, { from: bob.address, to: tokenAddr, data: token.interface.encodeFunctionData('transfer', [alice.address, 5000n]) });
    assert.equal(ethers.toUtf8String(tooMuch), 'token: insufficient balance');
    assert.equal(await reader.read(tokenAddr, 0), word(1_000_000), 'the token supply via readU64');
    log('token: mint, transfers, logs via eth_getLogs, balance checks');

    // -- refused modules ------------------------------------------------------------------------
    for (const [name, mod, re] of [['floaty', floatWasm, /float/i], ['malformed', malformedWasm, /malformed|invalid/i]]) {
        const data = deployer.interface.encodeFunctionData('deploy', [name, 1, mod]);
        const reason = revertReason(await revertData(provider, { from: alice.address, to: kDeployer, data }));
        assert.match(reason, re, `${name}: ${reason}`);
        const r = track(await sendRaw(alice, { to: kDeployer, data, gasLimit: 2_000_000 }));
        assert.equal(r.status, 0, `the ${name} deploy tx reverts`);
        assert.equal(await provider.getTransactionCount(wasmIdentity(chainId, name, 1)), 0);
        assert.equal(await provider.call({ to: kReadU64, data: direct.interface.encodeFunctionData('readU64', [wasmIdentity(chainId, name, 1), 0]) }), ethers.ZeroHash);
        log(`${name} module refused: "${reason}"`);
    }

    // -- the follower derives the same chain -----------------------------------------------------
    log(`waiting for the follower's safe head to reach block ${lastBlock}`);
    await waitFor(`the follower's safe head >= ${lastBlock}`, async () =>
        (await rpc(info.follower_rpc, 'rollup_syncStatus')).safe_l2.number >= lastBlock, 90_000);
    for (let n = firstBlock; n <= lastBlock; ++n) {
        const q = ethers.toQuantity(n);
        const [a, b] = await Promise.all([rpc(info.l2_rpc, 'eth_getBlockByNumber', [q, false]),
            rpc(info.follower_rpc, 'eth_getBlockByNumber', [q, false])]);
        assert.ok(a && b, `block ${n} on both nodes`);
        assert.equal(b.hash, a.hash, `block ${n} hash`);
        assert.equal(b.stateRoot, a.stateRoot, `block ${n} stateRoot`);
    }
    const follower = new ethers.JsonRpcProvider(info.follower_rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const at = ethers.toQuantity(lastBlock);
    assert.equal(await follower.call({ to: counter, data: '0x01', blockTag: at }), word(2));
    assert.equal(await new ethers.Contract(tokenAddr, erc20, follower).balanceOf(bob.address, { blockTag: at }), 1200n);
    log(`follower: blocks ${firstBlock}..${lastBlock} have the same hash and stateRoot; module state matches`);

    assert.equal(await devnet.stopAndWait(), 0);
    log('OK');
}

main().catch((e) => failed(devnet, e));
