import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A copy of the working tree that later edits do not reach. */
export interface TreeSnapshot {
  readonly dir: string;
  /** The commit the tree was at. */
  readonly head: string;
  /** `git status --porcelain` lines at the time: the uncommitted changes the copy includes. */
  readonly changes: readonly string[];
  remove(): void;
}

/**
 * Copies the files git would see in `root` (tracked and untracked, ignored ones left out) to a
 * temporary directory, with `node_modules` linked, so that `wrangler dev` can run from it:
 * `wrangler dev` reloads the Worker whenever a source file changes, and on a tree someone is
 * editing, a benchmark or load test that runs for minutes would otherwise measure several builds
 * (and fail the requests in flight at each reload). What is measured is the tree as it was when
 * the copy was made.
 *
 * @example
 * const snapshot = snapshotWorkingTree(process.cwd());
 * process.chdir(snapshot.dir); // wrangler dev, wrangler deploy --dry-run: from the copy
 */
export function snapshotWorkingTree(root: string): TreeSnapshot {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const files = git('ls-files', '--cached', '--others', '--exclude-standard', '-z').split('\0').filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), 'wdsr-snapshot-'));
  try {
    for (const file of new Set(files)) {
      const from = join(root, file);
      if (!existsSync(from)) continue; // deleted, not yet staged
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      copyFileSync(from, join(dir, file));
    }
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    head: git('rev-parse', '--short', 'HEAD').trim(),
    changes: git('status', '--porcelain').split('\n').filter(Boolean),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
