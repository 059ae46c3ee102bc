import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../training/loop/run-log';
import { formatModelReport, runCharts, trainingWallSeconds, withEarlierHistory, withWarmStartLineage } from '../../training/reports/model-report';
import type { Manifest, ManifestModel } from '../../training/onnx/manifest';

const train = (iteration: number, elapsedSec: number): LogRecord => ({
  type: 'train',
  iteration,
  loss: 0.05 / (1 + iteration / 100),
  lr: 1e-3,
  itPerSec: 0.5,
  elapsedSec,
});

describe('trainingWallSeconds', () => {
  it('sums each process segment (the clock restarts on resume) up to the exported iteration', () => {
    const records: LogRecord[] = [
      { type: 'start', iteration: 0, backend: 'wasm' },
      train(10, 20),
      train(20, 40),
      train(30, 60), // trained past the checkpoint at 20, then killed: not part of the model
      { type: 'start', iteration: 20, backend: 'wasm' },
      train(30, 25),
      train(40, 50),
    ];
    expect(trainingWallSeconds(records, 40)).toBe(60 + 50);
    expect(trainingWallSeconds(records, 20)).toBe(40 + 0);
  });
});

describe('withEarlierHistory', () => {
  const warmStart: LogRecord = {
    type: 'start',
    iteration: 30,
    backend: 'wasm',
    warmStartFrom: { path: 'model/m-fp32.onnx', run: 'R', checkpoint: '00000030', iterations: 30 },
  };
  const before: LogRecord[] = [
    { type: 'start', iteration: 0, backend: 'wasm' },
    train(10, 20),
    train(30, 60),
    { type: 'val', iteration: 30, set: 'Set5', psnr: 36, ssim: 0.95 },
    train(40, 80),
  ];
  const after: LogRecord[] = [warmStart, { type: 'val', iteration: 30, set: 'Set5', psnr: 36, ssim: 0.95 }, train(40, 15)];

  it('prepends the committed history up to the warm start of the same run, once', () => {
    const merged = withEarlierHistory('R', after, before);
    expect(merged.map((r) => `${r.type}@${r.iteration}`)).toEqual(['start@0', 'train@10', 'train@30', 'val@30', 'start@30', 'val@30', 'train@40']);
    expect(withEarlierHistory('R', after, merged)).toEqual(merged);
    expect(trainingWallSeconds(merged, 40)).toBe(60 + 15);
  });

  it('leaves a log alone that does not continue this run', () => {
    expect(withEarlierHistory('other', after, before)).toEqual(after);
    expect(withEarlierHistory('R', before, after)).toEqual(before);
  });
});

describe('withWarmStartLineage', () => {
  const from = (run: string, iterations: number): LogRecord => ({
    type: 'start',
    iteration: iterations,
    backend: 'wasm',
    warmStartFrom: { path: `/runs/${run}`, run, checkpoint: String(iterations).padStart(8, '0'), iterations },
  });
  const long: LogRecord[] = [{ type: 'start', iteration: 0, backend: 'wasm' }, train(10, 20), train(20, 40), train(30, 60)];
  const decay: LogRecord[] = [from('long', 20), train(25, 10), train(40, 30)];
  const again: LogRecord[] = [from('decay', 40), train(50, 12)];
  const logs = new Map([
    ['long', long],
    ['decay', decay],
    ['again', again],
  ]);

  it('prepends the runs a run was warm-started from, each up to the iteration it started at', () => {
    const merged = withWarmStartLineage('again', logs);
    expect(merged.map((r) => `${r.type}@${r.iteration}`)).toEqual([
      'start@0',
      'train@10',
      'train@20',
      'start@20',
      'train@25',
      'train@40',
      'start@40',
      'train@50',
    ]);
    expect(trainingWallSeconds(merged, 50)).toBe(40 + 30 + 12);
  });

  it('stops where a log is unknown, and at a cycle', () => {
    expect(withWarmStartLineage('decay', new Map([['decay', decay]]))).toEqual(decay);
    const cycle = new Map([
      ['a', [from('b', 5)]],
      ['b', [from('a', 5)]],
    ]);
    expect(withWarmStartLineage('a', cycle).map((r) => r.type === 'start' && r.warmStartFrom?.run)).toEqual(['a', 'b']);
  });
});

describe('model report', () => {
  const model = (precision: 'fp32' | 'int8', psnr: number): ManifestModel => ({
    id: `wdsr-b-x2-f24b8-r-${precision}`,
    file: `wdsr-b-x2-f24b8-r-${precision}.onnx`,
    sha256: '0'.repeat(64),
    bytes: 2048,
    scale: 2,
    input: { name: 'lr', layout: 'NCHW', channels: 'RGB', dtype: 'float32', range: [0, 1] },
    output: { name: 'sr', layout: 'NCHW', channels: 'RGB', dtype: 'float32', range: [0, 1] },
    receptiveField: 10,
    precision,
    opset: 17,
    arch: { arch: 'wdsr_b', scale: 2, nFeats: 24, nBlocks: 8, expansion: 6, lowRank: 0.8, resScale: 1, normalization: 'weight' },
    parameters: 89596,
    quantization: null,
    training: { run: 'R', iterations: 40, data: ['T91'] },
    metrics: { command: `npm run eval -- --model model/${precision}.onnx`, sets: { Set5: { psnr, ssim: 0.95, bicubicPsnr: 33.67, bicubicSsim: 0.93 } } },
  });

  it('tabulates bicubic, fp32 and the served int8 model with measured speed, and never invents a timing', () => {
    const manifest: Manifest = { schemaVersion: 1, models: [model('int8', 36.1)], references: [model('fp32', 36.2)] };
    const timings = new Map([['wdsr-b-x2-f24b8-r-int8', { nodeSecondsPerMegapixel: 0.4, workerdSecondsPerMegapixel: 1.25, loadAverage: 1.5 }]]);
    const report = formatModelReport(manifest, timings, new Map(), new Map(), 'npm run report:model');
    expect(report).toContain('| bicubic | 33.67 / 0.9300 |');
    expect(report).toContain('| fp32 | 36.20 / 0.9500 | 2 KiB | not measured | not measured |');
    expect(report).toContain('| int8 (served) | 36.10 / 0.9500 | 2 KiB | 0.40 | 1.25 |');
    expect(report).toContain('npm run eval -- --model model/int8.onnx');
    expect(report).toContain('| int8 over HTTP (`npm start`) | not measured | - | - | - |');
  });

  it('lists fp32 references no served model came from as in training, with their scores', () => {
    const candidate = {
      ...model('fp32', 35.5),
      id: 'c-fp32',
      file: 'c-fp32.onnx',
      training: { run: 'C', checkpoint: '00000900', iterations: 900, data: ['T91'] },
    };
    const manifest: Manifest = { schemaVersion: 1, models: [model('int8', 36.1)], references: [model('fp32', 36.2), candidate] };
    const report = formatModelReport(manifest, new Map(), new Map(), new Map(), 'npm run report:model');
    expect(report).toContain('## In training, not served');
    expect(report).toContain('- `c-fp32.onnx`: x2, n_feats 24, 8 blocks, 89,596 parameters; run `C` for 900 iterations; Set5 35.50 / 0.9500 (bicubic 33.67).');
    expect(report).not.toContain('- `wdsr-b-x2-f24b8-r-fp32.onnx`');
  });

  it("names the runs a model's weights came through, oldest first, each with the iteration it handed over at", () => {
    const start = (run: string, iterations: number): LogRecord => ({
      type: 'start',
      iteration: iterations,
      backend: 'wasm',
      warmStartFrom: { path: `/runs/${run}`, run, checkpoint: String(iterations).padStart(8, '0'), iterations },
    });
    const records: LogRecord[] = [
      { type: 'start', iteration: 0, backend: 'wasm' },
      train(1000, 900),
      start('long', 1000),
      train(10_595, 9000),
      start('decay', 10_595),
      train(16_000, 3600),
    ];
    const candidate = {
      ...model('fp32', 35.5),
      id: 'c-fp32',
      file: 'c-fp32.onnx',
      training: { run: 'C', checkpoint: '00016000', iterations: 16_000, data: ['T91'] },
    };
    const manifest: Manifest = { schemaVersion: 1, models: [model('int8', 36.1)], references: [model('fp32', 36.2), candidate] };
    const report = formatModelReport(manifest, new Map(), new Map([['C', { name: 'C', records }]]), new Map(), 'npm run report:model');
    expect(report).toContain(
      'run `C` for 16,000 iterations (3.8 h of training on 2 shared CPU cores), continuing runs `long` to 1,000, then `decay` to 10,595 iterations;',
    );
  });

  it('says which run of another scale a model was initialized from, and which convs started seeded', () => {
    const initFrom = {
      path: 'model/wdsr-b-x4-f24b8-fp32.onnx',
      run: 'X4',
      checkpoint: '00008000',
      iterations: 8000,
      fresh: ['tail/v', 'tail/g', 'tail/b', 'skip/v', 'skip/g', 'skip/b'],
    };
    const records: LogRecord[] = [{ type: 'start', iteration: 0, backend: 'wasm', initFrom }, train(2000, 3600)];
    const candidate = {
      ...model('fp32', 35.5),
      id: 'c-fp32',
      file: 'c-fp32.onnx',
      training: { run: 'C', checkpoint: '00002000', iterations: 2000, data: ['T91'] },
    };
    const manifest: Manifest = { schemaVersion: 1, models: [model('int8', 36.1)], references: [model('fp32', 36.2), candidate] };
    const report = formatModelReport(manifest, new Map(), new Map([['C', { name: 'C', records }]]), new Map(), 'npm run report:model');
    expect(report).toContain(
      'run `C` for 2,000 iterations (1.0 h of training on 2 shared CPU cores), initialized from run `X4` at 8,000 iterations except its tail and skip convs;',
    );
  });

  it('adds the scores measured through the running service, with the command that measured them', () => {
    const served = {
      ...model('int8', 36.1),
      metrics: {
        ...model('int8', 36.1).metrics,
        served: {
          command: 'npm run eval -- --model http://127.0.0.1:8787',
          sets: { Set5: { psnr: 36.094, ssim: 0.9512, bicubicPsnr: 33.67, bicubicSsim: 0.93 } },
        },
      },
    };
    const report = formatModelReport({ schemaVersion: 1, models: [served], references: [] }, new Map(), new Map(), new Map(), 'npm run report:model');
    expect(report).toContain('| int8 over HTTP (`npm start`) | 36.09 / 0.9512 | - | - | - |');
    expect(report).toContain('npm start -- --port 8787 &');
    expect(report).toContain('npm run eval -- --model http://127.0.0.1:8787');
  });

  it('pairs a quantization-aware int8 model with the fp32 export of the checkpoint its fine-tune started from', () => {
    const source = { run: 'R', checkpoint: '00000040', iterations: 40 };
    const fp32 = { ...model('fp32', 36.2), training: { ...source, data: ['T91'] } };
    const int8 = {
      ...model('int8', 36.19),
      training: { run: 'Q', checkpoint: '00000200', iterations: 200, data: ['T91'] },
      quantization: { quantizationAwareTraining: { from: source } },
    };
    const runs = new Map([['Q', { name: 'Q', records: [{ type: 'start', iteration: 0, backend: 'wasm' }, train(200, 1800)] as LogRecord[] }]]);
    const report = formatModelReport({ schemaVersion: 1, models: [int8], references: [fp32] }, new Map(), runs, new Map(), 'npm run report:model');
    expect(report).toContain('| fp32 | 36.20 / 0.9500 |');
    expect(report).toContain('| int8 (served) | 36.19 / 0.9500 |');
    expect(report).not.toContain('In training, not served'); // the reference the fine-tune started from is not a candidate
    expect(report).toContain(
      'Trained by run `R` for 40 iterations, then fine-tuned quantization-aware by run `Q` for 200 iterations (0.5 h of training on 2 shared CPU cores) on `T91`.',
    );
  });

  it("shows every precision exported from the served model's float checkpoint, in order, with how the static int8 one was fine-tuned", () => {
    const source = { run: 'R', checkpoint: '00000040', iterations: 40 };
    const fp32 = { ...model('fp32', 36.2), training: { ...source, data: ['T91'] } };
    const staticInt8 = {
      ...model('int8', 36.15),
      id: 'wdsr-b-x2-f24b8-q-int8',
      file: 'wdsr-b-x2-f24b8-q-int8.onnx',
      training: { run: 'Q', checkpoint: '00000200', iterations: 200, data: ['T91'] },
      quantization: { quantizationAwareTraining: { from: source } },
    };
    const served: ManifestModel = { ...model('int8', 36.19), precision: 'int8-weights', training: { ...source, data: ['T91'] } };
    const report = formatModelReport(
      { schemaVersion: 1, models: [served], references: [staticInt8, fp32] },
      new Map(),
      new Map(),
      new Map(),
      'npm run report:model',
    );
    const rows = report.split('\n').filter((line) => /^\| (fp32|int8)/.test(line));
    expect(rows.map((line) => line.split(' | ')[0])).toEqual(['| fp32', '| int8', '| int8-weights (served)', '| int8-weights over HTTP (`npm start`)']);
    expect(report).toContain('The int8 reference (`wdsr-b-x2-f24b8-q-int8.onnx`) was fine-tuned quantization-aware by run `Q` for 200 iterations.');
    expect(report).toContain('int8 weights, which onnxruntime dequantizes, with float32 activations and arithmetic');
    expect(report).not.toContain('In training, not served');
  });

  it('draws loss and validation curves once there are two points of each', () => {
    const records: LogRecord[] = [train(10, 1), train(20, 2), { type: 'val', iteration: 10, set: 'Set5', psnr: 34, ssim: 0.9 }];
    expect(runCharts({ name: 'R', records }, 33.67)).toEqual({ loss: expect.stringContaining('<svg') });
    records.push({ type: 'val', iteration: 20, set: 'Set5', psnr: 35, ssim: 0.91 });
    expect(runCharts({ name: 'R', records }, 33.67).psnr).toContain('bicubic');
  });
});
