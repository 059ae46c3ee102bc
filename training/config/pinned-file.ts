import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../../src/core/digest';
import type { PinnedFile } from './experiment';
import { resolveRepoPath } from './load';
import { ConfigError } from './validate';

/** A pinned file read and checked: its bytes are the ones the config names. */
export interface PinnedBytes {
  /** `file` resolved against the repository root. */
  readonly path: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly sha256: string;
}

/** A pinned file that is missing or holds other bytes: a config error (exit 2), reported as `<field>: <issue>`. */
class PinnedFileError extends ConfigError {
  constructor(field: string, issue: string) {
    super(field, [issue]);
    this.name = 'PinnedFileError';
    this.message = `${field}: ${issue}`;
  }
}

/**
 * A file a config refers to by path and SHA-256 (`warmStart`, `initFrom`, `quantization.from`,
 * the distillation teacher), read whole, then checked: a missing file, or one whose SHA-256 is not
 * the pinned one, is a `PinnedFileError`, a `ConfigError` (the commands exit 2), that names the config field and, on a
 * mismatch, both hashes. Every loader of such a file reads it through here, and uses the bytes
 * it returns, so what was checked is what is used.
 *
 * @example
 * const { bytes } = await readPinnedFile(config.warmStart, 'warmStart');
 */
export async function readPinnedFile(pin: PinnedFile, field: string): Promise<PinnedBytes> {
  const path = resolveRepoPath(pin.file);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new PinnedFileError(field, `cannot read ${pin.file}: ${(error as Error).message}`);
  }
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== pin.sha256) {
    throw new PinnedFileError(
      field,
      `${pin.file} has SHA-256 ${sha256}, but the config pins ${pin.sha256}: refusing other bytes than the config names (pin the new hash if the file was meant to change)`,
    );
  }
  return { path, bytes, sha256 };
}
