import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { learningRateAt, paperLearningRate } from '../../training/config/experiment';
import { datasetsDir, loadExperimentConfig, REPO_ROOT, repoRelativePath, resolveRepoPath } from '../../training/config/load';
import { ConfigError, validateExperimentConfig } from '../../training/config/validate';

/** One section of a config as JSON would hold it: any key, any value, so that a case can break it. */
type RawSection = Record<string, unknown>;

/** A config as JSON would hold it, its sections open to any change. */
interface RawConfig {
  [key: string]: unknown;
  arch: RawSection;
  data: RawSection;
  train: RawSection;
  quantization?: RawSection;
  distill?: RawSection;
}

/** A valid config as JSON would hold it; each case below breaks one thing. */
function validRaw(): RawConfig {
  return {
    name: 'WDSR-B_x2_test',
    arch: { arch: 'wdsr_b', scale: 2, nFeats: 32, nBlocks: 8, expansion: 6, lowRank: 0.8, resScale: 1, normalization: 'weight' },
    data: { train: ['../shared/datasets/T91/HR'], val: '../shared/datasets/Set5/HR', hrPatchSize: 96 },
    train: {
      iterations: 1000,
      batchSize: 16,
      lr: 1e-3,
      lrHalvingSteps: [500],
      seed: 1,
      backend: 'wasm',
      workers: 1,
      logEvery: 10,
      validateEvery: 100,
      checkpointEvery: 50,
      keepCheckpoints: 3,
    },
  };
}

function issuesOf(mutate: (raw: RawConfig) => void): readonly string[] {
  const raw = validRaw();
  mutate(raw);
  try {
    validateExperimentConfig(raw, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

/** Trained weights pinned by file and SHA-256 (the x2 f24b8 reference's). */
const pinned = (): RawSection => ({ file: 'model/wdsr-b-x2-f24b8-fp32.onnx', sha256: 'a2808bb150e0ab596c176c225af7f8c38a72308f272d16a3897bf5dc8ed1088f' });

/** A valid quantization-aware training section. */
const quantization = (): RawSection => ({
  from: pinned(),
  calibration: 'percentile:99.999',
  calibrationPatches: 64,
  floatConvs: ['tail', 'skip'],
});

/** A valid re-parameterization of a WDSR-B arch. */
const reparam = (): RawSection => ({ kind: 'collapsible', expansion: 4, convs: ['spatial', 'reduce'] });

/** A valid distillation section (the hash of the x2 f24b8 reference). */
const distill = (): RawSection => ({
  teacher: 'model/wdsr-b-x2-f24b8-fp32.onnx',
  sha256: 'a2808bb150e0ab596c176c225af7f8c38a72308f272d16a3897bf5dc8ed1088f',
  weight: 0.5,
});

describe('validateExperimentConfig', () => {
  it('accepts a valid config unchanged', () => {
    expect(validateExperimentConfig(validRaw(), 'test.json')).toEqual(validRaw());
  });

  it('accepts a valid quantization section unchanged', () => {
    const raw = { ...validRaw(), quantization: quantization() };
    expect(validateExperimentConfig(raw, 'test.json')).toEqual(raw);
  });

  it('accepts structural re-parameterization and distillation unchanged', () => {
    const raw = validRaw();
    raw.arch.reparam = reparam();
    const withBoth = { ...raw, distill: distill() };
    expect(validateExperimentConfig(withBoth, 'test.json')).toEqual(withBoth);
  });

  it("accepts pinned trained weights to warm-start or initialize from, an fp32 export's or a checkpoint's", () => {
    for (const key of ['warmStart', 'initFrom']) {
      const raw = { ...validRaw(), [key]: pinned() };
      expect(validateExperimentConfig(raw, 'test.json')).toEqual(raw);
      const checkpoint = { ...validRaw(), [key]: { ...pinned(), file: '../runs/x/checkpoints/00001000/weights.bin' } };
      expect(validateExperimentConfig(checkpoint, 'test.json')).toEqual(checkpoint);
    }
  });

  it('rejects a typo in a key, and reports the key it was meant to be as missing', () => {
    expect(
      issuesOf((r) => {
        r.train.batchsize = 16;
        delete r.train.batchSize;
      }),
    ).toEqual([
      'train.batchsize: unknown key (allowed: iterations, batchSize, lr, lrHalvingSteps, lrSchedule, seed, backend, workers, logEvery, validateEvery, checkpointEvery, keepCheckpoints)',
      'train.batchSize: expected integer >= 1, got nothing',
    ]);
  });

  it.each<[string, (raw: RawConfig) => void, string]>([
    ['a string where an integer belongs', (r) => (r.data.hrPatchSize = '96'), 'data.hrPatchSize: expected integer >= 8, got "96"'],
    ['a missing field', (r) => delete r.train.iterations, 'train.iterations: expected integer >= 1, got nothing'],
    ['an unsupported scale', (r) => (r.arch.scale = 5), 'arch.scale: expected one of 2, 3, 4, got 5'],
    ['an unknown architecture', (r) => (r.arch.arch = 'rcan'), 'arch.arch: expected one of "wdsr_a", "wdsr_b", "edsr", got "rcan"'],
    [
      'a key of another architecture',
      (r) => (r.arch.blockFeats = 128),
      'arch.blockFeats: unknown key (allowed: arch, scale, nFeats, nBlocks, resScale, normalization, expansion, lowRank, reparam)',
    ],
    ['an unknown normalization', (r) => (r.arch.normalization = 'layer'), 'arch.normalization: expected one of "weight", "batch", "none", got "layer"'],
    ['a fractional channel count', (r) => (r.arch.expansion = 6.1), 'arch.expansion: nFeats * expansion must be a whole number of channels, got 32 * 6.1'],
    [
      'a patch that is not a multiple of the scale',
      (r) => {
        r.arch.scale = 3;
        r.data.hrPatchSize = 100;
      },
      'data.hrPatchSize: must be a multiple of arch.scale (3), got 100',
    ],
    ['no training folders', (r) => (r.data.train = []), 'data.train: expected an array of at least 1 item(s), got []'],
    [
      'halving steps out of order',
      (r) => (r.train.lrHalvingSteps = [600, 500]),
      'train.lrHalvingSteps: expected strictly increasing iterations, got [600,500]',
    ],
    ['a halving step past the end', (r) => (r.train.lrHalvingSteps = [5000]), 'train.lrHalvingSteps[0]: expected integer in [1, 1000], got 5000'],
    ['an unknown backend', (r) => (r.train.backend = 'webgl'), 'train.backend: expected one of "wasm", "cpu", "tensorflow", got "webgl"'],
    ['more workers than samples in a batch', (r) => (r.train.workers = 17), 'train.workers: expected integer in [1, 16], got 17'],
    [
      'workers with batch norm',
      (r) => {
        r.arch.normalization = 'batch';
        r.train.workers = 2;
      },
      "train.workers: batch norm needs the whole batch's statistics in one thread, so it trains with 1 worker, got 2",
    ],
    [
      'workers on the tensorflow backend',
      (r) => {
        r.train.backend = 'tensorflow';
        r.train.workers = 2;
      },
      'train.workers: the tensorflow backend uses every core itself; it trains with 1 worker, got 2',
    ],
    ['a negative learning rate', (r) => (r.train.lr = -1), 'train.lr: expected number in (0, 1], got -1'],
    ['a seed outside uint32', (r) => (r.train.seed = 2 ** 32), 'train.seed: expected integer in [0, 4294967295], got 4294967296'],
    ['a run name with a path separator', (r) => (r.name = 'runs/x'), 'name: expected letters, digits and . _ + - (it names the run directory), got "runs/x"'],
    [
      'an unknown top-level key',
      (r) => (r.model = {}),
      'config.model: unknown key (allowed: name, description, arch, data, train, quantization, warmStart, initFrom, distill)',
    ],
    [
      'an unknown calibration method',
      (r) => (r.quantization = { ...quantization(), calibration: 'entropy' }),
      'quantization.calibration: expected "minmax" or "percentile:<p>" with p in (50, 100], got "entropy"',
    ],
    [
      'a float conv the network does not have',
      (r) => (r.quantization = { ...quantization(), floatConvs: ['tail', 'body/9/expand'] }),
      'quantization.floatConvs: "body/9/expand" is not a conv of this architecture',
    ],
    [
      'quantization-aware training with batch norm',
      (r) => {
        r.arch.normalization = 'batch';
        r.train.workers = 1;
        r.quantization = quantization();
      },
      'quantization: quantization-aware training does not support arch.normalization "batch"',
    ],
    [
      'a bare path to initialize from',
      (r) => (r.initFrom = 'model/m-fp32.onnx'),
      'initFrom: expected { "file": "model/m-fp32.onnx", "sha256": "<sha256sum of that file>" }, got "model/m-fp32.onnx"',
    ],
    ['a warm start without a file', (r) => (r.warmStart = { sha256: pinned().sha256 }), 'warmStart.file: expected a non-empty string, got nothing'],
    [
      'a warm start from a run folder',
      (r) => (r.warmStart = { ...pinned(), file: '../runs/x' }),
      `warmStart.file: expected an fp32 .onnx export or a checkpoint's weights.bin (<run>/checkpoints/<iteration>/weights.bin), got "../runs/x"`,
    ],
    [
      'a warm start hash that is not SHA-256 hex',
      (r) => (r.warmStart = { ...pinned(), sha256: 'A2808BB1' }),
      'warmStart.sha256: expected the file\'s SHA-256 as 64 lowercase hex digits (sha256sum <file>), got "A2808BB1"',
    ],
    ['a misspelt pin key', (r) => (r.initFrom = { ...pinned(), sha: 'x' }), 'initFrom.sha: unknown key (allowed: file, sha256)'],
    [
      'initFrom on a quantization-aware run',
      (r) => {
        r.initFrom = pinned();
        r.quantization = quantization();
      },
      'initFrom, quantization.from: a run starts from one set of trained weights; give one of them',
    ],
    [
      'a warm start and initFrom',
      (r) => {
        r.initFrom = pinned();
        r.warmStart = pinned();
      },
      'warmStart, initFrom: a run starts from one set of trained weights; give one of them',
    ],
    [
      'quantization without a checkpoint to start from',
      (r) => {
        r.quantization = quantization();
        delete r.quantization.from;
      },
      'quantization.from: expected { "file": "<path from the repository root>", "sha256": "<sha256sum of that file>" }, got nothing',
    ],
    [
      'an unknown kind of re-parameterization',
      (r) => (r.arch.reparam = { ...reparam(), kind: 'repvgg' }),
      'arch.reparam.kind: expected one of "collapsible", got "repvgg"',
    ],
    [
      'a fractional reparam expansion',
      (r) => (r.arch.reparam = { ...reparam(), expansion: 2.5 }),
      'arch.reparam.expansion: expected integer in [1, 64], got 2.5',
    ],
    [
      'a reparam expansion beyond 64x',
      (r) => (r.arch.reparam = { ...reparam(), expansion: 128 }),
      'arch.reparam.expansion: expected integer in [1, 64], got 128',
    ],
    ['reparam of no conv', (r) => (r.arch.reparam = { ...reparam(), convs: [] }), 'arch.reparam.convs: expected an array of at least 1 item(s), got []'],
    [
      'reparam of a conv a WDSR-B block does not have',
      (r) => (r.arch.reparam = { ...reparam(), convs: ['spatial', 'head'] }),
      'arch.reparam.convs[1]: expected one of "expand", "reduce", "spatial", got "head"',
    ],
    [
      'reparam of a conv twice',
      (r) => (r.arch.reparam = { ...reparam(), convs: ['spatial', 'reduce', 'spatial'] }),
      'arch.reparam.convs: each conv at most once, got "spatial" twice',
    ],
    [
      'a misspelt reparam key',
      (r) => (r.arch.reparam = { ...reparam(), conv: ['spatial'] }),
      'arch.reparam.conv: unknown key (allowed: kind, expansion, convs)',
    ],
    [
      'reparam on another architecture',
      (r) => {
        r.arch = { arch: 'edsr', scale: 2, nFeats: 8, nBlocks: 2, resScale: 1, normalization: 'none', reparam: reparam() };
        r.train.lr = 1e-4;
      },
      'arch.reparam: structural re-parameterization is implemented for "wdsr_b" only, not "edsr"',
    ],
    [
      'reparam on a quantization-aware run',
      (r) => {
        r.arch.reparam = reparam();
        r.quantization = quantization();
      },
      "arch.reparam: quantization-aware training fine-tunes the exported network: give the plain arch (no reparam) and a reparam run's checkpoint or fp32 export as quantization.from, which is collapsed first",
    ],
    [
      'a teacher that is not an ONNX model',
      (r) => (r.distill = { ...distill(), teacher: 'training/runs/big' }),
      'distill.teacher: expected a float .onnx model (export a checkpoint with npm run export), got "training/runs/big"',
    ],
    [
      'a teacher hash that is not SHA-256 hex',
      (r) => (r.distill = { ...distill(), sha256: 'A2808BB1' }),
      'distill.sha256: expected the teacher file\'s SHA-256 as 64 lowercase hex digits (sha256sum <teacher>), got "A2808BB1"',
    ],
    [
      'a teacher without a hash',
      (r) => {
        r.distill = distill();
        delete r.distill.sha256;
      },
      "distill.sha256: expected the teacher file's SHA-256 as 64 lowercase hex digits (sha256sum <teacher>), got nothing",
    ],
    [
      'augmentation that is not a boolean',
      (r) => (r.data.augment = 'none'),
      'data.augment: expected true (the 8 flips/rotations, the default) or false (none), got "none"',
    ],
    [
      'an unknown learning-rate schedule',
      (r) => {
        r.train.lrHalvingSteps = [];
        r.train.lrSchedule = { kind: 'linear', iterations: 1000 };
      },
      'train.lrSchedule.kind: expected one of "cosine", got "linear"',
    ],
    [
      'a cosine decay shorter than the run',
      (r) => {
        r.train.lrHalvingSteps = [];
        r.train.lrSchedule = { kind: 'cosine', iterations: 800 };
      },
      'train.lrSchedule.iterations: the decay must last at least train.iterations (1000), or the run ends at learning rate 0; got 800',
    ],
    [
      'a cosine decay without its length',
      (r) => {
        r.train.lrHalvingSteps = [];
        r.train.lrSchedule = { kind: 'cosine' };
      },
      'train.lrSchedule.iterations: expected integer >= 1, got nothing',
    ],
    [
      'a cosine decay on top of halvings',
      (r) => (r.train.lrSchedule = { kind: 'cosine', iterations: 1000 }),
      'train.lrHalvingSteps: a cosine lrSchedule replaces the halvings; expected [], got [500]',
    ],
    [
      'a misspelt schedule key',
      (r) => {
        r.train.lrHalvingSteps = [];
        r.train.lrSchedule = { kind: 'cosine', iterations: 1000, min: 0 };
      },
      'train.lrSchedule.min: unknown key (allowed: kind, iterations)',
    ],
    ['a distillation weight above 1', (r) => (r.distill = { ...distill(), weight: 1.5 }), 'distill.weight: expected number in (0, 1], got 1.5'],
    ['a distillation weight of 0', (r) => (r.distill = { ...distill(), weight: 0 }), 'distill.weight: expected number in (0, 1], got 0'],
  ])('rejects %s', (_, mutate, issue) => {
    expect(issuesOf(mutate)).toEqual([issue]);
  });

  it('reports every issue at once, naming the file', () => {
    const raw = validRaw();
    raw.train.batchSize = 0;
    raw.data.val = '';
    expect(() => validateExperimentConfig(raw, 'configs/x.json')).toThrow(
      'invalid experiment config configs/x.json:\n  - data.val: expected a non-empty string, got ""\n  - train.batchSize: expected integer >= 1, got 0',
    );
  });

  it("defaults the learning rate to the paper's for the normalization", () => {
    const raw = validRaw();
    delete raw.train.lr;
    expect(validateExperimentConfig(raw, 'a').train.lr).toBe(1e-3);
    raw.arch.normalization = 'batch';
    expect(validateExperimentConfig(raw, 'a').train.lr).toBe(1e-4);
    expect(paperLearningRate('none')).toBe(1e-4);
  });

  it('stores augmentation only when it is off, so a config that says true is the same config as one that says nothing', () => {
    const on = validRaw();
    on.data.augment = true;
    expect(validateExperimentConfig(on, 'a')).toEqual(validRaw());
    const off = validRaw();
    off.data.augment = false;
    expect(validateExperimentConfig(off, 'a').data).toEqual({ ...validRaw().data, augment: false });
  });

  it('accepts a cosine decay as long as the run or longer, in place of the halvings', () => {
    for (const length of [1000, 1500]) {
      const raw = validRaw();
      raw.train.lrHalvingSteps = [];
      raw.train.lrSchedule = { kind: 'cosine', iterations: length };
      expect(validateExperimentConfig(raw, 'a')).toEqual(raw);
    }
  });

  it('defaults the backend to wasm, with 1 worker', () => {
    const raw = validRaw();
    delete raw.train.backend;
    delete raw.train.workers;
    expect(validateExperimentConfig(raw, 'a').train).toMatchObject({ backend: 'wasm', workers: 1 });
  });
});

describe('learningRateAt', () => {
  it.each([
    [1, 1e-3],
    [200, 1e-3],
    [201, 5e-4],
    [400, 5e-4],
    [401, 2.5e-4],
  ])('iteration %i trains at %f', (iteration, lr) => {
    expect(learningRateAt({ lr: 1e-3, lrHalvingSteps: [200, 400] }, iteration)).toBeCloseTo(lr, 12);
  });

  const cosine = { lr: 1e-3, lrHalvingSteps: [], lrSchedule: { kind: 'cosine', iterations: 1000 } } as const;

  it.each([
    [1, 1e-3],
    [251, (1e-3 * (1 + Math.SQRT1_2)) / 2],
    [501, 5e-4],
    [751, (1e-3 * (1 - Math.SQRT1_2)) / 2],
    [1000, (1e-3 * (1 + Math.cos((Math.PI * 999) / 1000))) / 2],
    [1001, 0],
    [5000, 0],
  ])('under a cosine decay over 1,000 iterations, iteration %i trains at %f', (iteration, lr) => {
    expect(learningRateAt(cosine, iteration)).toBeCloseTo(lr, 15);
  });

  it('decays the cosine smoothly and monotonically from lr to about 0 at the end of the decay', () => {
    const rates = Array.from({ length: 1000 }, (_, i) => learningRateAt(cosine, i + 1));
    expect(rates.every((rate, i) => i === 0 || rate < rates[i - 1]!)).toBe(true);
    expect(rates.at(-1)!).toBeLessThan(1e-8);
    expect(Math.max(...rates.slice(1).map((rate, i) => rates[i]! - rate))).toBeLessThan(1e-3 * (Math.PI / 1000));
  });
});

describe('the datasets folder setting (WDSR_DATASETS)', () => {
  it('maps ../shared/datasets in configs to the folder it names, and back in what runs store', () => {
    const elsewhere = join(tmpdir(), 'sr-data');
    vi.stubEnv('WDSR_DATASETS', elsewhere);
    expect(datasetsDir()).toBe(elsewhere);
    expect(resolveRepoPath('../shared/datasets/T91/HR')).toBe(join(elsewhere, 'T91', 'HR'));
    expect(resolveRepoPath('../shared/datasets')).toBe(elsewhere);
    expect(repoRelativePath(join(elsewhere, 'Set5', 'HR'))).toBe('../shared/datasets/Set5/HR');
    // Only that folder: a sibling with a longer name, and other paths, resolve as before.
    expect(resolveRepoPath('../shared/datasets-old/T91')).toBe(join(REPO_ROOT, '..', 'shared', 'datasets-old', 'T91'));
    expect(repoRelativePath(join(REPO_ROOT, 'model', 'm.onnx'))).toBe(join('model', 'm.onnx'));
  });

  it('reads a relative setting against the repository root, and defaults to ../shared/datasets', () => {
    vi.stubEnv('WDSR_DATASETS', 'data/sr');
    expect(resolveRepoPath('../shared/datasets/Set5/HR')).toBe(join(REPO_ROOT, 'data', 'sr', 'Set5', 'HR'));
    vi.stubEnv('WDSR_DATASETS', '');
    expect(datasetsDir()).toBe(join(REPO_ROOT, '..', 'shared', 'datasets'));
  });
});

describe('loadExperimentConfig', () => {
  it('loads every config shipped in training/configs (settings only: the data check has its own test)', async () => {
    const dir = join(REPO_ROOT, 'training', 'configs');
    const files = (await readdir(dir)).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) await expect(loadExperimentConfig(join(dir, file), { checkData: false })).resolves.toHaveProperty('name');
  });

  it('resolves data paths against the repository root, not the working directory', () => {
    vi.stubEnv('WDSR_DATASETS', '');
    expect(resolveRepoPath('../shared/datasets/Set5/HR')).toBe(join(REPO_ROOT, '..', 'shared', 'datasets', 'Set5', 'HR'));
    expect(resolveRepoPath('model/m.onnx')).toBe(join(REPO_ROOT, 'model', 'm.onnx'));
  });

  it('fails at load on a missing data directory and on malformed JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wdsr-config-'));
    const missing = validRaw();
    missing.data.train = [dir, join(dir, 'NoSuchSet', 'HR')];
    missing.data.val = dir;
    await writeFile(join(dir, 'missing.json'), JSON.stringify(missing));
    await expect(loadExperimentConfig(join(dir, 'missing.json'))).rejects.toThrow(/data\.train\[1\]: no directory at .*NoSuchSet/);
    await writeFile(join(dir, 'broken.json'), '{ "name": ');
    await expect(loadExperimentConfig(join(dir, 'broken.json'))).rejects.toThrow(/cannot read JSON/);
  });
});

describe('loadExperimentConfig with "extends"', () => {
  /** Writes each config as JSON under a new temporary folder and returns the folder. */
  async function configFolder(files: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'wdsr-extends-'));
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), JSON.stringify(content));
    }
    return dir;
  }

  it('merges the base under the child: objects key by key, arrays and values replaced, relative to the child file', async () => {
    const base = { ...validRaw(), description: 'the base run', warmStart: pinned() };
    const dir = await configFolder({
      'bases/base.json': base,
      'child.json': {
        extends: 'bases/base.json',
        name: 'child',
        train: { lr: 5e-4, lrHalvingSteps: [900] },
        data: { train: ['../shared/datasets/BSD200/HR'] },
      },
    });
    const config = await loadExperimentConfig(join(dir, 'child.json'), { checkData: false });
    expect(config).toEqual({
      ...base,
      name: 'child',
      train: { ...base.train, lr: 5e-4, lrHalvingSteps: [900] },
      data: { ...base.data, train: ['../shared/datasets/BSD200/HR'] },
    });
    expect(config).not.toHaveProperty('extends');
  });

  it('follows a chain of bases, the nearest winning', async () => {
    const dir = await configFolder({
      'a.json': validRaw(),
      'b.json': { extends: 'a.json', name: 'b', train: { seed: 2, iterations: 2000 } },
      'c/c.json': { extends: '../b.json', name: 'c', train: { seed: 3 } },
    });
    const config = await loadExperimentConfig(join(dir, 'c', 'c.json'), { checkData: false });
    expect(config.name).toBe('c');
    expect(config.train).toMatchObject({ seed: 3, iterations: 2000, batchSize: 16 });
  });

  it('validates the merged config, naming the file loaded', async () => {
    const dir = await configFolder({ 'base.json': validRaw(), 'child.json': { extends: 'base.json', train: { batchSize: 0 } } });
    await expect(loadExperimentConfig(join(dir, 'child.json'), { checkData: false })).rejects.toThrow(
      `invalid experiment config ${join(dir, 'child.json')}:\n  - train.batchSize: expected integer >= 1, got 0`,
    );
  });

  it('refuses a cycle, a missing base and an extends that is not a path', async () => {
    const dir = await configFolder({
      'a.json': { extends: 'b.json', name: 'a' },
      'b.json': { extends: 'a.json', name: 'b' },
      'self.json': { extends: './self.json' },
      'orphan.json': { extends: 'none.json' },
      'number.json': { extends: 3 },
    });
    await expect(loadExperimentConfig(join(dir, 'a.json'), { checkData: false })).rejects.toThrow(
      /extends: .*a\.json extends .*b\.json extends .*a\.json, a cycle/,
    );
    await expect(loadExperimentConfig(join(dir, 'self.json'), { checkData: false })).rejects.toThrow(/self\.json extends .*self\.json, a cycle/);
    await expect(loadExperimentConfig(join(dir, 'orphan.json'), { checkData: false })).rejects.toThrow(/none\.json:\n {2}- cannot read JSON: ENOENT/);
    await expect(loadExperimentConfig(join(dir, 'number.json'), { checkData: false })).rejects.toThrow(
      'extends: expected the path of a base config, relative to this file, got 3',
    );
  });

  it('is not accepted in a validated config: a run folder holds the merged one', () => {
    expect(issuesOf((r) => (r.extends = 'base.json'))).toEqual([
      'config.extends: unknown key (allowed: name, description, arch, data, train, quantization, warmStart, initFrom, distill)',
    ]);
  });
});
