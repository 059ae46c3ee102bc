import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGraph, makeNode, makeTensor, makeValueInfo } from '../../training/onnx/onnx-helpers';
import { encodeModel } from '../../training/onnx/onnx-model';
import type { FloatImage } from '../../training/metrics/evaluate';
import { loadOnnxUpscaler } from '../../training/eval/onnx-upscaler';

/**
 * A stand-in SR model with unusual tensor names: nearest-neighbour x2, then channel c multiplied
 * by CHANNEL_GAIN[c], so a mix-up of the NCHW/interleaved layouts or of channels shows.
 */
const CHANNEL_GAIN = [1, 0.5, 0.25];
function nearestX2Model(): Uint8Array {
  const graph = makeGraph(
    'nearest-x2',
    [
      makeNode('Resize', ['lr_image', '', 'scales'], ['enlarged'], 'resize', {
        coordinate_transformation_mode: 'asymmetric',
        mode: 'nearest',
        nearest_mode: 'floor',
      }),
      makeNode('Mul', ['enlarged', 'gain'], ['sr_image'], 'gain'),
    ],
    [makeValueInfo('lr_image', [1, 3, 'height', 'width'])],
    [makeValueInfo('sr_image', [1, 3, 'out_height', 'out_width'])],
    [makeTensor('scales', [4], Float32Array.from([1, 1, 2, 2])), makeTensor('gain', [1, 3, 1, 1], Float32Array.from(CHANNEL_GAIN))],
  );
  return encodeModel(graph, {}, 'test fixture: nearest x2 with per-channel gain');
}

describe('loadOnnxUpscaler', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wdsr-onnx-'));
    await writeFile(join(dir, 'nearest.onnx'), nearestX2Model());
  });
  afterAll(() => rm(dir, { recursive: true }));

  it('feeds NCHW RGB and returns the model output as interleaved RGB', async () => {
    const upscale = await loadOnnxUpscaler(join(dir, 'nearest.onnx'));
    const lr: FloatImage = { width: 3, height: 2, data: Float32Array.from({ length: 18 }, (_, i) => i / 17) };
    const sr = await upscale(lr);
    expect([sr.width, sr.height]).toEqual([6, 4]);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 6; x++) {
        for (let c = 0; c < 3; c++) {
          const source = lr.data[(Math.floor(y / 2) * 3 + Math.floor(x / 2)) * 3 + c]!;
          expect(sr.data[(y * 6 + x) * 3 + c]).toBeCloseTo(source * CHANNEL_GAIN[c]!, 6);
        }
      }
    }
  });

  it('serves images of any size from one session', async () => {
    const upscale = await loadOnnxUpscaler(join(dir, 'nearest.onnx'));
    const sr = await upscale({ width: 5, height: 7, data: new Float32Array(105).fill(0.5) });
    expect([sr.width, sr.height, sr.data.length]).toEqual([10, 14, 420]);
  });

  it('runs a model from its bytes as from its file', async () => {
    const lr: FloatImage = { width: 2, height: 2, data: Float32Array.from({ length: 12 }, (_, i) => i / 11) };
    const fromBytes = await (await loadOnnxUpscaler(nearestX2Model()))(lr);
    expect(fromBytes).toEqual(await (await loadOnnxUpscaler(join(dir, 'nearest.onnx')))(lr));
    expect(fromBytes.data[3 * 5 + 1]).toBeCloseTo(lr.data[1]! * CHANNEL_GAIN[1]!, 6);
  });

  it('fails on a file that is not a model', async () => {
    await writeFile(join(dir, 'junk.onnx'), 'junk');
    await expect(loadOnnxUpscaler(join(dir, 'junk.onnx'))).rejects.toThrow();
  });
});
