#!/usr/bin/env node
// Compiles contracts/src/**/*.sol with npm solc (standard JSON) and writes
//   <out-dir>/<Name>.json  {contractName, abi, bytecode, deployedBytecode} (hex with 0x)
//   <cpp>                  the same artifacts embedded for l2::contracts (contracts/artifacts.hpp)
// Output is deterministic (sorted, no paths or timestamps). Any compile error, any warning in our
// own sources, or a broken invariant (file/contract naming, the L1Block storage layout, predeploy
// rules) prints the problem and exits nonzero.
//
// Usage: node contracts/build.mjs --out-dir DIR --cpp FILE

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.join(here, 'src');

const kSolcVersion = '0.8.30';
const kSettings = {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    // No metadata hash in the bytecode: editing a comment must not change the genesis (L1Block)
    // or deployed code. The CBOR trailer still records the compiler version.
    metadata: { bytecodeHash: 'none' },
    outputSelection: {
        '*': {
            '*': [
                'abi',
                'evm.bytecode.object',
                'evm.deployedBytecode.object',
                'evm.deployedBytecode.immutableReferences',
                'storageLayout',
            ],
            '': ['ast'],
        },
    },
};

// Contracts whose runtime code goes straight into genesis: no constructor, no immutables, no
// state-variable initializers (nothing that only a constructor would run).
const kGenesisPredeploys = ['L1Block'];

// docs/spec/contracts.md "L1Block storage": the node reads these slots directly.
const kL1BlockLayout = [
    ['_number', 't_uint256'],
    ['_timestamp', 't_uint256'],
    ['_basefee', 't_uint256'],
    ['_hash', 't_bytes32'],
    ['_sequenceNumber', 't_uint256'],
    ['_batcherHash', 't_bytes32'],
    ['_blobBaseFee', 't_uint256'],
    ['_baseFeeScalar', 't_uint256'],
    ['_blobBaseFeeScalar', 't_uint256'],
    ['_proofFeePerGas', 't_uint256'],
];

function fail(msg) {
    console.error(`contracts/build.mjs: ${msg}`);
    process.exit(1);
}

function parseArgs(argv) {
    const args = {};
    for (let i = 0; i < argv.length; i += 2) {
        const key = argv[i];
        const value = argv[i + 1];
        if (value === undefined) fail(`missing value after ${key}`);
        if (key === '--out-dir') args.outDir = value;
        else if (key === '--cpp') args.cpp = value;
        else fail(`unknown argument ${key}`);
    }
    if (!args.outDir || !args.cpp) fail('usage: node build.mjs --out-dir DIR --cpp FILE');
    return args;
}

/// Every .sol file under `dir`, as sorted paths relative to `root` with '/' separators.
function listSources(dir, root) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...listSources(full, root));
        else if (entry.name.endsWith('.sol')) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
    return out.sort();
}

function openZeppelinRoot() {
    try {
        return path.dirname(require.resolve('@openzeppelin/contracts/package.json'));
    } catch {
        fail('@openzeppelin/contracts not found in node_modules (run scripts/bootstrap)');
    }
}

function compile(solc, sources) {
    const ozRoot = openZeppelinRoot();
    const findImports = (name) => {
        // Our own files are all given up front; only library imports arrive here.
        const prefix = '@openzeppelin/contracts/';
        if (!name.startsWith(prefix)) return { error: `cannot resolve import "${name}"` };
        const file = path.join(ozRoot, name.slice(prefix.length));
        if (!fs.existsSync(file)) return { error: `not found: ${file}` };
        return { contents: fs.readFileSync(file, 'utf8') };
    };
    const input = { language: 'Solidity', sources, settings: kSettings };
    return JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
}

function reportDiagnostics(output, ownSources) {
    let bad = 0;
    for (const e of output.errors ?? []) {
        if (e.severity === 'info') continue;
        const file = e.sourceLocation?.file;
        const ours = file === undefined || ownSources.has(file);
        // Errors anywhere and warnings in our own sources fail the build (like -Werror).
        const fatal = e.severity === 'error' || ours;
        if (fatal) bad++;
        console.error(e.formattedMessage ?? e.message);
    }
    if (bad) fail(`${bad} compile error(s)/warning(s)`);
}

/// The ContractDefinition nodes of one source unit's AST.
function contractDefinitions(ast) {
    return (ast.nodes ?? []).filter((n) => n.nodeType === 'ContractDefinition');
}

function checkPredeploy(name, contract, def) {
    if (contract.abi.some((e) => e.type === 'constructor')) {
        fail(`${name}: a genesis predeploy must have no constructor`);
    }
    const imm = contract.evm.deployedBytecode.immutableReferences ?? {};
    if (Object.keys(imm).length) fail(`${name}: a genesis predeploy must have no immutables`);
    for (const n of def.nodes) {
        if (n.nodeType !== 'VariableDeclaration' || n.constant) continue;
        if (n.mutability === 'immutable') fail(`${name}: immutable ${n.name} in a genesis predeploy`);
        if (n.value) fail(`${name}: state variable ${n.name} has an initializer (constructor code)`);
    }
}

function checkL1BlockLayout(contract) {
    const storage = contract.storageLayout?.storage ?? [];
    const types = contract.storageLayout?.types ?? {};
    const got = storage.map((s) => `${s.slot}:${s.offset}:${s.label}:${s.type}`);
    const want = kL1BlockLayout.map(([label, type], slot) => `${slot}:0:${label}:${type}`);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
        fail(
            'L1Block storage layout differs from docs/spec/contracts.md:\n' +
                `  got  ${got.join(', ')}\n  want ${want.join(', ')}`,
        );
    }
    for (const s of storage) {
        if (types[s.type]?.numberOfBytes !== '32') fail(`L1Block.${s.label} does not fill its slot`);
    }
}

function hex0x(object) {
    if (typeof object !== 'string' || !/^[0-9a-f]*$/.test(object)) fail(`unexpected bytecode "${object}"`);
    // Unlinked library placeholders would show as "__$...$__" and fail the test above.
    return `0x${object}`;
}

/// `s` as a C++ string literal, split into adjacent literals of about `width` characters.
function cppString(s, indent, width = 88) {
    const pieces = [];
    let cur = '';
    for (const ch of s) {
        const code = ch.codePointAt(0);
        let esc;
        if (ch === '"' || ch === '\\') esc = `\\${ch}`;
        else if (code >= 0x20 && code < 0x7f && ch !== '?') esc = ch;
        else {
            // Octal escapes (exactly three digits) cannot run into the next character.
            for (const b of Buffer.from(ch, 'utf8')) esc = (esc ?? '') + `\\${b.toString(8).padStart(3, '0')}`;
        }
        if (cur.length + esc.length > width) {
            pieces.push(cur);
            cur = '';
        }
        cur += esc;
    }
    pieces.push(cur);
    return pieces.map((p) => `"${p}"`).join(`\n${indent}`);
}

function generateCpp(artifacts) {
    const entries = artifacts.map((a) => {
        const ind = '        ';
        return [
            '    Artifact{',
            `        ${cppString(a.contractName, ind)},`,
            `        ${cppString(JSON.stringify(a.abi), ind)},`,
            `        ${cppString(a.bytecode, ind)},`,
            `        ${cppString(a.deployedBytecode, ind)},`,
            '    },',
        ].join('\n');
    });
    return `// Generated by contracts/build.mjs from contracts/src (solc ${kSolcVersion}). Do not edit.
#include <contracts/artifacts.hpp>

#include <array>

namespace l2::contracts {

namespace {

constexpr std::array kArtifacts{
${entries.join('\n')}
};

}  // namespace

const Artifact* find_artifact(std::string_view name) noexcept
{
    for (const auto& a : kArtifacts)
    {
        if (a.name == name)
            return &a;
    }
    return nullptr;
}

std::span<const Artifact> all_artifacts() noexcept
{
    return kArtifacts;
}

}  // namespace l2::contracts
`;
}

function main() {
    const args = parseArgs(process.argv.slice(2));
    const solc = require('solc');
    if (!solc.version().startsWith(`${kSolcVersion}+`)) fail(`expected solc ${kSolcVersion}, found ${solc.version()}`);

    // Source unit names are "src/..." so that nothing about this machine enters the output.
    const names = listSources(srcDir, here);
    if (!names.length) fail(`no .sol files under ${srcDir}`);
    const sources = {};
    for (const n of names) sources[n] = { content: fs.readFileSync(path.join(here, n), 'utf8') };

    const output = compile(solc, sources);
    reportDiagnostics(output, new Set(names));

    // Every file outside src/lib/ defines exactly one concrete contract, named as the file
    // (CMake derives the artifact list from file names); src/lib/ holds libraries/interfaces only.
    const artifacts = [];
    for (const n of names) {
        const defs = contractDefinitions(output.sources[n].ast);
        const concrete = defs.filter((d) => d.contractKind === 'contract' && !d.abstract);
        const base = path.basename(n, '.sol');
        if (n.startsWith('src/lib/')) {
            if (concrete.length) fail(`${n}: src/lib/ may hold only libraries and interfaces`);
            continue;
        }
        if (concrete.length !== 1 || concrete[0].name !== base) {
            const found = concrete.map((d) => d.name).join(', ') || 'none';
            fail(`${n}: must define exactly one concrete contract named ${base} (found: ${found})`);
        }
        const contract = output.contracts[n][base];
        if (kGenesisPredeploys.includes(base)) checkPredeploy(base, contract, concrete[0]);
        if (base === 'L1Block') checkL1BlockLayout(contract);
        artifacts.push({
            contractName: base,
            abi: contract.abi,
            bytecode: hex0x(contract.evm.bytecode.object),
            deployedBytecode: hex0x(contract.evm.deployedBytecode.object),
        });
    }
    artifacts.sort((a, b) => (a.contractName < b.contractName ? -1 : a.contractName > b.contractName ? 1 : 0));
    for (let i = 1; i < artifacts.length; i++) {
        const name = artifacts[i].contractName;
        if (name === artifacts[i - 1].contractName) fail(`duplicate contract ${name}`);
    }
    for (const p of kGenesisPredeploys) {
        if (!artifacts.some((a) => a.contractName === p)) fail(`predeploy ${p} missing`);
    }

    fs.mkdirSync(args.outDir, { recursive: true });
    const keep = new Set(artifacts.map((a) => `${a.contractName}.json`));
    for (const f of fs.readdirSync(args.outDir)) {
        if (f.endsWith('.json') && !keep.has(f)) fs.rmSync(path.join(args.outDir, f));  // stale
    }
    for (const a of artifacts) {
        fs.writeFileSync(path.join(args.outDir, `${a.contractName}.json`), `${JSON.stringify(a, null, 2)}\n`);
    }
    fs.mkdirSync(path.dirname(args.cpp), { recursive: true });
    fs.writeFileSync(args.cpp, generateCpp(artifacts));
    console.log(`contracts: ${artifacts.map((a) => a.contractName).join(', ')} -> ${args.outDir}`);
}

main();
