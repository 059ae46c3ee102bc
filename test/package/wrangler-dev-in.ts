import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../training/reports/workerd/wrangler-dev';
import { WRANGLER } from './bundle-size';

export interface DevServer {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `wrangler dev` (this repository's wrangler) on the Worker project in `cwd`, on loopback with a
 * fresh state directory, in a process group of its own so that stopping it reaches workerd too.
 * Resolves once `/` answers without a server error. training/reports/workerd/wrangler-dev.ts does the
 * same for this repository's own Worker, from the repository root.
 *
 * @example
 * const dev = await startWranglerDevIn(consumerDir);
 * try { await fetch(`${dev.url}/img/a.png?upscale=2`); } finally { await dev.stop(); }
 */
export async function startWranglerDevIn(cwd: string, timeoutMs = 90_000): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'wdsr-consumer-state-'));
  const args = [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    state,
    '--show-interactive-dev-session=false',
  ];
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // If this process ends without stop() (a failed hook, Ctrl-C), workerd must not outlive it.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup('SIGTERM');
      const killer = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    killGroup('SIGKILL'); // workerd may outlive wrangler
    process.removeListener('exit', onExit);
    rmSync(state, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const up = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) })
      .then(async (response) => {
        await response.arrayBuffer();
        return response.status < 500;
      })
      .catch(() => false);
    if (up) return { url, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`wrangler dev in ${cwd} did not serve ${url}/ (exit ${child.exitCode ?? child.signalCode ?? 'none'})\n--- wrangler output ---\n${output}`);
}
