import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, formatSize, parseServerTiming } from '../../src/client/demo/format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [11_468, '11.2 KiB'],
    [190_000, '186 KiB'],
    [6 * 1024 * 1024, '6.00 MiB'],
    [3 * 1024 ** 3, '3.00 GiB'],
    [5000 * 1024 ** 3, '5000 GiB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatMs', () => {
  it.each([
    [0.4, '0 ms'],
    [41.7, '42 ms'],
    [999.4, '999 ms'],
    [1000, '1.00 s'],
    [83_104, '83.10 s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

describe('parseServerTiming', () => {
  it.each<[string, string | null, { name: string; ms: number }[]]>([
    [
      'the Worker’s header',
      'cache;dur=0.2, fetch;dur=1.5, model;dur=0.0, infer;dur=240.25',
      [
        { name: 'cache', ms: 0.2 },
        { name: 'fetch', ms: 1.5 },
        { name: 'model', ms: 0 },
        { name: 'infer', ms: 240.25 },
      ],
    ],
    ['no header', null, []],
    ['metrics without a duration, skipped', 'miss, db;desc="x";dur=5', [{ name: 'db', ms: 5 }]],
    ['malformed durations, skipped', 'a;dur=, b;dur=-1, c;dur=1e3, d;dur=7', [{ name: 'd', ms: 7 }]],
    [
      'extra whitespace',
      '  encode ; dur=3  ,decode;dur=4',
      [
        { name: 'encode', ms: 3 },
        { name: 'decode', ms: 4 },
      ],
    ],
  ])('%s', (_, header, stages) => {
    expect(parseServerTiming(header)).toEqual(stages);
  });
});

describe('formatSize', () => {
  it('writes width × height in pixels', () => {
    expect(formatSize(384, 256)).toBe('384 × 256 px');
  });
});
