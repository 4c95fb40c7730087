// Builds the WASM examples into .wasm modules l2node's engine accepts (docs/spec/wasm-host.md):
// counter.wat with wabt's wat2wasm, token.ts with AssemblyScript's asc (node_modules).
//
// Usage: node examples/wasm/build.mjs --out-dir DIR [--wat2wasm PATH] [--asc PATH]
// Writes DIR/counter.wasm and DIR/token.wasm. Also importable: buildExamples(), watToWasm().

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const defaultAsc = path.join(here, '..', '..', 'node_modules', '.bin', 'asc');

/// The asc flags for an l2node module: no runtime (static buffers only), no abort import,
/// one fixed page of exported memory with a declared maximum, and none of the post-MVP features
/// the engine refuses (bulk memory, saturating float conversions).
export const kAscFlags = ['--runtime', 'stub', '--noAssert', '-O3', '--use', 'abort=',
    '--initialMemory', '1', '--maximumMemory', '1',
    '--disable', 'bulk-memory', '--disable', 'nontrapping-f2i'];

/// Compiles WAT text to a .wasm file at `out` with wat2wasm (MVP features only); returns its bytes.
export function watToWasm(text, out, wat2wasm = 'wat2wasm') {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2wat-'));
    try {
        const src = path.join(tmp, 'module.wat');
        fs.writeFileSync(src, text);
        execFileSync(wat2wasm, [src, '-o', out], { stdio: ['ignore', 'inherit', 'inherit'] });
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    return fs.readFileSync(out);
}

/// Builds both examples into `outDir`; returns { counter, token } (the .wasm paths).
export function buildExamples(outDir, { wat2wasm = 'wat2wasm', asc = defaultAsc } = {}) {
    fs.mkdirSync(outDir, { recursive: true });
    const counter = path.join(outDir, 'counter.wasm');
    const token = path.join(outDir, 'token.wasm');
    watToWasm(fs.readFileSync(path.join(here, 'counter.wat'), 'utf8'), counter, wat2wasm);
    execFileSync(asc, [path.join(here, 'token.ts'), '-o', token, ...kAscFlags],
        { stdio: ['ignore', 'inherit', 'inherit'] });
    return { counter, token };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const args = process.argv.slice(2);
    const opt = (name) => {
        const i = args.indexOf(name);
        return i >= 0 ? args[i + 1] : undefined;
    };
    const outDir = opt('--out-dir');
    if (!outDir) {
        console.error('usage: node build.mjs --out-dir DIR [--wat2wasm PATH] [--asc PATH]');
        process.exit(2);
    }
    const out = buildExamples(outDir, { wat2wasm: opt('--wat2wasm') ?? 'wat2wasm', asc: opt('--asc') ?? defaultAsc });
    for (const [name, f] of Object.entries(out)) console.log(`${name}: ${f} (${fs.statSync(f).size} bytes)`);
}
