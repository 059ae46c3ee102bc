import { describe, expect, it } from 'vitest';
import type { ModelCatalog } from '../../src/core/model-catalog';
import { imageResponse, models, serviceApp, TestOrigin } from './harness';

/** The shipped models, counting the leases a request holds and has not ended. */
function countingLeases(): { catalog: ModelCatalog; open: () => number; taken: () => number } {
  let open = 0;
  let taken = 0;
  const catalog: ModelCatalog = {
    scales: models.scales,
    entry: (scale) => models.entry(scale),
    warm: (scale) => models.warm(scale),
    async lease(scale) {
      const inner = await models.lease(scale);
      open++;
      taken++;
      let ended = false;
      return {
        runner: inner.runner,
        end() {
          if (!ended) open--;
          ended = true;
          inner.end();
        },
      };
    },
  };
  return { catalog, open: () => open, taken: () => taken };
}

// A lease left open would pin its session, and with it onnxruntime's memory for every other scale.
describe('an upscale request ends its model lease', () => {
  it('once its body has been read', async () => {
    const leases = countingLeases();
    const app = serviceApp(new TestOrigin({ '/a.png': await imageResponse('png', 40, 30) }), { models: leases.catalog });
    const response = await app.request('/a.png?upscale=2');
    expect(leases.open()).toBe(1); // held while the body streams
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(leases.taken()).toBe(1);
    expect(leases.open()).toBe(0);
  });

  it('when its body is cancelled unread, and when a matching tag answers 304 without one', async () => {
    const leases = countingLeases();
    const app = serviceApp(new TestOrigin({ '/a.png': await imageResponse('png', 40, 30) }), { models: leases.catalog });
    const first = await app.request('/a.png?upscale=2');
    const etag = first.headers.get('ETag')!;
    await first.body!.cancel();
    expect(leases.open()).toBe(0);
    const revalidated = await app.request('/a.png?upscale=2', { headers: { 'If-None-Match': etag } });
    expect(revalidated.status).toBe(304);
    expect(leases.taken()).toBe(2);
    expect(leases.open()).toBe(0);
  });

  it('when the request is refused after the model was leased', async () => {
    const leases = countingLeases();
    // A PNG whose header promises pixels its data does not hold: refused by the decode, after the lease.
    const png = new Uint8Array(await (await imageResponse('png', 40, 30))().arrayBuffer());
    const truncated = png.slice(0, png.length - 40);
    const app = serviceApp(new TestOrigin({ '/bad.png': () => new Response(truncated) }), { models: leases.catalog });
    const response = await app.request('/bad.png?upscale=2');
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(leases.taken()).toBe(1);
    expect(leases.open()).toBe(0);
  });
});
