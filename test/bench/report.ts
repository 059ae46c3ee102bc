import { summarise } from '../support/stats';

/**
 * Stage durations of a `Server-Timing` header (`name;dur=ms, ...`), in milliseconds; a stage named
 * twice is summed, and entries without `dur` are left out.
 *
 * @example
 * parseServerTiming('fetch;dur=3.5, infer;dur=812.0'); // Map { 'fetch' => 3.5, 'infer' => 812 }
 */
export function parseServerTiming(header: string | null): Map<string, number> {
  const stages = new Map<string, number>();
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const dur = params.map((param) => /^\s*dur=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    if (name === undefined || name === '' || dur === undefined) continue;
    stages.set(name, (stages.get(name) ?? 0) + Number(dur));
  }
  return stages;
}

/** `p50 / p90` of `samples` in whole milliseconds (`-` without samples); nearest-rank, so both were measured. */
export function p50p90(samples: readonly number[]): string {
  if (samples.length === 0) return '-';
  const { p50, p90 } = summarise(samples);
  return `${formatMs(p50)} / ${formatMs(p90)}`;
}

/** Milliseconds for a table: one decimal below 10 ms, whole above. */
export function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : ms.toFixed(0);
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/**
 * A Markdown table; numeric columns (named in `right`) are right-aligned.
 *
 * @example
 * markdownTable(['size', 'ms'], [['128', '12']], ['ms']); // '| size | ms |\n|---|---:|\n| 128 | 12 |'
 */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], right: readonly string[] = []): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = `|${headers.map((header) => (right.includes(header) ? '---:' : '---')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
