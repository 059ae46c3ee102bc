import { WDSR_B_BLOCK_CONVS, type ArchConfig, type ReparamConfig } from '../archs/config';
import { buildArch } from '../archs/index';
import { BACKEND_NAMES } from '../backend/init';
import { parseCalibrationMethod } from './calibration-method';
import { arrayOf, describeValue, fieldsOf, integer, nonEmptyString, oneOf, positiveNumber, type Issues } from './checks';
import {
  paperLearningRate,
  type DataConfig,
  type DistillConfig,
  type CosineSchedule,
  type ExperimentConfig,
  type PinnedFile,
  type QuantizationConfig,
  type TrainConfig,
} from './experiment';

/** Every problem found in a config, one per line. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid experiment config ${source}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const MAX_SEED = 2 ** 32 - 1;

/**
 * Checks a parsed JSON experiment config against the schema (unknown keys rejected,
 * types and ranges precise) and returns it with defaults filled in; throws a
 * `ConfigError` listing every issue.
 *
 * @example
 * const config = validateExperimentConfig(JSON.parse(text), 'training/configs/smoke.json');
 */
export function validateExperimentConfig(raw: unknown, source: string): ExperimentConfig {
  const issues: Issues = [];
  const root = fieldsOf(raw, 'config', issues, ['name', 'description', 'arch', 'data', 'train', 'quantization', 'warmStart', 'initFrom', 'distill']);
  const name = nonEmptyString(root.name, 'name', issues);
  if (typeof name === 'string' && !RUN_NAME.test(name)) {
    issues.push(`name: expected letters, digits and . _ + - (it names the run directory), got ${JSON.stringify(name)}`);
  }
  if (root.description !== undefined) nonEmptyString(root.description, 'description', issues);
  const arch = validateArch(root.arch, issues);
  const data = validateData(root.data, arch, issues);
  const train = validateTrain(root.train, arch, issues);
  const archIssues = issues.some((issue) => issue.startsWith('arch'));
  const quantization = root.quantization === undefined ? undefined : validateQuantization(root.quantization, archIssues ? undefined : arch, issues);
  const warmStart = root.warmStart === undefined ? undefined : validatePinnedFile(root.warmStart, 'warmStart', issues);
  const initFrom = root.initFrom === undefined ? undefined : validatePinnedFile(root.initFrom, 'initFrom', issues);
  const starts = [warmStart && 'warmStart', initFrom && 'initFrom', quantization && 'quantization.from'].filter((start) => start !== undefined);
  if (starts.length > 1) issues.push(`${starts.join(', ')}: a run starts from one set of trained weights; give one of them`);
  if (quantization !== undefined && arch.arch === 'wdsr_b' && arch.reparam !== undefined) {
    issues.push(
      "arch.reparam: quantization-aware training fine-tunes the exported network: give the plain arch (no reparam) and a reparam run's checkpoint or fp32 export as quantization.from, which is collapsed first",
    );
  }
  const distill = root.distill === undefined ? undefined : validateDistill(root.distill, issues);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return {
    name,
    ...(root.description === undefined ? {} : { description: root.description as string }),
    arch,
    data,
    train,
    ...(quantization === undefined ? {} : { quantization }),
    ...(warmStart === undefined ? {} : { warmStart }),
    ...(initFrom === undefined ? {} : { initFrom }),
    ...(distill === undefined ? {} : { distill }),
  };
}

function validateArch(value: unknown, issues: Issues): ArchConfig {
  const common = ['arch', 'scale', 'nFeats', 'nBlocks', 'resScale', 'normalization'];
  const kinds = ['wdsr_a', 'wdsr_b', 'edsr'] as const;
  const kind = oneOf((value as { arch?: unknown } | undefined)?.arch, 'arch.arch', issues, kinds);
  const specific = kind === 'wdsr_b' ? ['expansion', 'lowRank', 'reparam'] : kind === 'wdsr_a' ? ['blockFeats'] : [];
  // A reparam section on another architecture gets a message of its own (below), not "unknown key".
  const misplacedReparam = kind !== 'wdsr_b' && kinds.includes(kind) && typeof value === 'object' && value !== null && 'reparam' in value;
  // Which keys are allowed depends on the architecture; with an unknown one, only that is reported.
  const fields = fieldsOf(value, 'arch', kinds.includes(kind) ? issues : [], [...common, ...specific, ...(misplacedReparam ? ['reparam'] : [])]);
  const base = {
    scale: oneOf(fields.scale, 'arch.scale', issues, [2, 3, 4] as const),
    nFeats: integer(fields.nFeats, 'arch.nFeats', issues, 1),
    nBlocks: integer(fields.nBlocks, 'arch.nBlocks', issues, 1),
    resScale: positiveNumber(fields.resScale, 'arch.resScale', issues),
    normalization: oneOf(fields.normalization, 'arch.normalization', issues, ['weight', 'batch', 'none'] as const),
  };
  if (kind === 'wdsr_b') {
    const expansion = positiveNumber(fields.expansion, 'arch.expansion', issues);
    const lowRank = positiveNumber(fields.lowRank, 'arch.lowRank', issues, 1);
    if (Number.isInteger(base.nFeats) && !Number.isInteger(base.nFeats * expansion)) {
      issues.push(`arch.expansion: nFeats * expansion must be a whole number of channels, got ${base.nFeats} * ${expansion}`);
    }
    if (Math.floor(base.nFeats * lowRank) < 1) issues.push(`arch.lowRank: floor(nFeats * lowRank) must be >= 1, got ${lowRank}`);
    const reparam = fields.reparam === undefined ? undefined : validateReparam(fields.reparam, issues);
    return { arch: kind, ...base, expansion, lowRank, ...(reparam === undefined ? {} : { reparam }) };
  }
  if (misplacedReparam) {
    issues.push(`arch.reparam: structural re-parameterization is implemented for "wdsr_b" only, not ${JSON.stringify(kind)}`);
  }
  if (kind === 'wdsr_a') return { arch: kind, ...base, blockFeats: integer(fields.blockFeats, 'arch.blockFeats', issues, 1) };
  return { arch: 'edsr', ...base };
}

/** The largest `arch.reparam.expansion`: SESR's blocks widen 16x; beyond 64x the block weights dwarf the network for nothing. */
const MAX_REPARAM_EXPANSION = 64;

function validateReparam(value: unknown, issues: Issues): ReparamConfig {
  const fields = fieldsOf(value, 'arch.reparam', issues, ['kind', 'expansion', 'convs']);
  const kind = oneOf(fields.kind, 'arch.reparam.kind', issues, ['collapsible'] as const);
  const expansion = integer(fields.expansion, 'arch.reparam.expansion', issues, 1, MAX_REPARAM_EXPANSION);
  const convs = arrayOf(fields.convs, 'arch.reparam.convs', issues, 1, (entry, path) => oneOf(entry, path, issues, WDSR_B_BLOCK_CONVS));
  const repeated = convs.filter((conv, i) => convs.indexOf(conv) !== i);
  if (repeated.length > 0) issues.push(`arch.reparam.convs: each conv at most once, got ${JSON.stringify(repeated[0])} twice`);
  return { kind, expansion, convs };
}

/** SHA-256 as `sha256sum` prints it. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What a checkpoint keeps its tensors in (training/checkpoint/format.ts, `TENSORS_FILE`; config/ sits below checkpoint/). */
const CHECKPOINT_TENSORS_FILE = 'weights.bin';

/** Trained weights pinned by content (see `PinnedFile`): an fp32 .onnx export or a checkpoint's weights.bin, and its SHA-256. */
function validatePinnedFile(value: unknown, path: string, issues: Issues): PinnedFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // A bare path was the form before files were pinned: say how to pin it.
    const file = typeof value === 'string' ? JSON.stringify(value) : '"<path from the repository root>"';
    issues.push(`${path}: expected { "file": ${file}, "sha256": "<sha256sum of that file>" }, got ${describeValue(value)}`);
    return { file: '', sha256: '' };
  }
  const fields = fieldsOf(value, path, issues, ['file', 'sha256']);
  const file = nonEmptyString(fields.file, `${path}.file`, issues);
  if (typeof file === 'string' && file.length > 0 && !file.endsWith('.onnx') && file.split(/[\\/]/).at(-1) !== CHECKPOINT_TENSORS_FILE) {
    issues.push(
      `${path}.file: expected an fp32 .onnx export or a checkpoint's ${CHECKPOINT_TENSORS_FILE} (<run>/checkpoints/<iteration>/${CHECKPOINT_TENSORS_FILE}), got ${JSON.stringify(file)}`,
    );
  }
  const sha256 = fields.sha256;
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    issues.push(`${path}.sha256: expected the file's SHA-256 as 64 lowercase hex digits (sha256sum <file>), got ${describeValue(sha256)}`);
  }
  return { file, sha256: sha256 as string };
}

function validateDistill(value: unknown, issues: Issues): DistillConfig {
  const fields = fieldsOf(value, 'distill', issues, ['teacher', 'sha256', 'weight']);
  const teacher = nonEmptyString(fields.teacher, 'distill.teacher', issues);
  if (typeof teacher === 'string' && teacher.length > 0 && !teacher.endsWith('.onnx')) {
    issues.push(`distill.teacher: expected a float .onnx model (export a checkpoint with npm run export), got ${JSON.stringify(teacher)}`);
  }
  const sha256 = fields.sha256;
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    issues.push(`distill.sha256: expected the teacher file's SHA-256 as 64 lowercase hex digits (sha256sum <teacher>), got ${describeValue(sha256)}`);
  }
  return { teacher, sha256: sha256 as string, weight: positiveNumber(fields.weight, 'distill.weight', issues, 1) };
}

function validateData(value: unknown, arch: ArchConfig, issues: Issues): DataConfig {
  const fields = fieldsOf(value, 'data', issues, ['train', 'val', 'hrPatchSize', 'augment']);
  const hrPatchSize = integer(fields.hrPatchSize, 'data.hrPatchSize', issues, 8);
  if (Number.isInteger(hrPatchSize) && [2, 3, 4].includes(arch.scale) && hrPatchSize % arch.scale !== 0) {
    issues.push(`data.hrPatchSize: must be a multiple of arch.scale (${arch.scale}), got ${hrPatchSize}`);
  }
  if (fields.augment !== undefined && typeof fields.augment !== 'boolean') {
    issues.push(`data.augment: expected true (the 8 flips/rotations, the default) or false (none), got ${describeValue(fields.augment)}`);
  }
  return {
    train: arrayOf(fields.train, 'data.train', issues, 1, (entry, path) => nonEmptyString(entry, path, issues)),
    val: nonEmptyString(fields.val, 'data.val', issues),
    hrPatchSize,
    // The default is stored as its absence, so `true` and no key are the same config (a run resumes across them).
    ...(fields.augment === false ? { augment: false } : {}),
  };
}

function validateTrain(value: unknown, arch: ArchConfig, issues: Issues): TrainConfig {
  const fields = fieldsOf(value, 'train', issues, [
    'iterations',
    'batchSize',
    'lr',
    'lrHalvingSteps',
    'lrSchedule',
    'seed',
    'backend',
    'workers',
    'logEvery',
    'validateEvery',
    'checkpointEvery',
    'keepCheckpoints',
  ]);
  const iterations = integer(fields.iterations, 'train.iterations', issues, 1);
  const lrHalvingSteps = arrayOf(fields.lrHalvingSteps, 'train.lrHalvingSteps', issues, 0, (entry, path) =>
    integer(entry, path, issues, 1, Number.isInteger(iterations) ? iterations : undefined),
  );
  if (lrHalvingSteps.some((step, i) => i > 0 && step <= lrHalvingSteps[i - 1]!)) {
    issues.push(`train.lrHalvingSteps: expected strictly increasing iterations, got ${JSON.stringify(lrHalvingSteps)}`);
  }
  const lrSchedule = fields.lrSchedule === undefined ? undefined : validateLrSchedule(fields.lrSchedule, iterations, issues);
  if (lrSchedule !== undefined && lrHalvingSteps.length > 0) {
    issues.push(`train.lrHalvingSteps: a cosine lrSchedule replaces the halvings; expected [], got ${JSON.stringify(lrHalvingSteps)}`);
  }
  const batchSize = integer(fields.batchSize, 'train.batchSize', issues, 1);
  const backend = oneOf(fields.backend ?? 'wasm', 'train.backend', issues, BACKEND_NAMES);
  const workers = fields.workers === undefined ? 1 : integer(fields.workers, 'train.workers', issues, 1, Number.isInteger(batchSize) ? batchSize : undefined);
  if (Number.isInteger(workers) && workers > 1 && arch.normalization === 'batch') {
    issues.push(`train.workers: batch norm needs the whole batch's statistics in one thread, so it trains with 1 worker, got ${workers}`);
  }
  if (Number.isInteger(workers) && workers > 1 && backend === 'tensorflow') {
    issues.push(`train.workers: the tensorflow backend uses every core itself; it trains with 1 worker, got ${workers}`);
  }
  return {
    iterations,
    batchSize,
    lr: fields.lr === undefined ? paperLearningRate(arch.normalization) : positiveNumber(fields.lr, 'train.lr', issues, 1),
    lrHalvingSteps,
    ...(lrSchedule === undefined ? {} : { lrSchedule }),
    seed: integer(fields.seed, 'train.seed', issues, 0, MAX_SEED),
    backend,
    workers,
    logEvery: integer(fields.logEvery, 'train.logEvery', issues, 1),
    validateEvery: integer(fields.validateEvery, 'train.validateEvery', issues, 0),
    checkpointEvery: integer(fields.checkpointEvery, 'train.checkpointEvery', issues, 1),
    keepCheckpoints: integer(fields.keepCheckpoints, 'train.keepCheckpoints', issues, 1),
  };
}

/** A decay replacing the step halvings (see `CosineSchedule`); it lasts at least the run, which would otherwise train on at learning rate 0. */
function validateLrSchedule(value: unknown, iterations: number, issues: Issues): CosineSchedule {
  const fields = fieldsOf(value, 'train.lrSchedule', issues, ['kind', 'iterations']);
  const kind = oneOf(fields.kind, 'train.lrSchedule.kind', issues, ['cosine'] as const);
  const length = integer(fields.iterations, 'train.lrSchedule.iterations', issues, 1);
  if (Number.isInteger(length) && length >= 1 && Number.isInteger(iterations) && length < iterations) {
    issues.push(
      `train.lrSchedule.iterations: the decay must last at least train.iterations (${iterations}), or the run ends at learning rate 0; got ${length}`,
    );
  }
  return { kind, iterations: length };
}

/** The optional quantization-aware training section; float conv names are checked against the architecture when it is valid. */
function validateQuantization(value: unknown, arch: ArchConfig | undefined, issues: Issues): QuantizationConfig {
  const fields = fieldsOf(value, 'quantization', issues, ['from', 'calibration', 'calibrationPatches', 'floatConvs']);
  const calibration = nonEmptyString(fields.calibration, 'quantization.calibration', issues);
  if (typeof calibration === 'string' && parseCalibrationMethod(calibration) === undefined) {
    issues.push(`quantization.calibration: expected "minmax" or "percentile:<p>" with p in (50, 100], got ${JSON.stringify(calibration)}`);
  }
  const floatConvs = arrayOf(fields.floatConvs, 'quantization.floatConvs', issues, 0, (entry, path) => nonEmptyString(entry, path, issues));
  if (arch !== undefined) {
    // The exporter folds batch norm's moving statistics before rounding; training normalises with batch ones.
    if (arch.normalization === 'batch') issues.push('quantization: quantization-aware training does not support arch.normalization "batch"');
    const convs = new Set(buildArch(arch).nodes.flatMap((node) => (node.op === 'conv' ? [node.name] : [])));
    for (const name of floatConvs.filter((conv) => !convs.has(conv)))
      issues.push(`quantization.floatConvs: ${JSON.stringify(name)} is not a conv of this architecture`);
  }
  return {
    from: validatePinnedFile(fields.from, 'quantization.from', issues),
    calibration,
    calibrationPatches: integer(fields.calibrationPatches, 'quantization.calibrationPatches', issues, 1),
    floatConvs,
  };
}
