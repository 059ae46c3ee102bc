import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../training/loop/run-log';
import { readRunCurves, readRunLog } from '../../training/reports/plot/run-curves';

const train = (iteration: number, loss: number): LogRecord => ({ type: 'train', iteration, loss, lr: 1e-3, itPerSec: 1, elapsedSec: iteration });
const val = (iteration: number, psnr: number): LogRecord => ({ type: 'val', iteration, set: 'Set5', psnr, ssim: psnr / 40 });

const created: string[] = [];
afterAll(async () => {
  for (const dir of created) await rm(dir, { recursive: true, force: true });
});

async function runWithLog(text: string): Promise<string> {
  const runDir = await mkdtemp(join(tmpdir(), 'wdsr-curves-'));
  created.push(runDir);
  await writeFile(join(runDir, 'log.jsonl'), text);
  return runDir;
}
const lines = (records: LogRecord[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('readRunCurves', () => {
  it('keeps the re-logged iterations of a resumed run once, from the later session, in iteration order', async () => {
    // Session 1 logged up to 30 but checkpointed at 20; session 2 resumed from 20 and logged 30 again.
    const runDir = await runWithLog(
      lines([
        { type: 'start', iteration: 0, backend: 'wasm' },
        val(0, 20),
        train(10, 0.3),
        train(20, 0.2),
        val(20, 30),
        train(30, 0.25),
        { type: 'start', iteration: 20, backend: 'wasm', resumedFrom: 'x', changed: [] },
        train(30, 0.15),
        train(40, 0.1),
        val(40, 31),
      ]),
    );
    const curves = await readRunCurves(runDir);
    expect(curves.loss).toEqual([
      [10, 0.3],
      [20, 0.2],
      [30, 0.15],
      [40, 0.1],
    ]);
    expect(curves.psnr).toEqual([
      [0, 20],
      [20, 30],
      [40, 31],
    ]);
    expect(curves.ssim).toEqual([
      [0, 0.5],
      [20, 0.75],
      [40, 0.775],
    ]);
  });

  it('leaves out values JSON could not carry (NaN and infinities are written as null)', async () => {
    const runDir = await runWithLog(`${JSON.stringify(train(10, 0.3))}\n${JSON.stringify({ ...train(20, 0), loss: null })}\n`);
    expect((await readRunCurves(runDir)).loss).toEqual([[10, 0.3]]);
  });
});

describe('readRunLog', () => {
  it('skips a last line cut short by a kill, but not a corrupt line in the middle', async () => {
    const cut = await runWithLog(`${JSON.stringify(train(10, 0.3))}\n{"type":"train","itera`);
    expect(await readRunLog(cut)).toEqual([train(10, 0.3)]);
    const corrupt = await runWithLog(`${JSON.stringify(train(10, 0.3))}\n{"type":\n${JSON.stringify(train(20, 0.2))}\n`);
    await expect(readRunLog(corrupt)).rejects.toThrow(/log\.jsonl:2: not a JSON record/);
  });

  it('reads a run that has not logged yet as no records', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'wdsr-curves-'));
    created.push(empty);
    expect(await readRunLog(empty)).toEqual([]);
  });
});
