import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, readConfig } from '../../src/config';

describe('readConfig', () => {
  it('uses the defaults for unset and empty variables', () => {
    expect(readConfig({})).toEqual(DEFAULT_CONFIG);
    expect(readConfig({ ORIGIN: '', TILE_SIZE: '' })).toEqual(DEFAULT_CONFIG);
  });

  it('reads every variable', () => {
    const config = readConfig({
      ORIGIN: 'http://127.0.0.1:9000/',
      CACHE: 'off',
      CACHE_CONTROL: 'no-store',
      MAX_SOURCE_BYTES: '1000',
      MAX_SOURCE_SIDE: '1500',
      MAX_SOURCE_PIXELS: '2000',
      MAX_WHOLE_SOURCE_PIXELS: '2500',
      MAX_OUTPUT_PIXELS: '3000',
      MAX_WEBP_OUTPUT_PIXELS: '3500',
      MAX_WEBP_ALPHA_OUTPUT_PIXELS: '3400',
      MAX_AVIF_SOURCE_PIXELS: '2200',
      MAX_PROGRESSIVE_JPEG_SOURCE_PIXELS: '2100',
      MAX_AVIF_OUTPUT_PIXELS: '3200',
      ORIGIN_TIMEOUT_MS: '40',
      DEADLINE_MS: '50',
      TILE_SIZE: '64',
      DEFAULT_QUALITY: '70',
      SIGNING_KEYS: 'new-key-0123456789abcdef, old-key-0123456789abcdef',
    });
    expect(config).toEqual({
      origin: { kind: 'url', prefix: 'http://127.0.0.1:9000' },
      cacheEnabled: false,
      cacheControl: 'no-store',
      limits: {
        sourceBytes: 1000,
        sourceSide: 1500,
        sourcePixels: 2000,
        wholeSourcePixels: 2500,
        avifSourcePixels: 2200,
        progressiveJpegSourcePixels: 2100,
        outputPixels: 3000,
        webpOutputPixels: 3500,
        webpAlphaOutputPixels: 3400,
        avifOutputPixels: 3200,
      },
      cost: DEFAULT_CONFIG.cost,
      originTimeoutMs: 40,
      deadlineMs: 50,
      tileSize: { default: 64 },
      defaultQuality: 70,
      signingKeys: ['new-key-0123456789abcdef', 'old-key-0123456789abcdef'],
    });
  });

  it.each([
    ['96', { default: 96 }],
    ['128,3:96,4:80', { default: 128, 3: 96, 4: 80 }],
    ['3:64', { ...DEFAULT_CONFIG.tileSize, 3: 64 }],
    [' 112 , 4:80', { default: 112, 3: 96, 4: 80 }],
  ])('reads TILE_SIZE=%s', (value, expected) => {
    expect(readConfig({ TILE_SIZE: value }).tileSize).toEqual(expected);
  });

  it.each([
    ['r2:', { kind: 'r2', keyPrefix: '' }],
    ['r2:images/', { kind: 'r2', keyPrefix: 'images/' }],
    ['https://img.example.com/v1/', { kind: 'url', prefix: 'https://img.example.com/v1' }],
  ])('reads ORIGIN=%s', (origin, expected) => {
    expect(readConfig({ ORIGIN: origin }).origin).toEqual(expected);
  });

  it.each([
    ['ORIGIN', 'ftp://x', 'must be http: or https:'],
    ['ORIGIN', 'http://x/?a=1', 'must not have a query'],
    ['ORIGIN', 'images', 'not an absolute URL'],
    ['CACHE', 'yes', 'CACHE must be "on" or "off"'],
    ['TILE_SIZE', '8', 'TILE_SIZE must be an integer from 16 to 1024'],
    ['TILE_SIZE', '128,3:2000', 'TILE_SIZE must be an integer from 16 to 1024, got 2000'],
    ['TILE_SIZE', '128;3:96', 'TILE_SIZE must be an edge from 16 to 1024 or a list like "128,3:96,4:80"'],
    ['TILE_SIZE', '0:96', 'TILE_SIZE must be an edge from 16 to 1024 or a list'],
    ['DEFAULT_QUALITY', '85.5', 'DEFAULT_QUALITY must be an integer from 1 to 100'],
    ['MAX_SOURCE_BYTES', '10MB', 'MAX_SOURCE_BYTES must be an integer'],
    ['ORIGIN', 'r2:/images', 'an R2 key prefix does not start with "/"'],
    ['SIGNING_KEYS', 'short', 'key 1 has 5 characters; at least 16 are required'],
    ['SIGNING_KEYS', 'a-long-enough-signing-key,', 'key 2 has 0 characters'],
  ])('rejects %s=%s', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(message);
  });
});
