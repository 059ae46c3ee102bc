import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { latestCheckpoint, loadCheckpoint } from '../../training/checkpoint/load';
import { trainingHooks } from '../../training/cli/training-hooks';
import type { ExperimentConfig } from '../../training/config/experiment';
import { REPO_ROOT, withRepoRelativePaths } from '../../training/config/load';
import { validateExperimentConfig } from '../../training/config/validate';
import type { LogRecord } from '../../training/loop/run-log';
import { train } from '../../training/loop/trainer';
import { writeImages } from './helpers/images';
import { finalWeights, readLog, silent, trainInterrupted } from './helpers/training-runs';

describe('train', () => {
  let workDir: string;
  let config: ExperimentConfig;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'wdsr-train-'));
    await writeImages(join(workDir, 'train'), 4, 40, 1);
    await writeImages(join(workDir, 'val'), 2, 24, 2);
    config = validateExperimentConfig(
      {
        name: 'loop-test',
        arch: { arch: 'wdsr_b', scale: 2, nFeats: 6, nBlocks: 1, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' },
        data: { train: [join(workDir, 'train')], val: join(workDir, 'val'), hrPatchSize: 16 },
        train: {
          iterations: 8,
          batchSize: 2,
          lr: 1e-3,
          lrHalvingSteps: [4],
          seed: 5,
          backend: 'wasm',
          logEvery: 1,
          validateEvery: 4,
          checkpointEvery: 3,
          keepCheckpoints: 2,
        },
      },
      'inline',
    );
  });

  it.each([1, 2])('continues an interrupted run exactly as if it had never stopped (%i workers)', async (workers) => {
    const run = { ...config, train: { ...config.train, workers } };
    const straight = join(workDir, `straight-${workers}`);
    const result = await train({ config: run, runDir: straight, resume: false, hooks: trainingHooks, console: silent });
    expect(result).toMatchObject({ iteration: 8, interrupted: false });
    expect((await readLog(straight))[0]).toMatchObject({ type: 'start', iteration: 0, workers });

    const interrupted = join(workDir, `interrupted-${workers}`);
    const sessions = await trainInterrupted(run, interrupted, 5);
    expect(sessions.interrupted).toMatchObject({ iteration: 5, interrupted: true, checkpoint: join(interrupted, 'checkpoints', '00000005') });
    expect(sessions.resumed).toMatchObject({ iteration: 8, interrupted: false });

    expect(await finalWeights(interrupted)).toEqual(await finalWeights(straight));
    const losses = (records: LogRecord[]) => records.flatMap((r) => (r.type === 'train' ? [[r.iteration, r.loss]] : []));
    expect(losses(await readLog(interrupted))).toEqual(losses(await readLog(straight)));
  });

  it('logs progress, validation and checkpoints as JSON lines and copies the config', async () => {
    const runDir = join(workDir, 'logged');
    await train({ config, runDir, resume: false, hooks: trainingHooks, console: silent });
    const records = await readLog(runDir);
    expect(records.map((r) => `${r.type}@${r.iteration}`)).toEqual([
      'start@0',
      'val@0',
      'train@1',
      'train@2',
      'train@3',
      'checkpoint@3',
      'train@4',
      'val@4',
      'train@5',
      'train@6',
      'checkpoint@6',
      'train@7',
      'train@8',
      'val@8',
      'checkpoint@8',
      'stop@8',
    ]);
    const val = records.filter((r) => r.type === 'val');
    expect(val.every((r) => r.type === 'val' && r.set === 'val' && r.psnr > 0 && r.ssim > 0)).toBe(true);
    expect(records.find((r) => r.type === 'train' && r.iteration === 5)).toMatchObject({ lr: 5e-4 });
    // The copy names paths relative to the repository root, as every generated file does.
    expect(JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8'))).toEqual(withRepoRelativePaths(config));
  });

  it('refuses to start over an existing run, and to resume one with a different optimisation', async () => {
    const runDir = join(workDir, 'guarded');
    await train({ config, runDir, resume: false, hooks: trainingHooks, console: silent });
    await expect(train({ config, runDir, resume: false, hooks: trainingHooks, console: silent })).rejects.toThrow(/already holds a run; pass --resume/);
    const changed = { ...config, train: { ...config.train, lr: 1e-4 } };
    await expect(train({ config: changed, runDir, resume: true, hooks: trainingHooks, console: silent })).rejects.toThrow(/different train\.lr/);
    await expect(train({ config, runDir: join(workDir, 'absent'), resume: true, hooks: trainingHooks, console: silent })).rejects.toThrow(/nothing to resume/);
  });

  it('extends a finished run when resumed with more iterations', async () => {
    const runDir = join(workDir, 'extended');
    await train({ config, runDir, resume: false, hooks: trainingHooks, console: silent });
    const longer = { ...config, train: { ...config.train, iterations: 10 } };
    const records: LogRecord[] = [];
    const result = await train({ config: longer, runDir, resume: true, hooks: trainingHooks, console: silent, onRecord: (r) => records.push(r) });
    expect(result.iteration).toBe(10);
    expect(records[0]).toMatchObject({ type: 'start', iteration: 8, changed: ['train.iterations'] });
  });
});

describe('npm run train (CLI)', () => {
  it('checkpoints and exits on SIGINT with its worker threads stopped; --resume continues from that checkpoint and SIGTERM stops it too', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'wdsr-cli-'));
    await writeImages(join(workDir, 'train'), 3, 40, 3);
    await writeImages(join(workDir, 'val'), 1, 24, 4);
    const configPath = join(workDir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        name: 'cli-test',
        arch: { arch: 'wdsr_b', scale: 2, nFeats: 4, nBlocks: 1, expansion: 2, lowRank: 0.5, resScale: 1, normalization: 'weight' },
        data: { train: [join(workDir, 'train')], val: join(workDir, 'val'), hrPatchSize: 16 },
        train: {
          iterations: 1_000_000,
          batchSize: 2,
          workers: 2,
          lrHalvingSteps: [],
          seed: 1,
          logEvery: 1,
          validateEvery: 0,
          checkpointEvery: 1_000_000,
          keepCheckpoints: 1,
        },
      }),
    );
    const runDir = join(workDir, 'run');
    const cli = (...args: string[]) =>
      spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'training/cli/train.ts'), '--config', configPath, '--run-dir', runDir, ...args], {
        cwd: REPO_ROOT,
      });
    const exitCode = (child: ReturnType<typeof cli>) => new Promise<number | null>((resolve) => child.on('exit', resolve));

    const child = cli();
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/iter 3\//.test(output) && !child.killed) child.kill('SIGINT');
    });
    expect(await exitCode(child)).toBe(130);
    expect(output).toMatch(/SIGINT: stopping after this iteration and saving a checkpoint/);
    const stopped = (await readLog(runDir)).at(-1)!;
    expect(stopped).toMatchObject({ type: 'stop', reason: 'interrupted' });
    expect((await loadCheckpoint((await latestCheckpoint(runDir))!)).iteration).toBe(stopped.iteration);

    const refused = cli();
    expect(await exitCode(refused)).toBe(2);
    const resumed = cli('--resume');
    let resumedOutput = '';
    resumed.stderr.on('data', (chunk: Buffer) => {
      resumedOutput += chunk.toString();
      if (/iter \d+\//.test(resumedOutput) && !resumed.killed) resumed.kill('SIGTERM');
    });
    expect(await exitCode(resumed)).toBe(130);
    expect(resumedOutput).toMatch(new RegExp(`resuming from .*${String(stopped.iteration).padStart(8, '0')}`));
    expect((await readLog(runDir)).at(-1)!.iteration).toBeGreaterThan(stopped.iteration);
  });
});
