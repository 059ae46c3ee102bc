import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest } from '../../src/core/manifest';

const shipped = JSON.parse(readFileSync('model/manifest.json', 'utf8')) as { models: Record<string, unknown>[] };

/** The shipped manifest with one field of its first model replaced. */
function withModelField(path: string, value: unknown): unknown {
  const copy = structuredClone(shipped);
  const keys = path.split('.');
  let target: Record<string, unknown> = copy.models[0]!;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys.at(-1)!] = value;
  return copy;
}

describe('parseManifest', () => {
  it('accepts the shipped model/manifest.json and keeps what the service needs', () => {
    const manifest = parseManifest(shipped);
    expect(manifest.models.map((model) => model.scale)).toContain(2);
    const x2 = manifest.models.find((model) => model.scale === 2)!;
    expect(x2.file).toMatch(/\.onnx$/);
    expect(x2.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(x2.input).toMatchObject({ layout: 'NCHW', channels: 'RGB', dtype: 'float32' });
    expect(x2.receptiveField).toBeGreaterThan(0);
  });

  it.each([
    ['schemaVersion', { ...shipped, schemaVersion: 2 }, '$.schemaVersion'],
    ['empty models', { ...shipped, models: [] }, '$.models'],
    ['scale 1', withModelField('scale', 1), '$.models[0].scale'],
    ['fractional scale', withModelField('scale', 2.5), '$.models[0].scale'],
    ['upper-case sha256', withModelField('sha256', 'A'.repeat(64)), '$.models[0].sha256'],
    ['a path as file', withModelField('file', '../secret.onnx'), '$.models[0].file'],
    ['NHWC layout', withModelField('input.layout', 'NHWC'), '$.models[0].input.layout'],
    ['inverted range', withModelField('output.range', [1, 0]), '$.models[0].output.range'],
    ['missing input name', withModelField('input.name', ''), '$.models[0].input.name'],
    ['negative receptive field', withModelField('receptiveField', -1), '$.models[0].receptiveField'],
    ['two models for one scale', { ...shipped, models: [shipped.models[0], shipped.models[0]] }, '$.models[1].scale'],
  ])('rejects %s, naming the field', (_, json, path) => {
    expect(() => parseManifest(json)).toThrow(ManifestError);
    expect(() => parseManifest(json)).toThrow(path);
  });
});
