/**
 * A GitHub-flavoured Markdown table; `|` inside cells is escaped so a cell cannot split a row.
 *
 * @example
 * markdownTable(['Network', 'PSNR'], [['EDSR', '33.21']]);
 * // | Network | PSNR |
 * // | --- | --- |
 * // | EDSR | 33.21 |
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** PSNR as SR papers print it (dB, two decimals). */
export function formatPsnr(value: number): string {
  return value.toFixed(2);
}

/** A signed difference in dB: `+0.12`, `-0.03` (`digits` 3 for the paper's, which it prints to 0.001 dB). */
export function formatDelta(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/** Mean, and ± sample std with the count when there is more than one value: `36.12 ± 0.03 (n=3)`. */
export function formatMeanStd(mean: number, std: number, n: number, format: (v: number) => string = formatPsnr): string {
  return n >= 2 ? `${format(mean)} ± ${std.toFixed(2)} (n=${n})` : format(mean);
}
