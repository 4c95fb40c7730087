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
