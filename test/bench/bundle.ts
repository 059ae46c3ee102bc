import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BundleFile {
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/**
 * The files `wrangler deploy` would upload for the shipped Worker (`--dry-run --outdir`: the
 * script, its WebAssembly and model modules), each raw and gzipped (zlib's default level). The
 * static assets are uploaded separately and do not count towards the Worker size limit.
 */
export function measureBundle(): BundleFile[] {
  const outdir = mkdtempSync(join(tmpdir(), 'wdsr-bundle-'));
  try {
    execFileSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', outdir], {
      stdio: 'pipe',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    });
    return readdirSync(outdir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.map') && entry.name !== 'README.md')
      .map((entry) => {
        const bytes = readFileSync(join(entry.parentPath, entry.name));
        return { path: relative(outdir, join(entry.parentPath, entry.name)), bytes: bytes.byteLength, gzipBytes: gzipSync(bytes).byteLength };
      })
      .sort((a, b) => b.bytes - a.bytes);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
