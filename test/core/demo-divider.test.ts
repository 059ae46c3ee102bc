import { describe, expect, it } from 'vitest';
import { cssLength, splitAfterKey, splitAtPointer } from '../../src/client/demo/divider';

describe('splitAtPointer', () => {
  it.each([
    ['the middle', 200, 100, 200, 50],
    ['a quarter in', 150, 100, 200, 25],
    ['the left edge', 100, 100, 200, 0],
    ['left of the image, pinned', 20, 100, 200, 0],
    ['right of the image, pinned', 900, 100, 200, 100],
    ['an image not laid out yet', 150, 100, 0, 50],
  ])('%s', (_, clientX, left, width, split) => {
    expect(splitAtPointer(clientX, left, width)).toBe(split);
  });
});

describe('splitAfterKey', () => {
  it.each<[string, boolean, number, number | undefined]>([
    ['ArrowLeft', false, 50, 49],
    ['ArrowLeft', true, 50, 40],
    ['ArrowDown', false, 50, 49],
    ['ArrowRight', false, 50, 51],
    ['ArrowUp', true, 95, 100],
    ['ArrowLeft', true, 4, 0],
    ['PageDown', false, 50, 40],
    ['PageUp', false, 50, 60],
    ['Home', false, 50, 0],
    ['End', false, 50, 100],
    ['Enter', false, 50, undefined],
    ['a', true, 50, undefined],
  ])('%s (shift %s) from %d gives %s', (key, shift, current, split) => {
    expect(splitAfterKey(key, shift, current)).toBe(split);
  });
});

describe('cssLength', () => {
  it.each([
    ['1:1 on a 1x display', 384, 1, 1, 384],
    ['1:1 on a 2x display', 384, 1, 2, 192],
    ['zoom 4 on a 2x display', 384, 4, 2, 768],
    ['1:1 on a 1.5x display', 300, 1, 1.5, 200],
  ])('%s', (_, pixels, zoom, ratio, css) => {
    expect(cssLength(pixels, zoom, ratio)).toBe(css);
  });
});
