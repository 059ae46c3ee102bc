import { describe, expect, it } from 'vitest';
import { FITS, planResize, type Fit, type ResizePlan, type ResizeRequest } from '../../src/core/resize-plan';

const fitRequest = (fitMode: Fit, width: number | undefined, height: number | undefined, dpr = 1): ResizeRequest => ({
  kind: 'fit',
  width,
  height,
  fit: fitMode,
  dpr,
});
const size = (width: number, height: number) => ({ width, height });

describe('planResize', () => {
  it.each<[string, [number, number], ResizeRequest, number[], Partial<ResizePlan>]>([
    [
      'a fixed scale runs that model only',
      [100, 50],
      { kind: 'scale', scale: 2 },
      [2],
      { scale: 2, resize: size(200, 100), crop: undefined, output: size(200, 100), peakPixels: 20000 },
    ],
    [
      'contain by width, enlarging: model x2, then down to the width',
      [300, 200],
      fitRequest('contain', 500, undefined),
      [2],
      { scale: 2, resize: size(500, 333), output: size(500, 333), peakPixels: 240000 },
    ],
    [
      'contain in a box: the tighter edge (height) binds',
      [300, 200],
      fitRequest('contain', 600, 300),
      [2],
      { scale: 2, resize: size(450, 300), crop: undefined },
    ],
    [
      'contain smaller than the source: a downscale only',
      [300, 200],
      fitRequest('contain', 150, undefined),
      [2],
      { scale: undefined, resize: size(150, 100), peakPixels: 60000 },
    ],
    [
      'contain at the source size: nothing to do',
      [300, 200],
      fitRequest('contain', 300, undefined),
      [2],
      { scale: undefined, resize: size(300, 200), output: size(300, 200) },
    ],
    [
      'exactly the model scale: no resample after it',
      [100, 100],
      fitRequest('contain', 200, 200),
      [2, 4],
      { scale: 2, resize: size(200, 200), peakPixels: 40000 },
    ],
    [
      'the smallest scale at least the factor (x3 needs x4)',
      [100, 100],
      fitRequest('contain', 300, undefined),
      [2, 4],
      { scale: 4, resize: size(300, 300), peakPixels: 160000 },
    ],
    [
      'beyond the largest scale: the largest, then resample up',
      [100, 100],
      fitRequest('contain', 500, undefined),
      [4, 2],
      { scale: 4, resize: size(500, 500), peakPixels: 250000 },
    ],
    ['a barely larger size still goes through the model', [100, 33], fitRequest('contain', 101, undefined), [2], { scale: 2, resize: size(101, 33) }],
    [
      'cover shrinking: fills the box and crops the centre',
      [300, 200],
      fitRequest('cover', 200, 200),
      [2],
      { scale: undefined, resize: size(300, 200), crop: { x: 50, y: 0, width: 200, height: 200 }, output: size(200, 200) },
    ],
    [
      'cover enlarging: the looser edge (height) binds',
      [300, 200],
      fitRequest('cover', 400, 400),
      [2],
      { scale: 2, resize: size(600, 400), crop: { x: 100, y: 0, width: 400, height: 400 }, peakPixels: 240000 },
    ],
    [
      'cover with an odd overflow leaves the extra pixel right',
      [301, 200],
      fitRequest('cover', 200, 200),
      [2],
      { crop: { x: 50, y: 0, width: 200, height: 200 } },
    ],
    [
      'cover with one edge is contain',
      [300, 200],
      fitRequest('cover', 150, undefined),
      [2],
      { resize: size(150, 100), crop: undefined, output: size(150, 100) },
    ],
    ['scale-down never enlarges', [300, 200], fitRequest('scale-down', 600, 600), [2], { scale: undefined, resize: size(300, 200), output: size(300, 200) }],
    ['scale-down shrinks like contain', [300, 200], fitRequest('scale-down', 150, 150), [2], { scale: undefined, resize: size(150, 100) }],
    ['dpr multiplies the box', [300, 200], fitRequest('contain', 300, undefined, 1.5), [2], { scale: 2, resize: size(450, 300) }],
    ['dpr products round to whole pixels', [100, 100], fitRequest('contain', 33, undefined, 1.5), [2], { resize: size(50, 50) }],
    ['the non-binding edge rounds to nearest', [300, 199], fitRequest('contain', 500, undefined), [2], { resize: size(500, 332) }],
    ['a sliver keeps at least one pixel', [3, 1000], fitRequest('contain', undefined, 10), [2], { resize: size(1, 10) }],
  ])('%s', (_, [width, height], request, scales, expected) => {
    expect(planResize(size(width, height), request, scales)).toMatchObject(expected);
  });

  describe('invariants over a grid of sources and boxes', () => {
    const sources = [size(1, 1), size(7, 3), size(64, 64), size(300, 200), size(199, 301), size(1000, 3)];
    const boxes: [number | undefined, number | undefined][] = [
      [1, undefined],
      [undefined, 5],
      [50, 50],
      [333, 100],
      [640, 480],
      [90, 1200],
    ];
    const cases = sources.flatMap((source) => boxes.flatMap(([width, height]) => FITS.map((mode) => ({ source, width, height, mode }))));

    it.each(cases.map((c) => [`${c.mode} ${c.source.width}x${c.source.height} into ${c.width ?? 'any'}x${c.height ?? 'any'}`, c]))(
      '%s',
      (_, { source, width, height, mode }) => {
        const plan = planResize(source, fitRequest(mode, width, height), [2, 4]);
        const { resize, output } = plan;
        // Aspect ratio kept to within the rounding of one edge.
        expect(Math.abs(resize.width * source.height - resize.height * source.width)).toBeLessThanOrEqual(Math.max(source.width, source.height));
        if (mode === 'cover' && width !== undefined && height !== undefined) expect(output).toEqual({ width, height });
        else {
          expect(output.width).toBeLessThanOrEqual(width ?? Infinity);
          expect(output.height).toBeLessThanOrEqual(height ?? Infinity);
        }
        if (mode === 'scale-down') expect(output.width <= source.width && output.height <= source.height).toBe(true);
        const enlarges = resize.width > source.width || resize.height > source.height;
        expect(plan.scale === undefined).toBe(!enlarges);
        if (plan.scale !== undefined) {
          const factor = Math.max(resize.width / source.width, resize.height / source.height);
          expect(plan.scale).toBe(factor <= 2 ? 2 : 4);
        }
        expect(plan.peakPixels).toBeGreaterThanOrEqual(output.width * output.height);
      },
    );
  });

  it('refuses a fit without a box', () => {
    expect(() => planResize(size(10, 10), fitRequest('contain', undefined, undefined), [2])).toThrow(RangeError);
  });
});
