import { describe, expect, it } from 'vitest';
import { linearAxis, logAxis } from '../../training/reports/plot/axis';
import { renderLineChart, type LineChartOptions } from '../../training/reports/plot/line-chart';

/** Fails unless every tag closes in order and every `&` starts an entity: well-formed XML for our purposes. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([A-Za-z][\w-]*)[^>]*?(\/?)>/g)) {
    if (closing === '/') expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (selfClosing !== '/') stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(svg.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toContain('&');
}

/** The x coordinates of each series path, in drawing order. */
function pathXs(svg: string): Map<string, number[]> {
  const paths = [...svg.matchAll(/<path class="series" data-name="([^"]*)" d="([^"]*)"/g)];
  return new Map(paths.map(([, name, d]) => [name!, [...d!.matchAll(/[ML](-?[\d.]+),/g)].map((m) => Number(m[1]))]));
}

const ticks = (svg: string, axis: 'x' | 'y') => [...svg.matchAll(new RegExp(`class="${axis}-tick"[^>]*>([^<]*)<`, 'g'))].map((m) => m[1]);

const base: LineChartOptions = {
  title: 'Validation <Set5> & "B100"',
  xLabel: 'iteration',
  yLabel: 'Y-PSNR (dB)',
  series: [
    {
      name: 'EDSR',
      points: [
        [0, 30.1],
        [500, 32.4],
        [1000, 33.2],
      ],
      markers: true,
    },
    {
      name: 'WDSR-B',
      points: [
        [0, 30.5],
        [500, 33.0],
        [1000, 33.9],
      ],
    },
    {
      name: 'bicubic',
      points: [
        [0, 33.66],
        [1000, 33.66],
      ],
      dashed: true,
    },
  ],
};

describe('linearAxis', () => {
  it.each([
    { name: 'spans the data with 1-2-5 steps', min: 0.3, max: 9.6, ticks: [0, 2, 4, 6, 8, 10] },
    { name: 'keeps decimals exact', min: 0.1, max: 0.3, ticks: [0.1, 0.15, 0.2, 0.25, 0.3] },
    { name: 'widens a flat series', min: 33, max: 33, ticks: [31, 31.5, 32, 32.5, 33, 33.5, 34, 34.5, 35] },
    { name: 'handles iteration counts', min: 0, max: 3000, ticks: [0, 500, 1000, 1500, 2000, 2500, 3000] },
  ])('$name', ({ min, max, ticks: expected }) => {
    const axis = linearAxis(min, max);
    expect(axis.ticks).toEqual(expected);
    expect(axis.domain).toEqual([expected[0], expected.at(-1)]);
    expect(axis.fraction(axis.domain[0])).toBe(0);
    expect(axis.fraction(axis.domain[1])).toBe(1);
  });

  it('labels with the digits the step needs and thousands separators', () => {
    expect(linearAxis(0, 3000).format(2500)).toBe('2,500');
    expect(linearAxis(33.1, 33.9).format(33.5)).toBe('33.5');
    expect(linearAxis(32, 34).format(33)).toBe('33.0');
  });
});

describe('logAxis', () => {
  it('bounds and ticks at 1, 2 and 5 times powers of ten', () => {
    const axis = logAxis(0.013, 0.3);
    expect(axis.ticks).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    expect(axis.fraction(0.1)).toBeCloseTo(Math.log10(10) / Math.log10(50), 12);
    expect(axis.format(0.05)).toBe('0.05');
  });

  it('keeps only powers of ten over many decades', () => {
    expect(logAxis(0.002, 40).ticks).toEqual([0.01, 0.1, 1, 10]);
  });

  it('rejects a non-positive range', () => {
    expect(() => logAxis(0, 1)).toThrow(/0 < min <= max/);
  });
});

describe('renderLineChart', () => {
  it('renders well-formed SVG with one path and one legend entry per series', () => {
    const svg = renderLineChart(base);
    assertWellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect([...pathXs(svg).keys()]).toEqual(['EDSR', 'WDSR-B', 'bicubic']);
    expect(svg.match(/<g class="legend">.*<\/g>/)![0].match(/<text/g)).toHaveLength(3);
    expect(svg).toContain('<title>Validation &lt;Set5&gt; &amp; &quot;B100&quot;</title>');
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
  });

  it('puts the axis ranges around the data and draws every series left to right', () => {
    const svg = renderLineChart(base);
    expect(ticks(svg, 'x')).toEqual(['0', '200', '400', '600', '800', '1,000']);
    expect(ticks(svg, 'y')).toEqual(['30', '31', '32', '33', '34']);
    for (const xs of pathXs(svg).values()) {
      expect(xs.every((x, i) => i === 0 || x > xs[i - 1]!)).toBe(true);
      expect(xs[0]).toBe(72);
    }
  });

  it('plots a log-scale y and clips to an explicit y range', () => {
    const loss = renderLineChart({
      ...base,
      yScale: 'log',
      series: [
        {
          name: 'loss',
          points: [
            [10, 0.2],
            [20, 0.05],
            [30, 0.02],
          ],
        },
      ],
    });
    expect(ticks(loss, 'y')).toEqual(['0.02', '0.05', '0.1', '0.2']);
    const ranged = renderLineChart({ ...base, yRange: [32, 34] });
    expect(ticks(ranged, 'y')).toEqual(['32.0', '32.5', '33.0', '33.5', '34.0']);
    expect(ranged).toContain('clip-path="url(#plot-area)"');
  });

  it('labels points beside them, towards the middle, and widens x to a rule', () => {
    const svg = renderLineChart({
      ...base,
      series: [
        {
          name: 'Set5',
          points: [
            [0.6, 36.9],
            [1.1, 37.2],
            [2.3, 37.4],
          ],
          markers: true,
          labels: ['f24b8', 'f32b8', 'f32b16 <big>'],
        },
      ],
      xRule: { x: 3, label: 'budget 3 s/MP' },
    });
    assertWellFormed(svg);
    const labels = [...svg.matchAll(/<text class="point-label" x="([\d.]+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]*)</g)];
    expect(labels.map((m) => [m[3], m[2]])).toEqual([
      ['f24b8', 'start'],
      ['f32b8', 'start'],
      ['f32b16 &lt;big&gt;', 'end'],
    ]);
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(labels.map((m) => Number(m[1]))).toEqual([circles[0]! + 6, circles[1]! + 6, circles[2]! - 6]);
    expect(ticks(svg, 'x').at(-1)).toBe('3.0');
    const rule = /<g class="x-rule"><line x1="([\d.]+)"[^>]*stroke-dasharray[^>]*\/><text[^>]*>budget 3 s\/MP<\/text><\/g>/.exec(svg);
    expect(Number(rule?.[1])).toBeGreaterThan(circles[2]!);
  });

  it('is deterministic', () => {
    expect(renderLineChart(base)).toBe(renderLineChart(base));
  });

  it.each([
    { name: 'no series', series: [], error: /has no series/ },
    { name: 'an empty series', series: [{ name: 'a', points: [] }], error: /"a" has no points/ },
    {
      name: 'duplicate names',
      series: [
        { name: 'a', points: [[0, 1]] },
        { name: 'a', points: [[0, 2]] },
      ],
      error: /two series are named "a"/,
    },
    {
      name: 'x going back',
      series: [
        {
          name: 'a',
          points: [
            [0, 1],
            [5, 2],
            [5, 3],
          ],
        },
      ],
      error: /point 2 has x = 5 after 5/,
    },
    { name: 'a NaN', series: [{ name: 'a', points: [[0, Number.NaN]] }], error: /point 0 is not finite/ },
    {
      name: 'labels that do not match the points',
      series: [
        {
          name: 'a',
          points: [
            [0, 1],
            [1, 2],
          ],
          labels: ['only one'],
        },
      ],
      error: /"a" has 1 labels for 2 points/,
    },
    { name: 'too many series', series: Array.from({ length: 9 }, (_, i) => ({ name: `s${i}`, points: [[0, i]] as const })), error: /at most 8/ },
  ])('rejects $name', ({ series, error }) => {
    expect(() => renderLineChart({ ...base, series: series as LineChartOptions['series'] })).toThrow(error);
  });

  it('rejects zero on a log scale and an inverted y range', () => {
    expect(() => renderLineChart({ ...base, yScale: 'log', series: [{ name: 'a', points: [[0, 0]] }] })).toThrow(/cannot go on a log scale/);
    expect(() => renderLineChart({ ...base, yRange: [34, 32] })).toThrow(/low < high/);
  });
});
