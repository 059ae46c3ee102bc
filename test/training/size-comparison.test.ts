import { describe, expect, it } from 'vitest';
import type { ArchConfig } from '../../training/archs/config';
import { secondsPerOutputMegapixel } from '../../training/reports/forward-timing';
import { formatSizeComparison, pickSize, type SizeComparison, type SizeResult } from '../../training/reports/size-comparison';
import { parseSizeComparison } from '../../training/reports/size-comparison-schema';

const BUDGET = 1.5;

function size(nFeats: number, nBlocks: number, set5Psnr: number, secondsPerMegapixel: number): SizeResult {
  const arch: ArchConfig = { arch: 'wdsr_b', scale: 2, nFeats, nBlocks, expansion: 6, lowRank: 0.8, resScale: 1, normalization: 'weight' };
  return {
    name: `WDSR-B_x2_f${nFeats}b${nBlocks}_i1000`,
    run: `/runs/f${nFeats}b${nBlocks}`,
    checkpoint: '00001000',
    arch,
    parameters: 1000 * nFeats * nBlocks,
    iterations: 1000,
    trainingSeconds: 450 * nBlocks,
    int8Bytes: 600 * nFeats * nBlocks,
    sets: {
      Set5: { psnr: set5Psnr, ssim: 0.95, bicubicPsnr: 33.66, bicubicSsim: 0.9299 },
      B100: { psnr: set5Psnr - 5.5, ssim: 0.89, bicubicPsnr: 29.56, bicubicSsim: 0.8431 },
    },
    workerd: { secondsPerMegapixel, medianSeconds: secondsPerMegapixel * 0.262144, seconds: [secondsPerMegapixel * 0.262144], loadAverage: 2.5 + nBlocks / 10 },
  };
}

function comparison(sizes: readonly SizeResult[]): SizeComparison {
  return {
    schemaVersion: 1,
    command: 'npm run compare:sizes -- --run /runs/a',
    measuredAt: '2026-11-27T03:00:00.000Z',
    machine: '2 x Test CPU, Node v20',
    scale: 2,
    export: { calibration: { kind: 'percentile', percentile: 99.999, samples: 64 }, floatConvs: ['tail', 'skip'] },
    timing: { inputSize: 256, repeats: 5, method: 'median of whole-image passes in workerd', autogroupNice: -10 },
    budget: { secondsPerMegapixel: BUDGET, rule: 'the best Set5 Y-PSNR at <= 1.5 s/MP' },
    sizes,
    pick: pickSize(sizes, BUDGET),
  };
}

const rowOf = (markdown: string, label: string) =>
  markdown
    .split('\n')
    .find((line) => line.startsWith(`| ${label} |`))!
    .split(' | ');

describe('formatSizeComparison and the budget rule', () => {
  it.each([
    {
      name: 'picks the best Set5 among the sizes within budget, not the best overall',
      sizes: [size(24, 8, 36.9, 0.8), size(32, 8, 37.1, 1.2), size(32, 16, 37.4, 2.1)],
      pick: { withinBudget: true, name: 'WDSR-B_x2_f32b8_i1000' },
      within: { f24b8: 'yes', f32b8: 'yes', f32b16: 'no' },
      sentence: 'Rule: the best Set5 Y-PSNR at <= 1.5 s/MP. **Picked: f32b8** (`WDSR-B_x2_f32b8_i1000`).',
    },
    {
      name: 'counts a size exactly at the budget as within it',
      sizes: [size(24, 8, 36.9, 0.8), size(32, 8, 37.1, 1.5)],
      pick: { withinBudget: true, name: 'WDSR-B_x2_f32b8_i1000' },
      within: { f24b8: 'yes', f32b8: 'yes' },
      sentence: '**Picked: f32b8**',
    },
    {
      name: 'breaks a Set5 tie by speed',
      sizes: [size(32, 8, 37.1, 1.3), size(24, 16, 37.1, 1.1)],
      pick: { withinBudget: true, name: 'WDSR-B_x2_f24b16_i1000' },
      within: { f32b8: 'yes', f24b16: 'yes' },
      sentence: '**Picked: f24b16**',
    },
    {
      name: 'picks none when no size is within budget, and names the fastest',
      sizes: [size(32, 8, 37.1, 1.9), size(24, 8, 36.9, 1.6), size(32, 16, 37.4, 3.2)],
      pick: { withinBudget: false, fastest: 'WDSR-B_x2_f24b8_i1000' },
      within: { f24b8: 'no', f32b8: 'no', f32b16: 'no' },
      sentence: '**None picked:** no size is within 1.5 s per output megapixel; the fastest is f24b8 at 1.60 s/MP.',
    },
  ])('$name', ({ sizes, pick, within, sentence }) => {
    const input = comparison(sizes);
    expect(input.pick).toEqual(pick);
    const { markdown } = formatSizeComparison(input);
    expect(markdown).toContain(sentence);
    for (const [label, answer] of Object.entries(within)) expect(rowOf(markdown, label).at(-1)).toBe(`${answer} |`);
  });

  it('tabulates each size against bicubic and says how it was measured and how to regenerate it', () => {
    const { markdown } = formatSizeComparison(comparison([size(24, 8, 36.9, 0.8), size(32, 16, 37.4, 2.1)]), 'plots/sizes.svg');
    expect(markdown.startsWith('## ')).toBe(true);
    expect(markdown).toContain(
      '| size | parameters | iterations (training time) | Set5 PSNR / SSIM | B100 PSNR / SSIM | int8 file | workerd s/MP | within 1.5 s/MP |',
    );
    expect(rowOf(markdown, 'bicubic')).toEqual(['| bicubic', '-', '-', '33.66 / 0.9299', '29.56 / 0.8431', '-', '-', '- |']);
    expect(rowOf(markdown, 'f32b16')).toEqual(['| f32b16', '512,000', '1,000 (2.0 h)', '37.40 / 0.9500', '31.90 / 0.8900', '300 KiB', '2.10', 'no |']);
    expect(markdown).toContain('WDSR-B x2 at 2 sizes, each trained for 1,000 iterations');
    expect(markdown).toContain('99.999th-percentile calibration on 64 LR training patches; convs kept in float: tail, skip');
    expect(markdown).toContain('median of whole-image passes in workerd, 5 passes on a 256x256 LR input');
    expect(markdown).toContain("load average of 3.3-4.1 with workerd's session at autogroup nice -10");
    expect(markdown).toContain('](plots/sizes.svg)');
    expect(markdown).toContain('Regenerate: `npm run compare:sizes -- --run /runs/a`');
  });

  it('words one size, and sizes trained for different budgets, as they are', () => {
    expect(formatSizeComparison(comparison([size(24, 8, 36.9, 0.8)])).markdown).toContain('WDSR-B x2 at one size trained for 1,000 iterations');
    const longer = { ...size(32, 8, 37.1, 1.2), iterations: 2000 };
    expect(formatSizeComparison(comparison([size(24, 8, 36.9, 0.8), longer])).markdown).toContain('WDSR-B x2 at 2 sizes, trained for 1,000 / 2,000 iterations');
  });

  it('plots each set against workerd speed, sizes labelled in speed order, with the budget as a rule', () => {
    const { svg } = formatSizeComparison(comparison([size(32, 16, 37.4, 2.1), size(24, 8, 36.9, 0.8), size(32, 8, 37.1, 1.2)]));
    expect([...svg.matchAll(/<path class="series" data-name="([^"]*)"/g)].map((m) => m[1])).toEqual(['Set5', 'B100']);
    expect([...svg.matchAll(/class="point-label"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['f24b8', 'f32b8', 'f32b16', 'f24b8', 'f32b8', 'f32b16']);
    expect(svg).toMatch(/<g class="x-rule">.*budget 1\.5 s\/MP/);
  });
});

describe('parseSizeComparison', () => {
  const valid = comparison([size(24, 8, 36.9, 0.8), size(32, 8, 37.1, 1.2)]);

  it('reads back what was written', () => {
    expect(parseSizeComparison(JSON.parse(JSON.stringify(valid)), 'sizes.json')).toEqual(valid);
  });

  /** The valid comparison as JSON with one field set, or deleted when `value` is undefined. */
  function withField(path: string, value: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
    const keys = path.split('.');
    let target = copy;
    for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[keys.at(-1)!];
    else target[keys.at(-1)!] = value;
    return copy;
  }

  it.each([
    { name: 'another schema version', path: 'schemaVersion', value: 2, error: /schemaVersion: expected one of 1/ },
    { name: 'an unknown key', path: 'sizes.0.note', value: 'x', error: /sizes\[0\]\.note: unknown key/ },
    { name: 'a size without Set5', path: 'sizes.1.sets.Set5', value: undefined, error: /sizes\[1\]\.sets: the rule ranks by Set5/ },
    { name: 'an SSIM above 1', path: 'sizes.0.sets.B100.ssim', value: 1.2, error: /sizes\[0\]\.sets\.B100\.ssim: expected number in \(0, 1\]/ },
    { name: 'an autogroup nice out of range', path: 'timing.autogroupNice', value: -21, error: /timing\.autogroupNice: expected integer in \[-20, 19\]/ },
    { name: 'a negative load average', path: 'sizes.0.workerd.loadAverage', value: -1, error: /loadAverage: expected a number >= 0/ },
    { name: 'a calibration of no known kind', path: 'export.calibration', value: { kind: 'mse', samples: 64 }, error: /export\.calibration: expected/ },
    { name: 'two sizes of one run', path: 'sizes.1.name', value: valid.sizes[0]!.name, error: /run names must be unique/ },
    { name: 'sizes scored on different sets', path: 'sizes.1.sets.Set14', value: valid.sizes[1]!.sets.B100, error: /scored on the same sets/ },
    {
      name: 'a pick the rule would not make',
      path: 'pick',
      value: { withinBudget: true, name: valid.sizes[0]!.name },
      error: /pick: the budget rule picks .*f32b8/,
    },
  ])('rejects $name', ({ path, value, error }) => {
    expect(() => parseSizeComparison(withField(path, value), 'sizes.json')).toThrow(error);
  });
});

describe('secondsPerOutputMegapixel', () => {
  it('divides the median pass by the output the model produced', () => {
    expect(secondsPerOutputMegapixel({ inputSize: 256, outputWidth: 512, outputHeight: 512, seconds: [0.5, 0.262144, 0.3], medianSeconds: 0.3 })).toBeCloseTo(
      0.3 / 0.262144,
      12,
    );
    expect(secondsPerOutputMegapixel({ inputSize: 100, outputWidth: 400, outputHeight: 400, seconds: [0.32], medianSeconds: 0.32 })).toBeCloseTo(2, 12);
  });
});
