import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/http/errors';
import { originQuery, parseUpscaleParams } from '../../src/http/params';

const parse = (query: string) => parseUpscaleParams(new URLSearchParams(query), [2, 4]);

describe('parseUpscaleParams', () => {
  const scale = (n: number) => ({ kind: 'scale', scale: n });
  const box = (width: number | undefined, height: number | undefined, fit = 'contain', dpr = 1) => ({ kind: 'fit', width, height, fit, dpr });

  it.each([
    ['no parameters of ours', 'v=1&w=100', undefined],
    ['a lone signature (not a rendition request)', 's=abc', undefined],
    ['upscale alone', 'upscale=4', { resize: scale(4), format: undefined, quality: undefined }],
    ['every output parameter', 'quality=80&format=webp&upscale=2', { resize: scale(2), format: 'webp', quality: 80 }],
    ['format auto', 'upscale=2&format=auto', { resize: scale(2), format: 'auto', quality: undefined }],
    ['quality at its bounds', 'upscale=2&format=jpeg&quality=100', { resize: scale(2), format: 'jpeg', quality: 100 }],
    ['a width (fit defaults to contain, dpr to 1)', 'width=640', { resize: box(640, undefined), format: undefined, quality: undefined }],
    ['a height', 'height=480', { resize: box(undefined, 480), format: undefined, quality: undefined }],
    ['a box with fit and dpr', 'width=300&height=200&fit=cover&dpr=1.5', { resize: box(300, 200, 'cover', 1.5), format: undefined, quality: undefined }],
    [
      'scale-down at the largest edge and dpr',
      'width=16383&fit=scale-down&dpr=5',
      { resize: box(16383, undefined, 'scale-down', 5), format: undefined, quality: undefined },
    ],
  ])('parses %s', (_, query, expected) => {
    expect(parse(query)).toEqual(expected);
  });

  it.each([
    ['a scale without a model', 'upscale=3', 'upscale must be one of 2, 4'],
    ['an empty upscale', 'upscale=', 'upscale must be one of 2, 4'],
    ['a signed scale', 'upscale=+2', 'upscale must be one of 2, 4'],
    ['a fractional quality', 'upscale=2&format=webp&quality=7.5', 'quality must be an integer from 1 to 100'],
    ['a repeated format', 'upscale=2&format=png&format=webp', 'format is given 2 times'],
    ['quality alone', 'quality=50', 'upscale is required (one of 2, 4), or a width or height for a display size'],
    ['upscale with a width', 'upscale=2&width=300', 'upscale sets a scale and width a display size'],
    ['fit without a size', 'fit=cover', 'fit needs a width or a height'],
    ['dpr and fit without a size', 'dpr=2&fit=cover', 'fit and dpr need a width or a height'],
    ['a zero width', 'width=0', 'width must be an integer from 1 to 16383'],
    ['a padded height', 'height=0480', 'height must be an integer from 1 to 16383'],
    ["a width past WebP's largest edge", 'width=16384', 'width must be an integer from 1 to 16383'],
    ['an unknown fit', 'width=10&fit=fill', 'fit must be one of contain, cover, scale-down'],
    ['a dpr over 5', 'width=10&dpr=5.5', 'dpr must be a number from 1 to 5'],
    ['a dpr under 1', 'width=10&dpr=0.5', 'dpr must be a number from 1 to 5'],
    ['a dpr with three decimals', 'width=10&dpr=1.125', 'dpr must be a number from 1 to 5 with at most two decimals'],
  ])('rejects %s with a 400 naming the allowed values', (_, query, message) => {
    let thrown: unknown;
    try {
      parse(query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceError);
    expect(thrown).toMatchObject({ status: 400, code: 'invalid_parameter' });
    expect((thrown as Error).message).toContain(message);
  });
});

describe('originQuery', () => {
  it.each([
    ['nothing', '', ''],
    ['only ours', '?upscale=2&format=png', ''],
    ['keeps others byte for byte, in order', '?b=2&upscale=2&a=x%20y+z&quality=5', '?b=2&a=x%20y+z'],
    ['drops encoded spellings of our names', '?%75pscale=2&v=1', '?v=1'],
    ['drops the signature and the display-size parameters', '?width=3&v=1&s=abc&height=2&fit=cover&dpr=2', '?v=1'],
    ['keeps pairs with malformed escapes', '?v=%zz&upscale=2', '?v=%zz'],
  ])('%s', (_, search, expected) => {
    expect(originQuery(search)).toBe(expected);
  });
});
