import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/samples/catalog';
import { responseSize } from './harness';

// The shipped Worker (src/index.ts with wrangler.toml), its origin being its own static assets.
describe('the shipped Worker', () => {
  it('serves the index page linking every sample', async () => {
    const response = await SELF.fetch('https://edge.test/');
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const { file } of SAMPLES) expect(html).toContain(`/samples/${file}?upscale=2`);
  });

  it('passes sample requests without parameters through unchanged', async () => {
    const response = await SELF.fetch('https://edge.test/samples/text-card.jpg');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/jpeg');
    expect(await responseSize(response)).toEqual({ format: 'jpeg', width: 192, height: 112 });
  });

  it.each(SAMPLES.map(({ file }) => [file]))('upscales samples/%s by 2', async (file) => {
    const original = await responseSize(await SELF.fetch(`https://edge.test/samples/${file}`));
    const response = await SELF.fetch(`https://edge.test/samples/${file}?upscale=2`);
    expect(response.status).toBe(200);
    expect(await responseSize(response)).toEqual({ format: original.format, width: original.width * 2, height: original.height * 2 });
  });

  it('passes a 404 for a missing asset through', async () => {
    expect((await SELF.fetch('https://edge.test/nothing-here.png')).status).toBe(404);
  });

  it('answers a missing asset with upscale as a JSON 404', async () => {
    const response = await SELF.fetch('https://edge.test/nothing-here.png?upscale=2');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'origin_not_found', message: 'the origin has no image at this path' } });
  });
});
