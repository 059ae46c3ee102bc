import { describe, expect, it } from 'vitest';
import manifestJson from '../../model/manifest.json';
import { parseManifest } from '../../src/core/manifest';
import { createModelCatalog } from '../../src/core/model-catalog';
import { chooseFormat, formatPreferences } from '../../src/http/accept';
import { renditionCacheKey } from '../../src/http/cache-key';
import { ifNoneMatchMatches } from '../../src/http/conditional';
import { parseUpscaleParams } from '../../src/http/params';

const manifest = parseManifest(manifestJson);

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

describe('renditionCacheKey', () => {
  const sha = (n: number) => String(n).repeat(64);
  const catalog = createModelCatalog(
    { schemaVersion: 1, models: [{ ...manifest.models[0]!, scale: 2, sha256: sha(2) }, { ...manifest.models[0]!, scale: 4, sha256: sha(4) }] },
    () => Promise.reject(new Error('not loaded in these tests')),
  );
  const key = (url: string, accept?: string) => {
    const parsed = new URL(url);
    const params = parseUpscaleParams(parsed.searchParams, catalog.scales)!;
    return renditionCacheKey(parsed, params, accept === undefined ? undefined : formatPreferences(accept), catalog);
  };

  it('orders and spells out our parameters after the origin query, with the scale\'s model', () => {
    expect(key('https://e.dev/a.png?quality=80&v=1&format=jpeg&upscale=2&s=sig')).toBe(`https://e.dev/a.png?v=1&upscale=2&format=jpeg&quality=80&model=${sha(2)}`);
    expect(key('https://e.dev/a.png?upscale=4')).toBe(`https://e.dev/a.png?upscale=4&format=source&quality=default&model=${sha(4)}`);
  });

  it('keys a display size by its device-pixel box and fit, with every model it may run', () => {
    expect(key('https://e.dev/a.png?width=300&dpr=2')).toBe(`https://e.dev/a.png?width=600&height=auto&fit=contain&format=source&quality=default&model=${sha(2)},${sha(4)}`);
    expect(key('https://e.dev/a.png?width=300&dpr=2')).toBe(key('https://e.dev/a.png?width=600&fit=contain'));
    expect(key('https://e.dev/a.png?width=300&height=200&fit=cover')).not.toBe(key('https://e.dev/a.png?width=300&height=200'));
  });

  it('keys format=auto by the negotiated format for each source format', () => {
    const chrome = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
    expect(key('https://e.dev/a.png?upscale=2&format=auto', chrome)).toBe(
      `https://e.dev/a.png?upscale=2&format=auto:png>webp/png,jpeg>webp/jpeg,webp>webp/png&quality=default&model=${sha(2)}`,
    );
    // Different headers, same negotiation: one entry.
    expect(key('https://e.dev/a.png?upscale=2&format=auto', 'image/webp')).toBe(key('https://e.dev/a.png?upscale=2&format=auto', chrome));
    expect(key('https://e.dev/a.png?upscale=2&format=auto', 'image/png,image/jpeg')).toContain('format=auto:png>png/png,jpeg>jpeg/jpeg,webp>png/png&');
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
