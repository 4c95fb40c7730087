// End-to-end test of the Solidity contracts (docs/spec/contracts.md) on a real anvil L1.
//
// Usage: node contracts_e2e.mjs <artifacts dir> <anvil path>
//
// Deploys the build's artifacts with ethers 6 and checks: the TransactionDeposited log of
// DepositPortal byte for byte (EOA and contract senders, aliasing with wrap-around, receive(),
// the creation rule, the gas and size limits), L2OutputOracle proposals and their refusals, the
// L1Block storage layout read slot by slot (as the node reads it) and its depositor-only setter,
// and the TestToken and Emitter test contracts. Cross-checks the portal ABI with viem's OP Stack
// actions. Exits nonzero on the first failure; anvil is always killed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ethers } from 'ethers';
import { createWalletClient, http } from 'viem';
import { foundry } from 'viem/chains';
import {
    depositTransaction as viemDeposit,
    extractTransactionDepositedLogs,
    opaqueDataToDepositData,
} from 'viem/op-stack';

const [artifactsDir, anvilPath] = process.argv.slice(2);
if (!artifactsDir || !anvilPath) {
    console.error('usage: node contracts_e2e.mjs <artifacts dir> <anvil path>');
    process.exit(2);
}

const kAliasOffset = 0x1111000000000000000000000000000000001111n;
const kDepositor = '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001';
const kL1BlockAddress = '0x4200000000000000000000000000000000000015';
const kMaxDepositGas = 20_000_000n;
const kMaxDataSize = 120_000;
const kReceiveGas = 100_000n;

// ---------------------------------------------------------------------------------------------
// anvil

let anvil = null;

function killAnvil() {
    if (anvil && anvil.exitCode === null && anvil.signalCode === null) anvil.kill('SIGKILL');
    anvil = null;
}
process.on('exit', killAnvil);
for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
        killAnvil();
        process.exit(1);
    });
}

/// Starts anvil on a free loopback port (port 0: anvil binds one and prints it).
function startAnvil() {
    return new Promise((resolve, reject) => {
        anvil = spawn(anvilPath, ['--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        const timer = setTimeout(() => reject(new Error(`anvil did not start:\n${out}`)), 30_000);
        const onData = (chunk) => {
            out += chunk.toString();
            const m = out.match(/Listening on (127\.0\.0\.1:\d+)/);
            if (m) {
                clearTimeout(timer);
                anvil.stdout.off('data', onData);
                anvil.stdout.resume(); // keep draining so anvil never blocks on a full pipe
                resolve(`http://${m[1]}`);
            }
        };
        anvil.stdout.on('data', onData);
        anvil.stderr.on('data', (c) => (out += c.toString()));
        anvil.on('error', (e) => reject(e));
        anvil.on('exit', (code) => reject(new Error(`anvil exited (${code}):\n${out}`)));
    });
}

// ---------------------------------------------------------------------------------------------
// helpers

function artifact(name) {
    return JSON.parse(fs.readFileSync(path.join(artifactsDir, `${name}.json`), 'utf8'));
}

async function deploy(name, signer, ...args) {
    const a = artifact(name);
    const factory = new ethers.ContractFactory(a.abi, a.bytecode, signer);
    const c = await factory.deploy(...args);
    await c.waitForDeployment();
    return c;
}

function alias(address) {
    const v = (BigInt(address) + kAliasOffset) % (1n << 160n);
    return ethers.getAddress(ethers.toBeHex(v, 20));
}

/// `abi.encodePacked(uint256 mint, uint256 value, uint64 gasLimit, bool isCreation, bytes data)`.
function packOpaque({ mint, value, gasLimit, isCreation, data }) {
    return ethers.concat([
        ethers.toBeHex(mint, 32),
        ethers.toBeHex(value, 32),
        ethers.toBeHex(gasLimit, 8),
        isCreation ? '0x01' : '0x00',
        data,
    ]);
}

function topicAddress(address) {
    return ethers.zeroPadValue(address, 32).toLowerCase();
}

let allErrors = null;

/// The custom error a failed call reverted with, decoded with every artifact's ABI.
function revertName(e) {
    if (e.revert?.name) return e.revert.name;
    if (!allErrors) {
        const fragments = new Map();
        for (const f of fs.readdirSync(artifactsDir).filter((f) => f.endsWith('.json'))) {
            for (const x of JSON.parse(fs.readFileSync(path.join(artifactsDir, f), 'utf8')).abi) {
                if (x.type === 'error') fragments.set(ethers.ErrorFragment.from(x).format('sighash'), x);
            }
        }
        allErrors = new ethers.Interface([...fragments.values()]);
    }
    const data = e.data ?? e.info?.error?.data;
    if (typeof data === 'string' && data.length >= 10) return allErrors.parseError(data)?.name ?? data;
    return null;
}

/// Awaits `promise` (a call/estimate/send) and asserts it reverts with custom error `name`.
async function expectRevert(promise, name) {
    try {
        await promise;
    } catch (e) {
        assert.equal(revertName(e), name, `expected revert ${name}, got: ${e.shortMessage ?? e.message}`);
        return;
    }
    assert.fail(`expected revert ${name}, but the call succeeded`);
}

let checks = 0;
async function check(label, fn) {
    await fn();
    checks++;
    console.log(`ok - ${label}`);
}

// ---------------------------------------------------------------------------------------------
// DepositPortal

/// Asserts that `receipt` holds exactly one TransactionDeposited log with these fields.
function expectDeposit(portal, receipt, want) {
    const logs = receipt.logs.filter((l) => l.address === portal.target);
    assert.equal(logs.length, 1, 'one log from the portal');
    const log = logs[0];
    const event = portal.interface.getEvent('TransactionDeposited');
    assert.equal(event.format('sighash'), 'TransactionDeposited(address,address,uint256,bytes)');
    assert.deepEqual(log.topics, [
        event.topicHash,
        topicAddress(want.from),
        topicAddress(want.to),
        ethers.toBeHex(0, 32), // version 0
    ]);
    // Data is abi.encode(bytes opaqueData): offset 0x20, length, then the packed bytes.
    const opaque = packOpaque(want);
    const [decoded] = ethers.AbiCoder.defaultAbiCoder().decode(['bytes'], log.data);
    assert.equal(decoded, opaque, 'opaqueData byte for byte');
    assert.equal(ethers.dataLength(opaque), 73 + ethers.dataLength(want.data));
    assert.equal(log.data, ethers.AbiCoder.defaultAbiCoder().encode(['bytes'], [opaque]));

    // viem's OP Stack decoder (an independent peer) reads the same fields.
    const [vlog] = extractTransactionDepositedLogs({
        logs: [{ ...log, address: log.address, data: log.data, topics: log.topics, blockHash: log.blockHash,
            blockNumber: BigInt(log.blockNumber), logIndex: log.index, transactionHash: log.transactionHash,
            transactionIndex: log.transactionIndex, removed: false }],
    });
    assert.equal(vlog.args.from, ethers.getAddress(want.from));
    assert.equal(vlog.args.to, ethers.getAddress(want.to));
    assert.equal(vlog.args.version, 0n);
    const d = opaqueDataToDepositData(vlog.args.opaqueData);
    assert.equal(d.mint, BigInt(want.mint));
    assert.equal(d.value, BigInt(want.value));
    assert.equal(d.gas, BigInt(want.gasLimit));
    assert.equal(d.isCreation, want.isCreation);
    assert.equal(d.data.toLowerCase(), ethers.hexlify(want.data).toLowerCase());
}

async function testPortal(provider, rpcUrl) {
    const eoa = await provider.getSigner(0);
    const other = await provider.getSigner(2);
    const portal = await deploy('DepositPortal', eoa);
    const portalAddr = await portal.getAddress();
    const forwarder = await deploy('DepositForwarder', eoa);
    const fwdAddr = await forwarder.getAddress();
    let locked = 0n;
    const estimate = (...args) => portal.depositTransaction.estimateGas(...args);

    await check('portal constants and minimumGasLimit', async () => {
        assert.equal(await portal.DEPOSIT_VERSION(), 0n);
        assert.equal(await portal.MAX_DEPOSIT_GAS(), kMaxDepositGas);
        assert.equal(await portal.MAX_DATA_SIZE(), BigInt(kMaxDataSize));
        assert.equal(await portal.minimumGasLimit(0), 21_000n);
        assert.equal(await portal.minimumGasLimit(10), 21_160n);
    });

    await check('EOA deposit: from = sender, opaqueData packed', async () => {
        const want = { from: eoa.address, to: other.address, mint: ethers.parseEther('1.5'), value: 12345n,
            gasLimit: 250_000n, isCreation: false, data: '0xdeadbeef00112233' };
        const tx = await portal.depositTransaction(want.to, want.value, want.gasLimit, false, want.data, {
            value: want.mint,
        });
        expectDeposit(portal, await tx.wait(), want);
        locked += want.mint;
        assert.equal(await provider.getBalance(portalAddr), locked, 'mint stays locked in the portal');
    });

    await check('EOA deposit: value 2^256-1, empty data, no mint', async () => {
        const want = { from: eoa.address, to: other.address, mint: 0n, value: ethers.MaxUint256,
            gasLimit: 21_000n, isCreation: false, data: '0x' };
        const tx = await portal.depositTransaction(want.to, want.value, want.gasLimit, false, want.data);
        expectDeposit(portal, await tx.wait(), want);
    });

    await check('contract deposit: from = alias(contract)', async () => {
        const want = { from: alias(fwdAddr), to: other.address, mint: 7n, value: 3n, gasLimit: 100_000n,
            isCreation: false, data: '0x01' };
        assert.notEqual(want.from, fwdAddr);
        const tx = await forwarder.forward(portalAddr, want.to, want.value, want.gasLimit, false, want.data, {
            value: want.mint,
        });
        expectDeposit(portal, await tx.wait(), want);
        locked += want.mint;
    });

    await check('contract deposit: alias wraps modulo 2^160', async () => {
        const high = '0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000';
        await provider.send('anvil_setCode', [high, artifact('DepositForwarder').deployedBytecode]);
        const planted = new ethers.Contract(high, artifact('DepositForwarder').abi, eoa);
        const want = { from: alias(high), to: other.address, mint: 0n, value: 0n, gasLimit: 21_000n,
            isCreation: false, data: '0x' };
        assert.equal(want.from, ethers.getAddress('0x1111000000000000000000000000000000000111'));
        const tx = await planted.forward(portalAddr, want.to, 0, want.gasLimit, false, '0x');
        expectDeposit(portal, await tx.wait(), want);
    });

    await check('receive(): EOA deposits ETH to itself', async () => {
        const amount = ethers.parseEther('0.25');
        const tx = await eoa.sendTransaction({ to: portalAddr, value: amount });
        expectDeposit(portal, await tx.wait(), { from: eoa.address, to: eoa.address, mint: amount, value: amount,
            gasLimit: kReceiveGas, isCreation: false, data: '0x' });
        locked += amount;
        assert.equal(await provider.getBalance(portalAddr), locked);
    });

    await check('receive(): contract sender aliased in from, not in to', async () => {
        const tx = await forwarder.forwardEth(portalAddr, { value: 99n });
        expectDeposit(portal, await tx.wait(), { from: alias(fwdAddr), to: fwdAddr, mint: 99n, value: 99n,
            gasLimit: kReceiveGas, isCreation: false, data: '0x' });
        locked += 99n;
    });

    await check('creation: to must be zero', async () => {
        const initCode = artifact('Emitter').bytecode;
        await expectRevert(estimate(other.address, 0, 500_000, true, initCode), 'BadTarget');
        const want = { from: eoa.address, to: ethers.ZeroAddress, mint: 0n, value: 0n, gasLimit: 500_000n,
            isCreation: true, data: initCode };
        const tx = await portal.depositTransaction(ethers.ZeroAddress, 0, want.gasLimit, true, initCode);
        expectDeposit(portal, await tx.wait(), want);
        // A call (not a creation) to address zero is allowed, as in OP Stack.
        await estimate(ethers.ZeroAddress, 0, 21_000, false, '0x');
    });

    await check('gas limit: minimum 21000 + 16 * data length', async () => {
        const data = '0x' + '00'.repeat(10); // zero bytes count as 16 too
        await expectRevert(estimate(other.address, 0, 21_159, false, data), 'GasLimitTooLow');
        await estimate(other.address, 0, 21_160, false, data);
        await expectRevert(estimate(other.address, 0, 20_999, false, '0x'), 'GasLimitTooLow');
    });

    await check('gas limit: maximum MAX_DEPOSIT_GAS', async () => {
        await expectRevert(estimate(other.address, 0, kMaxDepositGas + 1n, false, '0x'),
            'GasLimitTooHigh');
        await estimate(other.address, 0, kMaxDepositGas, false, '0x');
    });

    await check('data: at most 120000 bytes', async () => {
        const gas = 21_000 + 16 * (kMaxDataSize + 1);
        const tooBig = ethers.hexlify(new Uint8Array(kMaxDataSize + 1).fill(0xab));
        await expectRevert(estimate(other.address, 0, gas, false, tooBig), 'LargeCalldata');
        const max = ethers.hexlify(new Uint8Array(kMaxDataSize).fill(0xab));
        const want = { from: eoa.address, to: other.address, mint: 0n, value: 0n, gasLimit: BigInt(gas),
            isCreation: false, data: max };
        const tx = await portal.depositTransaction(want.to, 0, want.gasLimit, false, max);
        expectDeposit(portal, await tx.wait(), want);
    });

    await check("viem's OP Stack depositTransaction works against the portal", async () => {
        const wallet = createWalletClient({ chain: foundry, transport: http(rpcUrl), account: eoa.address });
        const hash = await viemDeposit(wallet, {
            portalAddress: portalAddr,
            request: { to: other.address, mint: 5n, value: 4n, gas: 60_000n, data: '0xc0ffee' },
        });
        const receipt = await provider.waitForTransaction(hash);
        assert.equal(receipt.status, 1);
        expectDeposit(portal, receipt, { from: eoa.address, to: other.address, mint: 5n, value: 4n,
            gasLimit: 60_000n, isCreation: false, data: '0xc0ffee' });
    });
}

// ---------------------------------------------------------------------------------------------
// L2OutputOracle

async function testOracle(provider) {
    const deployer = await provider.getSigner(0);
    const proposerSigner = await provider.getSigner(1);
    const startBlock = 100n;
    const interval = 10n;
    const oracle = await deploy('L2OutputOracle', deployer, proposerSigner.address, interval, startBlock);
    const asProposer = oracle.connect(proposerSigner);
    const propose = (...args) => asProposer.proposeL2Output.estimateGas(...args);
    const root1 = ethers.keccak256(ethers.toUtf8Bytes('output 1'));
    const root2 = ethers.keccak256(ethers.toUtf8Bytes('output 2'));

    await check('oracle: initial state', async () => {
        assert.equal(await oracle.proposer(), proposerSigner.address);
        assert.equal(await oracle.submissionInterval(), interval);
        assert.equal(await oracle.startingBlockNumber(), startBlock);
        assert.equal(await oracle.latestBlockNumber(), startBlock);
        assert.equal(await oracle.nextBlockNumber(), startBlock + interval);
        assert.equal(await oracle.nextOutputIndex(), 0n);
        await expectRevert(oracle.latestOutputIndex(), 'NoOutputs');
        await expectRevert(oracle.getL2Output(0), 'OutputNotFound');
    });

    await check('oracle: constructor refuses zero proposer / interval', async () => {
        const a = artifact('L2OutputOracle');
        const f = new ethers.ContractFactory(a.abi, a.bytecode, deployer);
        await expectRevert(f.deploy(ethers.ZeroAddress, interval, 0), 'BadConfig');
        await expectRevert(f.deploy(proposerSigner.address, 0, 0), 'BadConfig');
    });

    await check('oracle: non-proposer refused', async () => {
        await expectRevert(oracle.proposeL2Output.estimateGas(root1, 110, ethers.ZeroHash, 0), 'NotProposer');
    });

    await check('oracle: propose with L1 block hash, read back', async () => {
        const head = await provider.getBlock('latest');
        const tx = await asProposer.proposeL2Output(root1, 110, head.hash, head.number);
        const receipt = await tx.wait();
        const block = await provider.getBlock(receipt.blockNumber);
        const event = oracle.interface.getEvent('OutputProposed');
        assert.equal(receipt.logs.length, 1);
        const topics = [event.topicHash, root1, ethers.toBeHex(0, 32), ethers.toBeHex(110, 32)];
        assert.deepEqual(receipt.logs[0].topics, topics);
        assert.equal(receipt.logs[0].data, ethers.toBeHex(block.timestamp, 32));
        const out = await oracle.getL2Output(0);
        assert.equal(out.outputRoot, root1);
        assert.equal(out.timestamp, BigInt(block.timestamp));
        assert.equal(out.l2BlockNumber, 110n);
        assert.equal(await oracle.latestOutputIndex(), 0n);
        assert.equal(await oracle.latestBlockNumber(), 110n);
    });

    await check('oracle: refusals (order, zero root, L1 hash, future L1 block, uint128)', async () => {
        const head = await provider.getBlock('latest');
        await expectRevert(propose(root2, 110, ethers.ZeroHash, 0), 'BlockNumberNotIncreasing');
        await expectRevert(propose(root2, 105, ethers.ZeroHash, 0), 'BlockNumberNotIncreasing');
        await expectRevert(propose(ethers.ZeroHash, 120, ethers.ZeroHash, 0), 'EmptyOutputRoot');
        await expectRevert(propose(root2, 120, root1, head.number), 'L1BlockHashMismatch');
        await expectRevert(propose(root2, 120, root1, head.number + 5), 'L1BlockInFuture');
        await expectRevert(propose(root2, 1n << 128n, ethers.ZeroHash, 0), 'BlockNumberTooLarge');
    });

    await check('oracle: second output, lookups by L2 block', async () => {
        await (await asProposer.proposeL2Output(root2, 125, ethers.ZeroHash, 0)).wait();
        assert.equal(await oracle.latestOutputIndex(), 1n);
        assert.equal(await oracle.latestBlockNumber(), 125n);
        assert.equal(await oracle.nextBlockNumber(), 135n);
        assert.equal(await oracle.getL2OutputIndexAfter(0), 0n);
        assert.equal(await oracle.getL2OutputIndexAfter(110), 0n);
        assert.equal(await oracle.getL2OutputIndexAfter(111), 1n);
        assert.equal(await oracle.getL2OutputIndexAfter(125), 1n);
        assert.equal((await oracle.getL2OutputAfter(120)).outputRoot, root2);
        await expectRevert(oracle.getL2OutputIndexAfter(126), 'NoOutputAfter');
    });
}

// ---------------------------------------------------------------------------------------------
// L1Block

async function testL1Block(provider) {
    const a = artifact('L1Block');
    const user = await provider.getSigner(0);

    await check('L1Block: creation yields exactly the runtime code (no immutables)', async () => {
        const c = await deploy('L1Block', user);
        assert.equal(await provider.getCode(await c.getAddress()), a.deployedBytecode);
        assert.ok(!a.abi.some((e) => e.type === 'constructor'));
    });

    // As in genesis: the runtime code planted at the predeploy address, no constructor run.
    await provider.send('anvil_setCode', [kL1BlockAddress, a.deployedBytecode]);
    const l1block = new ethers.Contract(kL1BlockAddress, a.abi, user);

    await check('L1Block: setter signature matches the node (execution/l1_info.cpp)', async () => {
        const f = l1block.interface.getFunction('setL1BlockValues');
        assert.equal(f.format('sighash'),
            'setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint32,uint32,uint256)');
        assert.equal(await l1block.DEPOSITOR_ACCOUNT(), kDepositor);
        assert.equal(await l1block.version(), '1.0.0');
    });

    const values = [
        0xfedcba9876543210n, // number (uint64)
        0xfffffffffffffffen, // timestamp (uint64)
        (1n << 255n) + 7n, // basefee
        ethers.keccak256(ethers.toUtf8Bytes('l1 hash')), // hash
        0x8000000000000001n, // sequenceNumber (uint64)
        ethers.zeroPadValue('0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc', 32), // batcherHash
        (1n << 200n) + 3n, // blobBaseFee
        0xfffffffen, // baseFeeScalar (uint32)
        0x80000001n, // blobBaseFeeScalar (uint32)
        ethers.MaxUint256 - 1n, // proofFeePerGas
    ];
    const getters = ['number', 'timestamp', 'basefee', 'hash', 'sequenceNumber', 'batcherHash', 'blobBaseFee',
        'baseFeeScalar', 'blobBaseFeeScalar', 'proofFeePerGas'];

    await check('L1Block: only the depositor may set values', async () => {
        await expectRevert(l1block.setL1BlockValues.estimateGas(...values), 'NotDepositor');
    });

    await check('L1Block: one field per slot, slots 0..9, as the node reads them', async () => {
        await provider.send('anvil_impersonateAccount', [kDepositor]);
        await provider.send('anvil_setBalance', [kDepositor, ethers.toQuantity(ethers.parseEther('10'))]);
        const depositor = await provider.getSigner(kDepositor);
        const receipt = await (await l1block.connect(depositor).setL1BlockValues(...values)).wait();
        assert.equal(receipt.status, 1);
        await provider.send('anvil_stopImpersonatingAccount', [kDepositor]);

        for (let slot = 0; slot < values.length; slot++) {
            const got = await provider.getStorage(kL1BlockAddress, slot);
            const want = typeof values[slot] === 'bigint' ? ethers.toBeHex(values[slot], 32) : values[slot];
            assert.equal(got, want, `slot ${slot} (${getters[slot]})`);
            const viaGetter = await l1block.getFunction(getters[slot])();
            assert.equal(viaGetter, values[slot], `getter ${getters[slot]}`);
        }
        for (let slot = values.length; slot < values.length + 3; slot++) {
            assert.equal(await provider.getStorage(kL1BlockAddress, slot), ethers.ZeroHash, `slot ${slot} unused`);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Test contracts

async function testTestContracts(provider) {
    const owner = await provider.getSigner(0);
    const bob = await provider.getSigner(3);

    await check('TestToken: supply to deployer, transfer', async () => {
        const supply = ethers.parseUnits('1000000', 18);
        const token = await deploy('TestToken', owner, supply);
        assert.equal(await token.name(), 'Test Token');
        assert.equal(await token.symbol(), 'TST');
        assert.equal(await token.decimals(), 18n);
        assert.equal(await token.totalSupply(), supply);
        assert.equal(await token.balanceOf(owner.address), supply);
        const receipt = await (await token.transfer(bob.address, 42n)).wait();
        const ev = token.interface.parseLog(receipt.logs[0]);
        assert.equal(ev.name, 'Transfer');
        assert.equal(await token.balanceOf(bob.address), 42n);
    });

    await check('Emitter: stores slot 0, emits indexed event', async () => {
        const emitter = await deploy('Emitter', owner);
        const tag = ethers.id('tag');
        await (await emitter.store(5, tag, '0x01')).wait();
        const receipt = await (await emitter.store(9, tag, '0xabcd')).wait();
        const log = receipt.logs[0];
        assert.deepEqual(log.topics, [emitter.interface.getEvent('Stored').topicHash, topicAddress(owner.address),
            ethers.toBeHex(9, 32), tag]);
        const ev = emitter.interface.parseLog(log);
        assert.equal(ev.args.oldValue, 5n);
        assert.equal(ev.args.data, '0xabcd');
        assert.equal(await provider.getStorage(await emitter.getAddress(), 0), ethers.toBeHex(9, 32));
    });
}

// ---------------------------------------------------------------------------------------------

async function main() {
    for (const n of ['DepositPortal', 'L2OutputOracle', 'L1Block', 'TestToken', 'Emitter', 'DepositForwarder']) {
        const a = artifact(n);
        assert.equal(a.contractName, n);
        assert.match(a.bytecode, /^0x[0-9a-f]+$/);
        assert.match(a.deployedBytecode, /^0x[0-9a-f]+$/);
    }
    const url = await startAnvil();
    const provider = new ethers.JsonRpcProvider(url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    provider.pollingInterval = 50;
    try {
        await testPortal(provider, url);
        await testOracle(provider);
        await testL1Block(provider);
        await testTestContracts(provider);
    } finally {
        provider.destroy();
        killAnvil();
    }
    console.log(`all ${checks} checks passed`);
}

main().catch((e) => {
    console.error(e);
    killAnvil();
    process.exit(1);
});
