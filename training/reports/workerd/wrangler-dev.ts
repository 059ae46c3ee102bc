import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disableNetworkCapture } from './network-capture';

/** A running `wrangler dev`: where it listens, what it printed, and how to stop it. */
export interface WranglerDev {
  readonly url: string;
  readonly port: number;
  /** wrangler's V8 inspector proxy for the Worker (`ws://127.0.0.1:<port>/`), e.g. for heap statistics. */
  readonly inspectorPort: number;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Stops wrangler, its build step and workerd (the whole process group) and removes its state directory. */
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  /** Loopback port; a free one when omitted. */
  readonly port?: number;
  /** `--var NAME:value` overrides, e.g. `{ ORIGIN: 'http://127.0.0.1:9000' }`. */
  readonly vars?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Entry point instead of wrangler.toml's `main` (the rest of wrangler.toml still applies). */
  readonly script?: string;
  /** The Worker project to run (its wrangler.toml); default: this repository. wrangler is this repository's either way. */
  readonly cwd?: string;
}

/** This repository's wrangler, whichever project it runs. */
const WRANGLER = fileURLToPath(new URL('../../../node_modules/wrangler/bin/wrangler.js', import.meta.url));

/** A TCP port that was free a moment ago on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `wrangler dev` (which runs the wrangler.toml `[build]` step) on loopback with a fresh
 * state directory (the local Cache API persists, and earlier entries would turn misses into
 * hits), in its own process group, and resolves once it answers HTTP. Rejects, after stopping
 * it, if it exits or does not come up within the timeout. Used by the browser, end-to-end, load and
 * package tests (the last on a consumer project of its own), `npm run bench` and `npm run compare:sizes`.
 *
 * @example
 * const dev = await startWranglerDev({ vars: { CACHE: 'off' } });
 * try { await fetch(`${dev.url}/`); } finally { await dev.stop(); }
 */
export async function startWranglerDev(options: WranglerDevOptions = {}): Promise<WranglerDev> {
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'wdsr-wrangler-'));
  const varArgs = Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  const args = [
    'dev',
    ...(options.script === undefined ? [] : [options.script]),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    state,
    '--show-interactive-dev-session=false',
    ...varArgs,
  ];
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  if (child.pid !== undefined) stopWithThisProcess(child.pid);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const dev: WranglerDev = {
    url: `http://127.0.0.1:${port}`,
    port,
    inspectorPort,
    output: () => output,
    stop: async () => {
      await stopGroup(child);
      rmSync(state, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilServing(dev.url, child, options.timeoutMs ?? 180_000);
    // Otherwise wrangler's tooling spends seconds per large subrequest (network-capture.ts).
    await disableNetworkCapture(inspectorPort);
  } catch (error) {
    await dev.stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${output}`);
  }
  return dev;
}

/**
 * Serving means answering `/` without a server error: `/` belongs to the origin, which may well
 * answer 404, while wrangler's proxy answers 5xx until the Worker is up.
 */
async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before serving`);
    // The body read counts too: under load the headers can beat the timeout and the body not,
    // which means not ready yet, like a refused connection, rather than a failed start.
    const answered = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) })
      .then(async (response) => {
        await response.arrayBuffer();
        return response.status < 500;
      })
      .catch(() => false);
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not serve ${url}/ within ${timeoutMs} ms`);
}

/** SIGTERM to the group, SIGKILL if it lingers; resolves when the leader has exited. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const group = child.pid;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(group, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(group, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }
  signalGroup(group, 'SIGKILL'); // workerd may outlive wrangler
  liveGroups.delete(group);
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // The group is already gone.
  }
}

/** Process groups of the wrangler instances started here and not stopped yet. */
const liveGroups = new Set<number>();
let hooksInstalled = false;

/**
 * wrangler runs in a process group of its own, so that stopping it reaches workerd too; which also
 * lets it outlive this process when this one ends without `stop()` (an uncaught error, Ctrl-C, a
 * timeout's SIGTERM), leaving a workerd that holds its port, memory and sometimes a core. So
 * whatever is still running is killed when this process exits or is interrupted; the signal is
 * then raised again, so that it ends this process as it would have.
 */
function stopWithThisProcess(group: number): void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', killLiveGroups);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        killLiveGroups();
        process.kill(process.pid, signal);
      });
    }
  }
  liveGroups.add(group);
}

function killLiveGroups(): void {
  for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  liveGroups.clear();
}
