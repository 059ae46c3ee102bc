import { describe, expect, it } from 'vitest';
import type { ModelTimeResult } from '../../training/reports/forward-timing';
import bench from '../bench/worker/index';
import { servedX2Bytes } from './harness';

/** The bench Worker's model timer (test/bench/worker/model-time.ts), through the bench app's own routes. */
const post = (query: string, body: BodyInit) => bench.request(`/_bench/model-time?${query}`, { method: 'POST', body });
const servedModel = servedX2Bytes;

describe('POST /_bench/model-time', () => {
  it('runs the posted model over the whole input and answers each timed pass and their median', async () => {
    const response = await post('size=8&repeats=3', servedModel());
    expect(response.status).toBe(200);
    const result = (await response.json()) as ModelTimeResult;
    expect(result).toMatchObject({ inputSize: 8, outputWidth: 16, outputHeight: 16 });
    expect(result.seconds).toHaveLength(3);
    expect(result.seconds.every((s) => s >= 0)).toBe(true);
    expect(result.medianSeconds).toBe([...result.seconds].sort((a, b) => a - b)[1]);
  });

  it.each([
    { name: 'no size', query: 'repeats=3' },
    { name: 'a size of 0', query: 'size=0&repeats=3' },
    { name: 'a fractional size', query: 'size=8.5&repeats=3' },
    { name: 'a size given twice', query: 'size=8&size=16&repeats=3' },
    { name: 'a size past 512', query: 'size=513&repeats=3' },
    { name: 'no repeats', query: 'size=8' },
    { name: 'repeats past 25', query: 'size=8&repeats=26' },
  ])('answers 400 to $name', async ({ query }) => {
    const response = await post(query, servedModel());
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/(size|repeats) must be given once, as an integer from 1 to \d+/);
  });

  it.each([
    { name: 'an empty body', body: new Uint8Array(0), error: /body must be an ONNX model/ },
    { name: 'a body that is not a model', body: new TextEncoder().encode('not a model'), error: /could not create a session/ },
  ])('answers 400 to $name', async ({ body, error }) => {
    const response = await post('size=8&repeats=1', body);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(error);
  });
});
