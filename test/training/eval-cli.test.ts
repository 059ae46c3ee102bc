import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../training/config/command-line';
import { parseEvalArgs } from '../../training/eval/args';
import type { SetResult } from '../../training/metrics/evaluate';
import { formatReportTable } from '../../training/eval/report';
import { datasets } from '../support/requirements';

describe('parseEvalArgs', () => {
  it('reads repeated --data, the model and --json', () => {
    expect(parseEvalArgs(['--scale', '3', '--data', 'a/HR', '--data', 'b', '--model', 'm.onnx', '--json'])).toEqual({
      scale: 3,
      dataDirs: ['a/HR', 'b'],
      model: 'm.onnx',
      json: true,
      selfEnsemble: false,
    });
    expect(parseEvalArgs(['--scale', '2', '--data', 'a', '--model', 'bicubic']).json).toBe(false);
  });

  it.each([
    ['a scale outside 2..4', ['--scale', '5', '--data', 'a', '--model', 'bicubic'], /--scale must be 2, 3 or 4, got 5/],
    ['a missing scale', ['--data', 'a', '--model', 'bicubic'], /got nothing/],
    ['no data folder', ['--scale', '2', '--model', 'bicubic'], /--data/],
    ['no model', ['--scale', '2', '--data', 'a'], /--model is required/],
    ['an unknown flag', ['--scale', '2', '--data', 'a', '--model', 'bicubic', '--shave', '4'], /shave/],
    ['a positional argument', ['--scale', '2', '--data', 'a', '--model', 'bicubic', 'extra'], /extra/],
  ])('rejects %s', (_, argv, message) => {
    expect(() => parseEvalArgs(argv)).toThrow(UsageError);
    expect(() => parseEvalArgs(argv)).toThrow(message);
  });
});

describe('formatReportTable', () => {
  const result = (set: string, psnr: number, ssim: number): SetResult => ({ set, psnr, ssim, images: [] });

  it('prints bicubic alone when the model is bicubic', () => {
    const table = formatReportTable({ scale: 2, model: 'bicubic', sets: [{ set: 'Set5', bicubic: result('Set5', 33.6734, 0.93029) }] });
    expect(table.split('\n')).toEqual([
      'x2 Y-PSNR (dB) / Y-SSIM, shave 2, model: bicubic',
      'set   bicubic PSNR  bicubic SSIM',
      'Set5         33.67        0.9303',
    ]);
  });

  it('puts the model columns first', () => {
    const table = formatReportTable({
      scale: 4,
      model: 'm.onnx',
      sets: [{ set: 'Urban100', bicubic: result('Urban100', 23.1, 0.66), model: result('Urban100', 25.123, 0.75555) }],
    });
    expect(table.split('\n')[2]).toBe('Urban100         25.12        0.7556         23.10        0.6600');
  });
});

const set5 = datasets('Set5');
if (set5.missing !== undefined) console.warn(`[not run] npm run eval on Set5: needs ${set5.missing}`);

describe('npm run eval (spawned)', () => {
  const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
  const run = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'training/cli/eval.ts', ...args], { cwd: repoRoot });

  it.skipIf(set5.missing !== undefined)('prints the report as JSON on stdout and progress on stderr (needs Set5)', async () => {
    const { stdout, stderr } = await run('--scale', '2', '--data', set5.hr('Set5'), '--model', 'bicubic', '--json');
    const report = JSON.parse(stdout) as { scale: number; model: string; sets: { set: string; bicubic: { psnr: number } }[] };
    expect([report.scale, report.model, report.sets.map((set) => set.set)]).toEqual([2, 'bicubic', ['Set5']]);
    expect(Math.abs(report.sets[0]!.bicubic.psnr - 33.66)).toBeLessThan(0.05);
    expect(stderr).toContain(`Set5 (${set5.hr('Set5')}), bicubic: 5 images in`);
  });

  it('exits 2 with the usage on a bad command line', async () => {
    await expect(run('--scale', '2', '--model', 'bicubic')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--data[\s\S]*usage: npm run eval/),
    });
  });
});
