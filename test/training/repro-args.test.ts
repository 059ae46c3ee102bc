import { describe, expect, it } from 'vitest';
import { parseReproArgs } from '../../training/repro/args';

describe('parseReproArgs', () => {
  it('reads a command and its options, leaving defaults absent', () => {
    expect(parseReproArgs(['table1'])).toEqual({ command: 'table1' });
    expect(parseReproArgs(['all', '--iterations', '20', '--run-root', 'runs/r', '--report', 'runs/r.md'])).toEqual({
      command: 'all',
      iterations: 20,
      runRoot: 'runs/r',
      reportFile: 'runs/r.md',
    });
  });

  it.each([
    { name: 'no command', argv: [], error: /expected one command of table1, fig3, all, report, got none/ },
    { name: 'an unknown command', argv: ['table2'], error: /got table2/ },
    { name: 'two commands', argv: ['table1', 'fig3'], error: /got table1 fig3/ },
    { name: 'an unknown flag', argv: ['fig3', '--seeds', '5'], error: /Unknown option '--seeds'/ },
    { name: 'a fractional iteration count', argv: ['fig3', '--iterations', '2.5'], error: /--iterations must be a positive integer, got 2\.5/ },
    { name: 'zero iterations', argv: ['fig3', '--iterations', '0'], error: /got 0/ },
  ])('rejects $name', ({ argv, error }) => {
    expect(() => parseReproArgs(argv)).toThrow(error);
  });
});
