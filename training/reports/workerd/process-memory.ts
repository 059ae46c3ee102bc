import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** The workerd process listening on the entry socket of `port` (wrangler runs a second one for its proxy). */
export function findWorkerd(port: number): number {
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
