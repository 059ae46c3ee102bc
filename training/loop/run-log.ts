import { appendFile } from 'node:fs/promises';
import type { WeightsOrigin } from '../checkpoint/origin';
import { withRepoRelativePaths } from '../config/load';

/** One line of `log.jsonl`; `type` says which fields follow. */
export type LogRecord =
  | {
      type: 'start';
      iteration: number;
      backend: string;
      workers?: number;
      resumedFrom?: string;
      changed?: string[];
      /** The pinned weights (`config.warmStart`: path and sha256) and their history; older logs have no sha256. */
      warmStartFrom?: WeightsOrigin & { path: string; sha256?: string };
      momentSteps?: number;
      initFrom?: WeightsOrigin & { path: string; sha256?: string; fresh: string[] };
    }
  | { type: 'train'; iteration: number; loss: number; lr: number; itPerSec: number; elapsedSec: number }
  | { type: 'val'; iteration: number; set: string; psnr: number; ssim: number }
  | { type: 'checkpoint'; iteration: number; path: string }
  | { type: 'stop'; iteration: number; reason: 'finished' | 'interrupted' };

/**
 * The machine-readable training log: JSON Lines, appended (a resumed run continues the
 * same file), each record stamped with wall-clock time. Paths are stored relative to the
 * repository root (see `withRepoRelativePaths`), so a log names no folder of its machine.
 */
export class RunLog {
  constructor(readonly path: string) {}

  async append(record: LogRecord): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(withRepoRelativePaths({ ...record, time: new Date().toISOString() }))}\n`);
  }
}
