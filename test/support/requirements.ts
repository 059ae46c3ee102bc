import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { DATASETS_FOLDER, datasetsDir, resolveRepoPath } from '../../training/config/load';

/** Something a suite needs from outside the repository, and what to do when it is missing. */
export interface Requirement {
  /** Set when the machine lacks it: what is missing and the one command (or setting) that provides it. */
  readonly missing: string | undefined;
}

/** The evaluation or training sets `names` (e.g. `Set5`) in the datasets folder (`WDSR_DATASETS`, default `../shared/datasets`), each with its `HR` folder. */
export function datasets(...names: string[]): Requirement & { readonly hr: (name: string) => string } {
  const hr = (name: string): string => resolveRepoPath(`${DATASETS_FOLDER}/${name}/HR`);
  const absent = names.filter((name) => !existsSync(hr(name)));
  const missing = absent.length === 0 ? undefined : `${absent.join(', ')} under ${datasetsDir()} (set WDSR_DATASETS to the datasets folder)`;
  return { missing, hr };
}

/** A command-line tool, found by running it with `args` (which must exit 0 or print its usage). */
export function tool(command: string, install: string, args: readonly string[] = ['--version']): Requirement {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return { missing: result.error === undefined ? undefined : `${command} (install it with: ${install})` };
}

/**
 * `describe` when `requirement` is met. Otherwise the suite is reported as skipped, with a warning
 * that names what is missing and how to get it, never as passed; with `failInCi`, under
 * `CI=true` it fails instead (CI installs what such suites need, so a missing tool there is a bug).
 *
 * @example
 * describeWith(tool('djpeg', 'apt-get install libjpeg-turbo-progs'), 'libjpeg reference', () => { ... }, { failInCi: true });
 */
export function describeWith(requirement: Requirement, name: string, suite: () => void, options: { readonly failInCi?: boolean } = {}): void {
  if (requirement.missing === undefined) {
    describe(name, suite);
    return;
  }
  if (options.failInCi === true && process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`CI=true and this suite needs ${requirement.missing}`);
    });
    return;
  }
  console.warn(`[not run] ${name}: needs ${requirement.missing}`);
  describe.skip(name, suite);
}
