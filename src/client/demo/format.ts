/*
 * Pure formatting for the demo page's numbers (kept free of the DOM so Node tests cover it).
 */

const BYTE_UNITS = ['KiB', 'MiB', 'GiB'];

/**
 * Byte counts the way the README states limits (binary units, 3 significant digits).
 *
 * @example
 * formatBytes(812); // '812 B'
 * formatBytes(11_468); // '11.2 KiB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 100 ? value.toPrecision(3) : Math.round(value)} ${BYTE_UNITS[unit]}`;
}

/**
 * Durations: whole milliseconds below a second, seconds with two decimals above.
 *
 * @example
 * formatMs(41.7); // '42 ms'
 * formatMs(1234); // '1.23 s'
 */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** One `Server-Timing` metric with a duration. */
export interface ServerTimingStage {
  readonly name: string;
  readonly ms: number;
}

/**
 * The metrics of a `Server-Timing` header (W3C Server Timing) that carry a `dur`, in order;
 * metrics without one, and malformed entries, are skipped rather than guessed at.
 *
 * @example
 * parseServerTiming('fetch;dur=1.5, infer;dur=240.2'); // [{ name: 'fetch', ms: 1.5 }, { name: 'infer', ms: 240.2 }]
 */
export function parseServerTiming(header: string | null): ServerTimingStage[] {
  if (header === null) return [];
  const stages: ServerTimingStage[] = [];
  for (const metric of header.split(',')) {
    const [name, ...params] = metric.split(';').map((part) => part.trim());
    const duration = params.map((param) => /^dur=([0-9]+(?:\.[0-9]+)?)$/.exec(param)).find((match) => match !== null);
    if (name && /^[\w-]+$/.test(name) && duration) stages.push({ name, ms: Number(duration[1]) });
  }
  return stages;
}

/**
 * Pixel dimensions as people write them.
 *
 * @example
 * formatSize(384, 256); // '384 × 256 px'
 */
export function formatSize(width: number, height: number): string {
  return `${width} × ${height} px`;
}
