import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, repoRelativePath, withRepoRelativePaths } from '../../training/config/load';

/**
 * Folders of the machine a file was made on, which no committed file may name: the folder the
 * repository sits in, the temporary folder and the home folder (generated configs, logs and
 * reports store paths relative to the repository root instead, see `withRepoRelativePaths`).
 */
const MACHINE_FOLDERS = [...new Set([dirname(REPO_ROOT.replace(/[\\/]+$/, '')), tmpdir(), homedir()].map((folder) => folder.replace(/[\\/]+$/, '')))].filter(
  // The file system root (a home of "/") would match every absolute path in any text.
  (folder) => folder.length > 1,
);

/** A folder as a path prefix: followed by a separator, and not the tail of a longer relative path or of a URL. */
function prefixPattern(folder: string): RegExp {
  return new RegExp(`(?<![\\w.~/\\\\-])${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\\\/]`);
}

/** NUL bytes in the first 8 KiB: how git itself tells binary files from text. */
function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

describe('tracked files', () => {
  it('name no absolute path of the machine they were made on', async () => {
    expect(MACHINE_FOLDERS.length).toBeGreaterThan(0);
    const patterns = MACHINE_FOLDERS.map(prefixPattern);
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    const hits: string[] = [];
    for (const file of files) {
      const bytes = await readFile(join(REPO_ROOT, file)).catch(() => undefined);
      // A tracked file deleted in the working tree has nothing to check.
      if (bytes === undefined || isBinary(bytes)) continue;
      bytes
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => {
          if (patterns.some((pattern) => pattern.test(line))) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('are checked by a pattern that finds such paths and passes relative ones and URLs', () => {
    const [folder] = MACHINE_FOLDERS;
    const pattern = prefixPattern(folder!);
    expect(pattern.test(`"path": "${folder}/runs/x"`)).toBe(true);
    expect(pattern.test(`(${folder}/x)`)).toBe(true);
    expect(pattern.test(`../..${folder}/x`)).toBe(false);
    expect(pattern.test(`https://example.com${folder}/x`)).toBe(false);
    expect(pattern.test(`${folder}x/y`)).toBe(false);
  });
});

describe('withRepoRelativePaths', () => {
  it('stores absolute paths relative to the repository root, leaving other strings alone', () => {
    const outside = join(dirname(REPO_ROOT), 'runs', 'x');
    expect(withRepoRelativePaths({ path: join(REPO_ROOT, 'model', 'm.onnx'), runs: [outside], n: 1, name: 'WDSR-B_x2', url: 'https://example.com/a' })).toEqual(
      {
        path: join('model', 'm.onnx'),
        runs: [join('..', 'runs', 'x')],
        n: 1,
        name: 'WDSR-B_x2',
        url: 'https://example.com/a',
      },
    );
    expect(repoRelativePath('../shared/datasets/Set5/HR')).toBe('../shared/datasets/Set5/HR');
    expect(repoRelativePath(REPO_ROOT)).toBe('.');
  });
});
