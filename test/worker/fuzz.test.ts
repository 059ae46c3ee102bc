import { SELF } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { readImageHeader } from '../../src/codec/header';
import { DEFAULT_CONFIG } from '../../src/config';
import type { Origin } from '../../src/http/origin';
import { codecs, imageResponse, responseSize, serviceApp } from './harness';
import { mutations, seeds, type FuzzInput } from './fuzz-inputs';

/** The rendition asked of each input, in turn: the model alone, model + cover crop, a downscale to WebP. */
const QUERIES = ['upscale=2', 'width=17&height=13&fit=cover', 'width=9&format=webp'] as const;

/** The size and format a valid input must come back with, for each query. */
function expectedOutput(query: (typeof QUERIES)[number], input: { width: number; height: number; format: string }) {
  if (query === 'upscale=2') return { format: input.format, width: input.width * 2, height: input.height * 2 };
  if (query === 'width=17&height=13&fit=cover') return { format: input.format, width: 17, height: 13 };
  return { format: 'webp', width: 9, height: Math.max(1, Math.round((input.height * 9) / input.width)) };
}

/** Whether the header alone lets the input through to decoding (so the decoder and model see it). */
function passesHeader(bytes: Uint8Array): boolean {
  try {
    const { width, height } = readImageHeader(bytes);
    return width * height <= DEFAULT_CONFIG.limits.wholeSourcePixels;
  } catch {
    return false;
  }
}

/** Whether a downscale decodes this input in strips, after the headers are sent (so damage found then can only abort the body). */
function streamsItsDecode(bytes: Uint8Array, query: string): boolean {
  try {
    return query !== 'upscale=2' && readImageHeader(bytes).decodesInStrips;
  } catch {
    return false;
  }
}

describe('fuzz: malformed images through the service in workerd', () => {
  it('answers every input with a 4xx or a valid image, never a 5xx, and keeps serving', async () => {
    const inputs: FuzzInput[] = mutations(await seeds());
    let current: FuzzInput = inputs[0]!;
    const origin: Origin = { fetch: () => Promise.resolve(new Response(current.bytes)) };
    const app = serviceApp(origin);
    vi.spyOn(console, 'error').mockImplementation(() => {}); // aborted bodies are logged
    const outcomes = new Map<string, number>();
    let reachedDecoding = 0;
    const start = performance.now();
    for (const [i, input] of inputs.entries()) {
      current = input;
      const query = QUERIES[i % QUERIES.length]!;
      if (passesHeader(input.bytes)) reachedDecoding++;
      const response = await app.request(`/fuzz?${query}`);
      let outcome: string;
      if (response.status === 200) {
        const body = await response.arrayBuffer().catch(() => undefined);
        if (body === undefined) {
          // A strip decoder met the damage after the first byte: the body aborts (never a 5xx status).
          expect(streamsItsDecode(input.bytes, query), `${input.name}: an aborted body`).toBe(true);
          outcome = '200 aborted';
        } else {
          const bytes = new Uint8Array(body);
          const { format, width, height } = readImageHeader(bytes);
          expect({ format, width, height }, input.name).toEqual(expectedOutput(query, readImageHeader(input.bytes)));
          await codecs.decode(bytes, readImageHeader(bytes)); // the whole body decodes, not just its header
          outcome = '200 image';
        }
      } else {
        const body = (await response.json()) as { error: { code: string } };
        outcome = `${response.status} ${body.error.code}`;
        expect([413, 415, 422], `${input.name}: ${outcome}`).toContain(response.status);
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(`fuzz: ${inputs.length} inputs in ${seconds.toFixed(1)} s, ${reachedDecoding} past the header checks`, Object.fromEntries(outcomes));
    expect(inputs.length).toBeGreaterThanOrEqual(2000);
    expect(reachedDecoding).toBeGreaterThan(500); // the decoders and the model were exercised, not just the header readers

    // The isolate is healthy: a valid image still upscales, through this app and the shipped Worker.
    const healthy = serviceApp({ fetch: async () => (await imageResponse('png', 20, 16))() });
    expect(await responseSize(await healthy.request('/ok.png?upscale=2'))).toEqual({ format: 'png', width: 40, height: 32 });
    expect((await SELF.fetch('https://edge.test/samples/palette-flag.png?upscale=2')).status).toBe(200);
  }, 600_000);
});
