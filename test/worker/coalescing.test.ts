import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/http/coalesce';
import type { Origin } from '../../src/http/origin';
import { imageResponse, serviceApp } from './harness';

/**
 * An origin that holds every answer until `release()`, so that requests are provably concurrent
 * while the first one is being computed; it counts the fetches per path.
 */
class GatedOrigin implements Origin {
  readonly fetches = new Map<string, number>();
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));
  constructor(private readonly answer: (path: string) => Response) {}

  async fetch(path: string): Promise<Response> {
    this.fetches.set(path, (this.fetches.get(path) ?? 0) + 1);
    await this.#gate;
    return this.answer(path);
  }

  release(): void {
    this.#open();
  }
}

/** Starts the requests, lets them all reach the middleware, then opens the origin. */
async function concurrently(origin: GatedOrigin, send: () => Response | Promise<Response>, count: number): Promise<Response[]> {
  const responses = Array.from({ length: count }, () => Promise.resolve(send()));
  await new Promise((resolve) => setTimeout(resolve, 50));
  origin.release();
  return Promise.all(responses);
}

describe('request coalescing', () => {
  it('computes concurrent identical misses once; the others are answered from the entry it stores', async () => {
    const image = await imageResponse('png', 24, 16);
    const origin = new GatedOrigin(image);
    const app = serviceApp(origin, { cache: await caches.open('coalescing') });
    const ctx = createExecutionContext();
    const responses = await concurrently(origin, () => app.request('https://edge.test/a.png?upscale=2', {}, {}, ctx), 5);
    await waitOnExecutionContext(ctx);
    expect(origin.fetches.get('/a.png')).toBe(1);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const statuses = responses.map((r) => r.headers.get('Cache-Status'));
    expect(statuses.filter((s) => s === 'wdsr-edge; fwd=uri-miss; stored')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'wdsr-edge; fwd=uri-miss; collapsed')).toHaveLength(4);
    const bodies = await Promise.all(responses.map(async (r) => new Uint8Array(await r.arrayBuffer())));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(new Set(responses.map((r) => r.headers.get('ETag'))).size).toBe(1);
  });

  it('keeps different renditions apart', async () => {
    const origin = new GatedOrigin(await imageResponse('png', 24, 16));
    const app = serviceApp(origin, { cache: await caches.open('coalescing-apart') });
    let n = 0;
    const responses = await concurrently(origin, () => app.request(n++ % 2 === 0 ? '/a.png?upscale=2' : '/a.png?upscale=2&format=webp'), 4);
    expect(origin.fetches.get('/a.png')).toBe(2);
    expect(responses.map((r) => r.headers.get('Content-Type')).sort()).toEqual(['image/png', 'image/png', 'image/webp', 'image/webp']);
  });

  it('shares a failure before the first byte with every joined request', async () => {
    const origin = new GatedOrigin(() => new Response('gone', { status: 404 }));
    const app = serviceApp(origin, { cache: await caches.open('coalescing-failure') });
    const responses = await concurrently(origin, () => app.request('/missing.png?upscale=2'), 3);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(origin.fetches.get('/missing.png')).toBe(1);
  });

  it('without a cache there is no entry to share: each miss computes its own', async () => {
    const origin = new GatedOrigin(await imageResponse('png', 24, 16));
    const responses = await concurrently(origin, () => serviceApp(origin).request('/a.png?upscale=2'), 2);
    expect(responses.map((r) => r.headers.get('Cache-Status'))).toEqual(['wdsr-edge; fwd=bypass', 'wdsr-edge; fwd=bypass']);
    expect(origin.fetches.get('/a.png')).toBe(2);
  });
});

describe('Coalescer', () => {
  it('forgets a key once its work settles, so a later call starts afresh', async () => {
    const inFlight = new Coalescer<number>();
    let runs = 0;
    const work = async () => ++runs;
    const first = inFlight.run('k', work);
    const second = inFlight.run('k', work);
    expect([first.joined, second.joined]).toEqual([false, true]);
    expect(await second.result).toBe(1);
    expect(inFlight.size).toBe(0);
    expect(await inFlight.run('k', work).result).toBe(2);
  });

  it('forgets a key whose work failed', async () => {
    const inFlight = new Coalescer<number>();
    await expect(inFlight.run('k', () => Promise.reject(new Error('boom'))).result).rejects.toThrow('boom');
    expect(inFlight.size).toBe(0);
  });
});
