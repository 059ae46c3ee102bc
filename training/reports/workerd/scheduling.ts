import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Gives process `pid`'s autogroup the nice value of this process's own (Linux, `/proc/<pid>/autogroup`).
 * The kernel shares CPU between sessions first, and `wrangler dev` runs workerd in a session of
 * its own, so a benchmark started with a raised autogroup priority (docs/benchmarks.md) would
 * otherwise measure the Worker at default priority against every other session's jobs. Returns
 * the nice value set, or `undefined` when this process's autogroup is at the default 0.
 *
 * @example
 * shareAutogroupNice(findWorkerd(port)); // -10 under `setsid bash -c 'echo -10 > /proc/self/autogroup; exec …'`
 */
export function shareAutogroupNice(pid: number): number | undefined {
  const nice = Number(/nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1] ?? 0);
  if (nice === 0) return undefined;
  writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  return nice;
}
