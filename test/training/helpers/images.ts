import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng } from '../../../src/codec/png';
import { Rng } from '../../../training/model/rng';

/** Smooth random RGB images (learnable, unlike noise), written as PNG into `dir`. */
export async function writeImages(dir: string, count: number, size: number, seed: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const rng = new Rng(seed);
  for (let k = 0; k < count; k++) {
    const [fx, fy, phase] = [0.05 + 0.3 * rng.next(), 0.05 + 0.3 * rng.next(), 6 * rng.next()];
    const data = new Uint8Array(size * size * 4);
    for (let i = 0; i < size * size; i++) {
      const [x, y] = [i % size, Math.floor(i / size)];
      for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(127.5 + 120 * Math.sin(fx * x + phase + c) * Math.cos(fy * y - c));
      data[4 * i + 3] = 255;
    }
    await writeFile(join(dir, `img${k}.png`), encodePng({ width: size, height: size, data }, true));
  }
}
