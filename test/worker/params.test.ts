import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/http/errors';
import { originQuery, parseUpscaleParams } from '../../src/http/params';

const parse = (query: string) => parseUpscaleParams(new URLSearchParams(query), [2, 4]);

describe('parseUpscaleParams', () => {
  it.each([
    ['no parameters of ours', 'v=1&w=100', undefined],
    ['upscale alone', 'upscale=4', { scale: 4, format: undefined, quality: undefined }],
    ['every parameter', 'quality=80&format=webp&upscale=2', { scale: 2, format: 'webp', quality: 80 }],
    ['format auto', 'upscale=2&format=auto', { scale: 2, format: 'auto', quality: undefined }],
    ['quality at its bounds', 'upscale=2&format=jpeg&quality=100', { scale: 2, format: 'jpeg', quality: 100 }],
  ])('parses %s', (_, query, expected) => {
    expect(parse(query)).toEqual(expected);
  });

  it.each([
    ['a scale without a model', 'upscale=3', 'upscale must be one of 2, 4'],
    ['an empty upscale', 'upscale=', 'upscale must be one of 2, 4'],
    ['a signed scale', 'upscale=+2', 'upscale must be one of 2, 4'],
    ['a fractional quality', 'upscale=2&format=webp&quality=7.5', 'quality must be an integer from 1 to 100'],
    ['a repeated format', 'upscale=2&format=png&format=webp', 'format is given 2 times'],
    ['quality alone', 'quality=50', 'upscale is required'],
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
    ['keeps pairs with malformed escapes', '?v=%zz&upscale=2', '?v=%zz'],
  ])('%s', (_, search, expected) => {
    expect(originQuery(search)).toBe(expected);
  });
});
