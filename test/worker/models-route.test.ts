import { SELF } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { MODEL_FILES } from '../../model/files';
import { sha256Hex } from '../../src/core/digest';
import { parseManifest } from '../../src/core/manifest';
import { modelFiles } from '../../src/http/model-files';
import { MODEL_MANIFEST_PATH, MODELS_PATH, modelFilePath } from '../../src/http/routes';
import { manifest, models } from './harness';

/** The route over the shipped catalog, with a marker for requests it passes on. */
function modelsApp(): Hono {
  const app = new Hono();
  app.get(`${MODELS_PATH}/*`, modelFiles(models, MODEL_FILES));
  app.all('*', (c) => c.text('passed on', 404));
  return app;
}

const [served] = manifest.models;

describe('model files route', () => {
  it('serves the manifest of the models it runs, revalidated on each use, to any origin', async () => {
    const response = await modelsApp().request(MODEL_MANIFEST_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('Cache-Control')).toBe('no-cache');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(parseManifest(await response.json())).toEqual(manifest);
  });

  it('serves each model file at its content-addressed path, immutable, with its SHA-256 as ETag', async () => {
    const response = await modelsApp().request(modelFilePath(served!));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('ETag')).toBe(`"${served!.sha256}"`);
    const bytes = await response.arrayBuffer();
    expect(bytes.byteLength).toBe(served!.bytes);
    expect(await sha256Hex(bytes)).toBe(served!.sha256);
  });

  it('serves the same bytes again (the bundled buffer is not consumed)', async () => {
    const app = modelsApp();
    await (await app.request(modelFilePath(served!))).arrayBuffer();
    expect((await (await app.request(modelFilePath(served!))).arrayBuffer()).byteLength).toBe(served!.bytes);
  });

  it('answers a matching If-None-Match with 304 and HEAD without a body', async () => {
    const app = modelsApp();
    const notModified = await app.request(modelFilePath(served!), { headers: { 'If-None-Match': `"${served!.sha256}"` } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(`"${served!.sha256}"`);
    const head = await app.request(modelFilePath(served!), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it.each([
    ['a stale checksum', `${MODELS_PATH}/${'0'.repeat(64)}/${served!.file}`],
    ['a file name alone', `${MODELS_PATH}/${served!.file}`],
    ['the prefix itself', `${MODELS_PATH}/`],
  ])('passes %s on to the next handler', async (_, path) => {
    const response = await modelsApp().request(path);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('passed on');
  });

  it('is mounted on the shipped Worker', async () => {
    const listed = parseManifest(await (await SELF.fetch(`https://edge.test${MODEL_MANIFEST_PATH}`)).json());
    const response = await SELF.fetch(`https://edge.test${modelFilePath(listed.models[0]!)}`);
    expect(response.status).toBe(200);
    expect(await sha256Hex(await response.arrayBuffer())).toBe(listed.models[0]!.sha256);
  });
});
