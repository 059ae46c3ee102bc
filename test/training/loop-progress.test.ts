import { describe, expect, it } from 'vitest';
import { formatProgress, ProgressLine } from '../../training/loop/progress';
import { changedPaths } from '../../training/loop/run-dir';
import { parseTrainArgs } from '../../training/loop/train-args';
import { formatDuration, Throughput } from '../../training/loop/throughput';

describe('formatProgress', () => {
  it('shows iteration, loss, learning rate, speed and ETA', () => {
    expect(formatProgress({ iteration: 1230, totalIterations: 300_000, loss: 0.012345, learningRate: 1e-3, iterationsPerSecond: 0.95 })).toBe(
      'iter 1,230/300,000 | loss 1.235e-2 | lr 1.0e-3 | 0.95 it/s | ETA 3d 15h 21m',
    );
  });

  it('has no ETA before the first timed step', () => {
    expect(formatProgress({ iteration: 0, totalIterations: 10, loss: 1, learningRate: 1e-4, iterationsPerSecond: 0 })).toMatch(/ETA --$/);
  });
});

describe('formatDuration', () => {
  it.each([
    [41, '41s'],
    [725, '12m 05s'],
    [3 * 3600 + 60, '3h 01m'],
    [2 * 86400 + 4 * 3600 + 12 * 60, '2d 04h 12m'],
  ])('%i s reads %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});

describe('Throughput', () => {
  it('averages the most recent steps only', () => {
    const throughput = new Throughput(2);
    for (const ms of [1000, 250, 250]) throughput.record(ms);
    expect(throughput.iterationsPerSecond()).toBe(4);
  });
});

describe('ProgressLine', () => {
  const capture = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, line: new ProgressLine({ isTTY, write: (text: string) => written.push(text) }) };
  };

  it('rewrites one live line on a terminal and clears it before a permanent line', () => {
    const { written, line } = capture(true);
    line.live('a');
    line.live('b');
    line.print('done');
    expect(written).toEqual(['\r\x1b[2Ka', '\r\x1b[2Kb', '\r\x1b[2K', 'done\n']);
  });

  it('writes only permanent lines to a file or pipe', () => {
    const { written, line } = capture(false);
    line.live('a');
    line.print('done');
    expect(written).toEqual(['done\n']);
  });
});

describe('changedPaths', () => {
  it('lists the leaves that differ, arrays compared whole', () => {
    expect(changedPaths({ a: 1, b: { c: [1, 2], d: 'x' } }, { a: 1, b: { c: [1, 3], e: 2 } })).toEqual(['b.c', 'b.d', 'b.e']);
  });
});

describe('parseTrainArgs', () => {
  it('reads a config run and a resume by run directory', () => {
    expect(parseTrainArgs(['--config', 'c.json', '--backend', 'cpu'])).toEqual({ config: 'c.json', resume: false, backend: 'cpu' });
    expect(parseTrainArgs(['--resume', '--run-dir', 'runs/x'])).toEqual({ resume: true, runDir: 'runs/x' });
    expect(parseTrainArgs(['--resume', '--run-dir', 'runs/x', '--workers', '2'])).toEqual({ resume: true, runDir: 'runs/x', workers: 2 });
  });

  it.each<[string[], RegExp]>([
    [['--config', 'c.json', '--lr', '1'], /Unknown option '--lr'/],
    [['--config', 'c.json', '--backend', 'webgl'], /--backend must be one of wasm, cpu, tensorflow, got webgl/],
    [['--run-dir', 'runs/x'], /give --config/],
    [['--config', 'c.json', '--workers', '0'], /--workers must be a positive integer, got 0/],
    // Warm starts are pinned in the config (warmStart), not given on the command line.
    [['--config', 'c.json', '--warm-start', 'm.onnx'], /Unknown option '--warm-start'/],
  ])('rejects %j', (argv, message) => expect(() => parseTrainArgs(argv)).toThrow(message));
});
