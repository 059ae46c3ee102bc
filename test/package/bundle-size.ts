import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/** The repository root, where wrangler is installed. */
export const ROOT = join(import.meta.dirname, '../..');
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');

const MiB = 1024 * 1024;

/*
 * Workers' limit on a Worker's size: 64 MiB uncompressed on every plan since Cloudflare dropped
 * the compressed limits on 2026-09-04 (developers.cloudflare.com/changelog, "increased Worker size
 * limit"); before, 10 MiB gzipped on the Paid plan and 3 MiB on the Free plan. The checks hold the
 * bundle to both, each less a margin: the gzipped one still bounds what every deploy uploads and
 * what an isolate loads at startup (1 s limit), and keeps the bundle deployable where the old
 * limit is still in force.
 */
const UNCOMPRESSED_LIMIT_BYTES = 64 * MiB;
export const UNCOMPRESSED_BUDGET_BYTES = 48 * MiB;
const GZIP_LIMIT_BYTES = 10 * MiB;
export const GZIP_BUDGET_BYTES = 8 * MiB;

interface UploadFile {
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface DryRunBundle {
  /** The modules `wrangler deploy` would upload (script, `.wasm`, model data), largest first. */
  readonly files: readonly UploadFile[];
  readonly bytes: number;
  /** Sum of each module gzipped at zlib's default level, as the former compressed limit counted. */
  readonly gzipBytes: number;
  /** wrangler's own `Total Upload: … / gzip: …` line, for the log. */
  readonly wranglerSummary: string | undefined;
}

/**
 * Bundles the Worker whose wrangler.toml is in `cwd` with `wrangler deploy --dry-run --outdir`
 * (no Cloudflare account needed; a `[build]` command still runs) and measures what would be
 * uploaded. Static assets are uploaded separately and do not count.
 *
 * @example
 * const { gzipBytes } = await dryRunBundle(ROOT); // the Worker `npm run deploy` ships
 */
export async function dryRunBundle(cwd: string): Promise<DryRunBundle> {
  const outdir = mkdtempSync(join(tmpdir(), 'wdsr-dry-run-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir], {
      cwd,
      maxBuffer: 16 * MiB,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    });
    const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.map') && entry.name !== 'README.md')
      .map((entry) => {
        const bytes = readFileSync(join(entry.parentPath, entry.name));
        return { path: relative(outdir, join(entry.parentPath, entry.name)), bytes: bytes.byteLength, gzipBytes: gzipSync(bytes).byteLength };
      })
      .sort((a, b) => b.bytes - a.bytes);
    return {
      files,
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
      gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
      wranglerSummary: /Total Upload:[^\n]*/.exec(stdout)?.[0].trim(),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Whether the bundle is within both budgets, and a line for the log. */
export function judgeBundle(bundle: DryRunBundle): { readonly ok: boolean; readonly summary: string } {
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
  const largest = bundle.files
    .map((file) => `${file.path.replace(/^[0-9a-f]{40}-/, '')} ${mib(file.bytes)}`)
    .slice(0, 4)
    .join(', ');
  return {
    ok: bundle.bytes <= UNCOMPRESSED_BUDGET_BYTES && bundle.gzipBytes <= GZIP_BUDGET_BYTES,
    summary:
      `${mib(bundle.bytes)} uncompressed (budget ${mib(UNCOMPRESSED_BUDGET_BYTES)}, platform limit ${mib(UNCOMPRESSED_LIMIT_BYTES)}), ` +
      `${mib(bundle.gzipBytes)} gzipped (budget ${mib(GZIP_BUDGET_BYTES)}, former Paid-plan limit ${mib(GZIP_LIMIT_BYTES)}); ` +
      `${bundle.files.length} modules, largest: ${largest}`,
  };
}
