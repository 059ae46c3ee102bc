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
    ['no header (AVIF only when named)', undefined, { png: 1, jpeg: 1, webp: 1, avif: 0 }],
    ['a browser image request', 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8', { png: 1, jpeg: 1, webp: 1, avif: 1 }],
    ['a browser from before AVIF: its wildcards do not stand for AVIF', 'image/webp,image/apng,image/*,*/*;q=0.8', { png: 1, jpeg: 1, webp: 1, avif: 0 }],
    ['the most specific range wins', 'image/*;q=0.5, image/webp;q=0.9, image/avif;q=0.8, */*;q=0.1', { png: 0.5, jpeg: 0.5, webp: 0.9, avif: 0.8 }],
    ['explicit refusal', 'image/webp;q=0, image/avif;q=0, image/*', { png: 1, jpeg: 1, webp: 0, avif: 0 }],
    ['only non-images', 'text/html', { png: 0, jpeg: 0, webp: 0, avif: 0 }],
    ['malformed ranges are skipped', 'image/webp;q=2, image/png;q=0.7, garbage', { png: 0.7, jpeg: 0, webp: 0, avif: 0 }],
  ])('%s', (_, accept, expected) => {
    expect(formatPreferences(accept)).toEqual(expected);
  });
});

describe('chooseFormat', () => {
  it.each([
    ['prefers WebP on a tie', 'image/*', 'jpeg', 'webp'],
    ['prefers AVIF over WebP on a tie', 'image/avif,image/webp,image/*', 'jpeg', 'avif'],
    ['follows the highest q, AVIF included', 'image/avif;q=0.5,image/webp', 'png', 'webp'],
    ['serves an AVIF source as WebP to a client that does not name AVIF', 'image/*', 'avif', 'webp'],
    ['prefers the source over other formats on a tie', 'image/png,image/jpeg', 'jpeg', 'jpeg'],
    ['follows the highest q', 'image/webp;q=0.5,image/png', 'jpeg', 'png'],
    ['serves the source when nothing is acceptable', 'text/html', 'png', 'png'],
  ] as const)('%s', (_, accept, source, expected) => {
    expect(chooseFormat(formatPreferences(accept), source)).toBe(expected);
  });

  it.each([
    ['AVIF left out (over its limit): WebP', 'image/avif,image/webp', 'png', ['png', 'jpeg', 'webp'], 'webp'],
    ['both left out: the source', 'image/avif,image/webp', 'png', ['png', 'jpeg'], 'png'],
    ['an AVIF source over both limits, nothing acceptable: PNG', 'text/html', 'avif', ['png', 'jpeg'], 'png'],
    ['an AVIF source, nothing acceptable: PNG, not AVIF unnamed', 'text/html', 'avif', ['png', 'jpeg', 'webp', 'avif'], 'png'],
    ["an AVIF source over WebP's limit, only WebP named: PNG, not AVIF unnamed", 'image/webp', 'avif', ['png', 'jpeg', 'avif'], 'png'],
  ] as const)('among the allowed formats: %s', (_, accept, source, allowed, expected) => {
    expect(chooseFormat(formatPreferences(accept), source, allowed)).toBe(expected);
  });
});

describe('renditionCacheKey', () => {
  const sha = (n: number) => String(n).repeat(64);
  const catalog = createModelCatalog(
    {
      schemaVersion: 1,
      models: [
        { ...manifest.models[0]!, scale: 2, sha256: sha(2) },
        { ...manifest.models[0]!, scale: 4, sha256: sha(4) },
      ],
    },
    () => Promise.reject(new Error('not loaded in these tests')),
  );
  const key = (url: string, accept?: string) => {
    const parsed = new URL(url);
    const params = parseUpscaleParams(parsed.searchParams, catalog.scales)!;
    return renditionCacheKey(parsed, params, accept === undefined ? undefined : formatPreferences(accept), catalog);
  };

  it("orders and spells out our parameters after the origin query, with the scale's model", () => {
    expect(key('https://e.dev/a.png?quality=80&v=1&format=jpeg&upscale=2&s=sig')).toBe(
      `https://e.dev/a.png?v=1&upscale=2&format=jpeg&quality=80&model=${sha(2)}`,
    );
    expect(key('https://e.dev/a.png?upscale=4')).toBe(`https://e.dev/a.png?upscale=4&format=source&quality=default&model=${sha(4)}`);
  });

  it('keys a display size by its device-pixel box and fit, with every model it may run', () => {
    expect(key('https://e.dev/a.png?width=300&dpr=2')).toBe(
      `https://e.dev/a.png?width=600&height=auto&fit=contain&format=source&quality=default&model=${sha(2)},${sha(4)}`,
    );
    expect(key('https://e.dev/a.png?width=300&dpr=2')).toBe(key('https://e.dev/a.png?width=600&fit=contain'));
    expect(key('https://e.dev/a.png?width=300&height=200&fit=cover')).not.toBe(key('https://e.dev/a.png?width=300&height=200'));
  });

  it('keys format=auto by the negotiated format for each source format and each set of formats an output size allows', () => {
    const chrome = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
    // Per source: all formats / over AVIF's limit / over WebP's / over both.
    expect(key('https://e.dev/a.png?upscale=2&format=auto', chrome)).toBe(
      `https://e.dev/a.png?upscale=2&format=auto:png>avif/webp/avif/png,jpeg>avif/webp/avif/jpeg,webp>avif/webp/avif/png,avif>avif/webp/avif/png&quality=default&model=${sha(2)}`,
    );
    // Different headers, same negotiation: one entry.
    expect(key('https://e.dev/a.png?upscale=2&format=auto', 'image/avif,image/webp')).toBe(key('https://e.dev/a.png?upscale=2&format=auto', chrome));
    expect(key('https://e.dev/a.png?upscale=2&format=auto', 'image/webp')).toContain(
      'format=auto:png>webp/webp/png/png,jpeg>webp/webp/jpeg/jpeg,webp>webp/webp/png/png,avif>webp/webp/png/png&',
    );
    expect(key('https://e.dev/a.png?upscale=2&format=auto', 'image/png,image/jpeg')).toContain(
      'format=auto:png>png/png/png/png,jpeg>jpeg/jpeg/jpeg/jpeg,webp>png/png/png/png,avif>png/png/png/png&',
    );
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
