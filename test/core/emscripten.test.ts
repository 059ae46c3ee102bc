import { describe, expect, it } from 'vitest';
import { reusedUntilCollected } from '../../src/codec/emscripten';
import { nodeWebpCodec } from './node-webp';

/** A stand-in for an Emscripten factory: counts instantiations and records the options it got. */
function countingFactory() {
  const created: { id: number; options: object }[] = [];
  const factory = async (options: object) => {
    await new Promise((resolve) => setTimeout(resolve, 1)); // instantiation is asynchronous
    const module = { id: created.length, options };
    created.push(module);
    return module;
  };
  return { factory, created };
}

describe('reusedUntilCollected', () => {
  it('instantiates once with the source and noInitialRun, then reuses the instance', async () => {
    const { factory, created } = countingFactory();
    const wasmBinary = new Uint8Array([0, 97, 115, 109]);
    const codec = reusedUntilCollected(factory, { wasmBinary });
    expect(await codec.use((module) => module.id)).toBe(0);
    expect(await codec.use((module) => module.id)).toBe(0);
    expect(created).toHaveLength(1);
    expect(created[0]!.options).toEqual({ noInitialRun: true, wasmBinary });
  });

  it('concurrent first calls share one instance', async () => {
    const { factory, created } = countingFactory();
    const codec = reusedUntilCollected(factory, { wasmBinary: new Uint8Array(0) });
    const ids = await Promise.all([1, 2, 3].map(() => codec.use((module) => module.id)));
    expect(ids).toEqual([0, 0, 0]);
    expect(created).toHaveLength(1);
  });

  it('a call that throws retires the instance: the next call gets a new one', async () => {
    const { factory, created } = countingFactory();
    const codec = reusedUntilCollected(factory, { wasmBinary: new Uint8Array(0) });
    await expect(
      codec.use(() => {
        throw new Error('Aborted(OOM)');
      }),
    ).rejects.toThrow('Aborted(OOM)');
    expect(await codec.use((module) => module.id)).toBe(1);
    expect(await codec.use((module) => module.id)).toBe(1);
    expect(created).toHaveLength(2);
  });

  it('a failed instantiation is not kept: the next call tries again', async () => {
    let attempts = 0;
    const codec = reusedUntilCollected(
      async () => {
        if (attempts++ === 0) throw new Error('CompileError');
        return { id: attempts };
      },
      { wasmBinary: new Uint8Array(0) },
    );
    await expect(codec.use((module) => module.id)).rejects.toThrow('CompileError');
    expect(await codec.use((module) => module.id)).toBe(2);
  });
});

describe('ImageData for the codecs', () => {
  // The glue would define its own class inside the module's closure, and the global object would keep
  // that first instance and its heap alive for good: ours must be there first.
  it('is defined outside any codec module before the first instance, and the codecs decode with it', async () => {
    const scope = globalThis as { ImageData?: { name: string } };
    const defined = () => scope.ImageData; // read again after the codec ran
    delete scope.ImageData;
    const webp = nodeWebpCodec();
    const bytes = await webp.encode({ width: 3, height: 2, data: new Uint8Array(24).fill(200) }, 90);
    expect(defined()?.name).toBe('DecodedImageData');
    const decoded = await webp.decode(bytes);
    expect([decoded.width, decoded.height, decoded.data.length]).toEqual([3, 2, 24]);
  });
});
