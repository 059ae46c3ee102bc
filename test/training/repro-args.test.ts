import { describe, expect, it } from 'vitest';
import { parseReproArgs } from '../../training/repro/args';

describe('parseReproArgs', () => {
  it('reads a command and its options, leaving defaults absent', () => {
    expect(parseReproArgs(['table1'])).toEqual({ command: 'table1', page: 'reproduction' });
    expect(parseReproArgs(['all', '--iterations', '20', '--run-root', 'runs/r', '--report', 'runs/r.md'])).toEqual({
      command: 'all',
      page: 'reproduction',
      iterations: 20,
      runRoot: 'runs/r',
      reportFile: 'runs/r.md',
    });
  });

  it('trains the ablation, all its arms or those --arm names, and writes its page', () => {
    expect(parseReproArgs(['ablation', '--run-root', '../runs/ablation'])).toEqual({ command: 'ablation', page: 'ablation', runRoot: '../runs/ablation' });
    expect(parseReproArgs(['ablation', '--arm', 'cosine', '--arm', 'no-flips', '--iterations', '1000'])).toEqual({
      command: 'ablation',
      page: 'ablation',
      iterations: 1000,
      arms: ['cosine', 'no-flips'],
    });
  });

  it('rewrites the reproduction page, or the one report names', () => {
    expect(parseReproArgs(['report'])).toEqual({ command: 'report', page: 'reproduction' });
    expect(parseReproArgs(['report', 'reproduction'])).toEqual({ command: 'report', page: 'reproduction' });
    expect(parseReproArgs(['report', 'ablation', '--iterations', '1000'])).toEqual({ command: 'report', page: 'ablation', iterations: 1000 });
  });

  it.each([
    { name: 'no command', argv: [], error: /expected one command of table1, fig3, ablation, all, report, got none/ },
    { name: 'an unknown command', argv: ['table2'], error: /got table2/ },
    { name: 'two commands', argv: ['table1', 'fig3'], error: /got table1 fig3/ },
    { name: 'a page after a suite', argv: ['ablation', 'ablation'], error: /got ablation ablation/ },
    { name: 'an unknown page', argv: ['report', 'table1'], error: /report writes one page of reproduction, ablation, got table1/ },
    { name: 'an unknown flag', argv: ['fig3', '--seeds', '5'], error: /Unknown option '--seeds'/ },
    { name: 'a fractional iteration count', argv: ['fig3', '--iterations', '2.5'], error: /--iterations must be a positive integer, got 2\.5/ },
    { name: 'zero iterations', argv: ['fig3', '--iterations', '0'], error: /got 0/ },
    {
      name: 'an unknown arm',
      argv: ['ablation', '--arm', 'cosine', '--arm', 'mixup'],
      error: /--arm: expected one of plain, reparam, distill, patch128, no-flips, cosine, got mixup/,
    },
    { name: 'an arm of another suite', argv: ['table1', '--arm', 'plain'], error: /--arm selects arms of the ablation suite, not of table1/ },
    { name: 'an arm to report', argv: ['report', 'ablation', '--arm', 'plain'], error: /not of report/ },
  ])('rejects $name', ({ argv, error }) => {
    expect(() => parseReproArgs(argv)).toThrow(error);
  });
});
