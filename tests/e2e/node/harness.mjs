// Shared by the e2e scripts: `l2node devnet` as a child process, and polling helpers.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Polls `fn` every `every` ms until it returns something truthy (exceptions count as not yet);
/// throws after `ms` naming `what` and the last exception.
export async function waitFor(what, fn, ms = 30_000, every = 200) {
    const deadline = Date.now() + ms;
    let last;
    while (Date.now() < deadline) {
        try {
            const v = await fn();
            if (v) return v;
        } catch (e) {
            last = e;
        }
        await sleep(every);
    }
    throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/// `l2node devnet --datadir dir ...args`. Killed (SIGKILL) if the script exits without stopping
/// it; SIGINT/SIGTERM of the script stop it first.
export class Devnet {
    constructor(l2node, dir, args = []) {
        this.l2node = l2node;
        this.dir = dir;
        this.args = args;
        this.proc = null;
        this.output = '';
        process.on('exit', () => {
            if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGKILL');
        });
        for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { this.stop(); process.exit(1); });
    }

    /// Starts it and resolves with devnet.json once it appears.
    async start() {
        this.proc = spawn(this.l2node, ['devnet', '--datadir', this.dir, ...this.args],
            { stdio: ['ignore', 'pipe', 'pipe'] });
        this.proc.stdout.on('data', (d) => { this.output += d; });
        this.proc.stderr.on('data', (d) => { this.output += d; });
        const deadline = Date.now() + 90_000;
        while (Date.now() < deadline) {
            if (this.proc.exitCode !== null) throw new Error(`devnet exited early:\n${this.output}`);
            const f = path.join(this.dir, 'devnet.json');
            if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f));
            await sleep(200);
        }
        throw new Error(`devnet.json did not appear:\n${this.output}`);
    }

    /// devnet.json as it is now (pids change when a node is restarted).
    info() {
        return JSON.parse(fs.readFileSync(path.join(this.dir, 'devnet.json')));
    }

    /// SIGINT: stops the nodes and anvil.
    stop() {
        if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGINT');
    }

    /// stop(), then waits for the exit; resolves with the exit code.
    async stopAndWait(ms = 20_000) {
        this.stop();
        await waitFor('the devnet to exit', () => this.proc.exitCode !== null, ms);
        return this.proc.exitCode;
    }
}

// ---------------------------------------------------------------------------------------------
// raw JSON-RPC (batches: comparing hundreds of blocks one call at a time is too slow)

let rpcId = 0;

/// The whole reply of one call: { result } or { error: { code, message, data } }.
export async function rpcRaw(url, method, params = []) {
    const res = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    });
    return res.json();
}

/// The result of one call; throws "method: message" on a JSON-RPC error.
export async function rpc(url, method, params = []) {
    const j = await rpcRaw(url, method, params);
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result;
}

/// `calls` ([method, params] each) in batches of `chunk`: the whole replies, in call order
/// (undefined where the server sent none).
export async function rpcBatchRaw(url, calls, chunk = 200) {
    const out = [];
    for (let i = 0; i < calls.length; i += chunk) {
        const part = calls.slice(i, i + chunk);
        const res = await fetch(url, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify(part.map(([method, params], k) => ({ jsonrpc: '2.0', id: k, method, params }))),
        });
        const arr = await res.json();
        if (!Array.isArray(arr)) throw new Error(`batch reply is not an array: ${JSON.stringify(arr).slice(0, 300)}`);
        const byId = new Map(arr.map((r) => [r.id, r]));
        for (let k = 0; k < part.length; ++k) out.push(byId.get(k));
    }
    return out;
}

/// The results of rpcBatchRaw; throws on the first missing reply or error.
export async function rpcBatch(url, calls, chunk = 200) {
    const replies = await rpcBatchRaw(url, calls, chunk);
    return replies.map((r, k) => {
        if (!r) throw new Error(`batch: no reply for ${calls[k][0]}`);
        if (r.error) throw new Error(`${calls[k][0]}: ${r.error.message}`);
        return r.result;
    });
}

/// A node's Prometheus metrics as { name: number } (labelled series keep their labels).
export async function metrics(url) {
    const text = await (await fetch(`${url.replace(/\/$/, '')}/metrics`)).text();
    const m = {};
    for (const line of text.split('\n')) {
        if (!line || line.startsWith('#')) continue;
        const [k, v] = line.trim().split(/\s+/);
        m[k] = Number(v);
    }
    return m;
}

/// The last `n` lines of a file, or "(missing)".
export function tail(file, n = 40) {
    try {
        return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
    } catch {
        return '(missing)';
    }
}

/// A failed e2e script: the error, the devnet's output and the nodes' log tails, then the
/// devnet is stopped and the process exits 1.
export function failed(devnet, e, nodes = ['sequencer', 'follower']) {
    console.error(e);
    console.error(`--- devnet output (tail) ---\n${devnet.output.split('\n').slice(-30).join('\n')}`);
    let logs = {};
    try {
        logs = devnet.info().logs ?? {};
    } catch {
        // devnet.json not written yet
    }
    for (const name of nodes) {
        const f = logs[name] ?? path.join(devnet.dir, `${name}.log`);
        console.error(`--- ${name} log ${f} (tail) ---\n${tail(f, 50)}`);
    }
    devnet.stop();
    process.exit(1);
}
