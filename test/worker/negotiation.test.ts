import { describe, expect, it } from 'vitest';
import { chooseFormat, formatPreferences } from '../../src/http/accept';
import { upscaleCacheKey } from '../../src/http/cache-key';
import { ifNoneMatchMatches } from '../../src/http/conditional';

describe('formatPreferences', () => {
  it.each([
    ['no header', undefined, { png: 1, jpeg: 1, webp: 1 }],
    ['a browser image request', 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8', { png: 1, jpeg: 1, webp: 1 }],
    ['the most specific range wins', 'image/*;q=0.5, image/webp;q=0.9, */*;q=0.1', { png: 0.5, jpeg: 0.5, webp: 0.9 }],
    ['explicit refusal', 'image/webp;q=0, image/*', { png: 1, jpeg: 1, webp: 0 }],
    ['only non-images', 'text/html', { png: 0, jpeg: 0, webp: 0 }],
    ['malformed ranges are skipped', 'image/webp;q=2, image/png;q=0.7, garbage', { png: 0.7, jpeg: 0, webp: 0 }],
  ])('%s', (_, accept, expected) => {
    expect(formatPreferences(accept)).toEqual(expected);
  });
});

describe('chooseFormat', () => {
  it.each([
    ['prefers WebP on a tie', 'image/*', 'jpeg', 'webp'],
    ['prefers the source over other formats on a tie', 'image/png,image/jpeg', 'jpeg', 'jpeg'],
    ['follows the highest q', 'image/webp;q=0.5,image/png', 'jpeg', 'png'],
    ['serves the source when nothing is acceptable', 'text/html', 'png', 'png'],
  ] as const)('%s', (_, accept, source, expected) => {
    expect(chooseFormat(formatPreferences(accept), source)).toBe(expected);
  });
});

describe('upscaleCacheKey', () => {
  const sha = 'ab'.repeat(32);
  const key = (url: string, accept?: string) => {
    const parsed = new URL(url);
    const format = parsed.searchParams.get('format') ?? undefined;
    const quality = parsed.searchParams.get('quality');
    const params = { scale: Number(parsed.searchParams.get('upscale')), format: format as never, quality: quality === null ? undefined : Number(quality) };
    return upscaleCacheKey(parsed, params, accept === undefined ? undefined : formatPreferences(accept), sha);
  };

  it('orders and spells out our parameters after the origin query', () => {
    expect(key('https://e.dev/a.png?quality=80&v=1&format=jpeg&upscale=2')).toBe(
      `https://e.dev/a.png?v=1&upscale=2&format=jpeg&quality=80&model=${sha}`,
    );
    expect(key('https://e.dev/a.png?upscale=2')).toBe(`https://e.dev/a.png?upscale=2&format=source&quality=default&model=${sha}`);
  });

  it('is the same for equivalent requests and differs for different ones', () => {
    expect(key('https://e.dev/a.png?upscale=2&format=png')).toBe(key('https://e.dev/a.png?format=png&upscale=2'));
    expect(key('https://e.dev/a.png?upscale=2')).not.toBe(key('https://e.dev/a.png?upscale=2&format=png'));
    expect(key('https://e.dev/a.png?upscale=2&format=auto', 'image/webp')).not.toBe(key('https://e.dev/a.png?upscale=2&format=auto', 'image/png'));
  });
});

describe('ifNoneMatchMatches', () => {
  it.each([
    [undefined, false],
    ['*', true],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"abcd"', false],
  ])('%s', (header, expected) => {
    expect(ifNoneMatchMatches(header, '"abc"')).toBe(expected);
  });
});
