import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest, type ModelEntry } from '../../src/core/manifest';
import { createModelCatalog, ModelUnavailableError } from '../../src/core/model-catalog';
import type { ModelRunner } from '../../src/core/model-runner';

const manifest = parseManifest(JSON.parse(readFileSync('model/manifest.json', 'utf8')));

/** A catalog over the shipped manifest whose runners record their loads and closes (by scale, in order). */
function recordingCatalog(fail: ReadonlySet<number> = new Set()) {
  const loads: number[] = [];
  const closes: number[] = [];
  const catalog = createModelCatalog(manifest, async (model: ModelEntry): Promise<ModelRunner> => {
    loads.push(model.scale);
    await Promise.resolve();
    if (fail.has(model.scale)) throw new Error('no such file');
    return {
      model,
      run: (input) => Promise.resolve({ width: input.width * model.scale, height: input.height * model.scale, data: new Float32Array(0) }),
      close: async () => {
        closes.push(model.scale);
      },
    };
  });
  /** Lets the closes the catalog started settle. */
  const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { catalog, loads, closes, settled };
}

describe('createModelCatalog', () => {
  it('loads a scale once, shared by concurrent and later leases', async () => {
    const { catalog, loads } = recordingCatalog();
    const [a, b] = await Promise.all([catalog.lease(2), catalog.lease(2)]);
    const c = await catalog.lease(2);
    expect(a.runner).toBe(b.runner);
    expect(c.runner).toBe(a.runner);
    expect(loads).toEqual([2]);
  });

  it('closes the idle runner of another scale before loading one, so one session is open at a time', async () => {
    const { catalog, loads, closes, settled } = recordingCatalog();
    (await catalog.lease(2)).end();
    (await catalog.lease(4)).end();
    await settled();
    expect(closes).toEqual([2]);
    (await catalog.lease(3)).end();
    (await catalog.lease(3)).end();
    await settled();
    expect(closes).toEqual([2, 4]);
    expect(loads).toEqual([2, 4, 3]);
  });

  it('loads a scale only once the sessions it closes are closed, so that it reuses their memory', async () => {
    const events: string[] = [];
    let finishClose = () => {};
    const catalog = createModelCatalog(manifest, async (model: ModelEntry): Promise<ModelRunner> => {
      events.push(`load ${model.scale}`);
      return {
        model,
        run: () => Promise.reject(new Error('not run here')),
        close: () => {
          events.push(`closing ${model.scale}`);
          return new Promise<void>((resolve) => {
            finishClose = () => {
              events.push(`closed ${model.scale}`);
              resolve();
            };
          });
        },
      };
    });
    (await catalog.lease(2)).end();
    const x4 = catalog.lease(4);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events).toEqual(['load 2', 'closing 2']);
    finishClose();
    (await x4).end();
    expect(events).toEqual(['load 2', 'closing 2', 'closed 2', 'load 4']);
  });

  it('never closes a leased runner, and closes it once its last lease has ended', async () => {
    const { catalog, closes, settled } = recordingCatalog();
    const first = await catalog.lease(2);
    const second = await catalog.lease(2);
    (await catalog.lease(4)).end();
    await settled();
    expect(closes).toEqual([]);
    first.end();
    first.end(); // idempotent: does not end the second lease
    (await catalog.lease(3)).end();
    await settled();
    expect(closes).toEqual([4]);
    second.end();
    (await catalog.lease(4)).end();
    await settled();
    expect(closes).toEqual([4, 2, 3]);
  });

  it('warms a scale without a lease (the lease then shares that load), and ignores a scale it has no model for', async () => {
    const { catalog, loads } = recordingCatalog();
    catalog.warm(3);
    catalog.warm(7);
    (await catalog.lease(3)).end();
    expect(loads).toEqual([3]);
    await expect(catalog.lease(7)).rejects.toThrow('no model for scale 7');
  });

  it('does not retry a failed load: every lease rejects with the same error, and eviction keeps it', async () => {
    const { catalog, loads } = recordingCatalog(new Set([2]));
    const failure = await catalog.lease(2).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelUnavailableError);
    expect((failure as Error).message).toMatch(/^model .* is unavailable: no such file$/);
    (await catalog.lease(4)).end();
    await expect(catalog.lease(2)).rejects.toBe(failure);
    expect(loads).toEqual([2, 4]);
  });
});
