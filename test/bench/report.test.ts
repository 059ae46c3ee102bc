import { describe, expect, it } from 'vitest';
import { formatMs, markdownTable, p50p90, parseServerTiming } from './report';

describe('parseServerTiming', () => {
  it.each([
    {
      name: 'stages in order',
      header: 'cache;dur=0.4, fetch;dur=3.5, infer;dur=812.0',
      expected: [
        ['cache', 0.4],
        ['fetch', 3.5],
        ['infer', 812],
      ],
    },
    { name: 'a repeated stage is summed', header: 'infer;dur=1.5, infer;dur=2', expected: [['infer', 3.5]] },
    { name: 'entries without dur are skipped', header: 'miss, cache;desc="x";dur=2', expected: [['cache', 2]] },
    { name: 'no header', header: null, expected: [] },
  ])('$name', ({ header, expected }) => {
    expect([...parseServerTiming(header)]).toEqual(expected);
  });
});

describe('p50p90', () => {
  it('reports measured samples (nearest rank)', () => {
    expect(p50p90([40, 10, 30, 20, 50, 60, 70, 80, 90, 100])).toBe('50 / 90');
  });
  it('says - without samples', () => {
    expect(p50p90([])).toBe('-');
  });
});

describe('formatMs', () => {
  it.each([
    [0.44, '0.4'],
    [9.96, '10.0'],
    [12.5, '13'],
  ])('%s ms reads %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

describe('markdownTable', () => {
  it('right-aligns the named columns', () => {
    expect(
      markdownTable(
        ['size', 'ms'],
        [
          ['128', '12'],
          ['256', '40'],
        ],
        ['ms'],
      ),
    ).toBe('| size | ms |\n|---|---:|\n| 128 | 12 |\n| 256 | 40 |');
  });
});
