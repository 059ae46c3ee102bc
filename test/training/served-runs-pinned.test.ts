import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/digest';
import { REPO_ROOT } from '../../training/config/load';
import { readRunConfig } from '../../training/loop/run-dir';
import { readManifest } from '../../training/onnx/manifest';
import { readRunLog } from '../../training/reports/plot/run-curves';

// Reproducible runs (issue #21): the run behind each served model names the weights it started
// from by SHA-256 in its committed config (model/runs/<run>/config.json), and those bytes are in git.
const manifest = await readManifest(join(REPO_ROOT, 'model'));
const tracked = new Set(execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0'));

const servedRuns = manifest.models.map((model) => [model.id, (model.training as { run: string }).run] as const);

describe.each(servedRuns)('served model %s, run %s', (_, run) => {
  const runDir = join(REPO_ROOT, 'model', 'runs', run);

  it('pins the weights its run started from by SHA-256, or starts from its seed', async () => {
    const config = await readRunConfig(runDir);
    const pins = [config.warmStart, config.initFrom, config.quantization?.from].filter((pin) => pin !== undefined);
    const start = (await readRunLog(runDir)).find((record) => record.type === 'start');
    expect(start, 'a start record in log.jsonl').toBeDefined();
    if (start?.type !== 'start') return;
    if (pins.length === 0) {
      // From its seed: the first session began at iteration 0 with no trained weights.
      expect(start).toMatchObject({ iteration: 0 });
      expect(start).not.toHaveProperty('warmStartFrom');
      expect(start).not.toHaveProperty('initFrom');
      return;
    }
    // The log agrees on what kind of start it was (and, once logs record it, on the hash).
    if (config.warmStart !== undefined) {
      expect(start.warmStartFrom).toBeDefined();
      expect(start.iteration).toBe(start.warmStartFrom!.iterations);
      if (start.warmStartFrom!.sha256 !== undefined) expect(start.warmStartFrom!.sha256).toBe(config.warmStart.sha256);
    } else if (config.initFrom !== undefined) {
      expect(start.initFrom).toBeDefined();
      if (start.initFrom!.sha256 !== undefined) expect(start.initFrom!.sha256).toBe(config.initFrom.sha256);
    } else {
      expect(start).toMatchObject({ iteration: 0 });
    }
  });

  it('pins only tracked files, each with the SHA-256 of its bytes', async () => {
    const config = await readRunConfig(runDir);
    for (const pin of [
      config.warmStart,
      config.initFrom,
      config.quantization?.from,
      config.distill && { file: config.distill.teacher, sha256: config.distill.sha256 },
    ]) {
      if (pin === undefined) continue;
      expect(tracked.has(pin.file), `${pin.file} is tracked by git`).toBe(true);
      expect(await sha256Hex(new Uint8Array(await readFile(join(REPO_ROOT, pin.file)))), pin.file).toBe(pin.sha256);
    }
  });
});
