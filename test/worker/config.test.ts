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
      MAX_SOURCE_PIXELS: '2000',
      MAX_OUTPUT_PIXELS: '3000',
      ORIGIN_TIMEOUT_MS: '40',
      DEADLINE_MS: '50',
      TILE_SIZE: '64',
      DEFAULT_QUALITY: '70',
    });
    expect(config).toEqual({
      origin: 'http://127.0.0.1:9000',
      cacheEnabled: false,
      cacheControl: 'no-store',
      limits: { sourceBytes: 1000, sourcePixels: 2000, outputPixels: 3000 },
      originTimeoutMs: 40,
      deadlineMs: 50,
      tileSize: 64,
      defaultQuality: 70,
    });
  });

  it.each([
    ['ORIGIN', 'ftp://x', 'must be http: or https:'],
    ['ORIGIN', 'http://x/?a=1', 'must not have a query'],
    ['ORIGIN', 'images', 'not an absolute URL'],
    ['CACHE', 'yes', 'CACHE must be "on" or "off"'],
    ['TILE_SIZE', '8', 'TILE_SIZE must be an integer from 16 to 1024'],
    ['DEFAULT_QUALITY', '85.5', 'DEFAULT_QUALITY must be an integer from 1 to 100'],
    ['MAX_SOURCE_BYTES', '10MB', 'MAX_SOURCE_BYTES must be an integer'],
  ])('rejects %s=%s', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(message);
  });
});
