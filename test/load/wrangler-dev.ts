import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

/** A `wrangler dev` started for the load test, on loopback only. */
export interface DevServer {
  readonly url: string;
  /** The workerd process serving the Worker (the one whose memory matters). */
  readonly workerdPid: number;
  /** Ends wrangler and its children, then removes the run's state directory. */
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` on 127.0.0.1:`port` in its own process group (so that stopping it ends
 * wrangler, its build step and workerd, and nothing else) and resolves once it is ready.
 *
 * @example
 * const server = await startWranglerDev(8799, { CACHE: 'on' });
 */
export async function startWranglerDev(port: number, vars: Readonly<Record<string, string>>, timeoutMs = 180_000): Promise<DevServer> {
  const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
  // A fresh state directory: the local Cache API persists, and a previous run's entries would turn misses into hits.
  const state = mkdtempSync(join(tmpdir(), 'wdsr-load-'));
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  const args = [wrangler, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, ...varArgs];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  const stop = async () => {
    await stopGroup(child);
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitForReady(child, timeoutMs);
    return { url: `http://127.0.0.1:${port}`, workerdPid: findWorkerd(port), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`wrangler dev not ready after ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    const listen = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready on http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', listen);
    child.stderr!.on('data', listen);
    child.on('exit', (code) => reject(new Error(`wrangler dev exited with ${code}:\n${output.slice(-2000)}`)));
  });
}

/** The workerd process listening on the entry socket of `port` (wrangler runs a second one for its proxy). */
function findWorkerd(port: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('workerd') && cmdline.includes(`--socket-addr=entry=127.0.0.1:${port}`)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no workerd process serves 127.0.0.1:${port}`);
}

/**
 * Resident memory of a process in bytes (Linux `/proc/<pid>/status`): `VmRSS` now, and `VmHWM`,
 * the kernel's record of the peak, which catches spikes between samples.
 */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kilobytes('VmRSS'), peak: kilobytes('VmHWM') };
}

/** Resets the kernel's peak (`VmHWM`) to the current RSS (`clear_refs` 5), to measure one request's peak. */
export function resetPeakMemory(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** SIGTERM to the process group this script created (wrangler and its children); waits up to 10 s for the exit. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
}
