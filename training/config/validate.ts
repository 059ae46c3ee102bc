import type { ArchConfig } from '../archs/config';
import { buildArch } from '../archs/index';
import { BACKEND_NAMES } from '../backend/init';
import { parseCalibrationMethod } from '../export/calibration-method';
import { arrayOf, fieldsOf, integer, nonEmptyString, oneOf, positiveNumber, type Issues } from './checks';
import { paperLearningRate, type DataConfig, type ExperimentConfig, type QuantizationConfig, type TrainConfig } from './experiment';

/** Every problem found in a config, one per line. */
export class ConfigError extends Error {
  constructor(readonly source: string, readonly issues: readonly string[]) {
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
  const root = fieldsOf(raw, 'config', issues, ['name', 'description', 'arch', 'data', 'train', 'quantization', 'initFrom']);
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
  if (root.initFrom !== undefined) nonEmptyString(root.initFrom, 'initFrom', issues);
  if (root.initFrom !== undefined && quantization !== undefined) issues.push('initFrom: a quantization-aware run starts from quantization.from; give one of them');
  if (issues.length > 0) throw new ConfigError(source, issues);
  return {
    name,
    ...(root.description === undefined ? {} : { description: root.description as string }),
    arch,
    data,
    train,
    ...(quantization === undefined ? {} : { quantization }),
    ...(root.initFrom === undefined ? {} : { initFrom: root.initFrom as string }),
  };
}

function validateArch(value: unknown, issues: Issues): ArchConfig {
  const common = ['arch', 'scale', 'nFeats', 'nBlocks', 'resScale', 'normalization'];
  const kinds = ['wdsr_a', 'wdsr_b', 'edsr'] as const;
  const kind = oneOf((value as { arch?: unknown } | undefined)?.arch, 'arch.arch', issues, kinds);
  const specific = kind === 'wdsr_b' ? ['expansion', 'lowRank'] : kind === 'wdsr_a' ? ['blockFeats'] : [];
  // Which keys are allowed depends on the architecture; with an unknown one, only that is reported.
  const fields = fieldsOf(value, 'arch', kinds.includes(kind) ? issues : [], [...common, ...specific]);
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
    return { arch: kind, ...base, expansion, lowRank };
  }
  if (kind === 'wdsr_a') return { arch: kind, ...base, blockFeats: integer(fields.blockFeats, 'arch.blockFeats', issues, 1) };
  return { arch: 'edsr', ...base };
}

function validateData(value: unknown, arch: ArchConfig, issues: Issues): DataConfig {
  const fields = fieldsOf(value, 'data', issues, ['train', 'val', 'hrPatchSize']);
  const hrPatchSize = integer(fields.hrPatchSize, 'data.hrPatchSize', issues, 8);
  if (Number.isInteger(hrPatchSize) && [2, 3, 4].includes(arch.scale) && hrPatchSize % arch.scale !== 0) {
    issues.push(`data.hrPatchSize: must be a multiple of arch.scale (${arch.scale}), got ${hrPatchSize}`);
  }
  return {
    train: arrayOf(fields.train, 'data.train', issues, 1, (entry, path) => nonEmptyString(entry, path, issues)),
    val: nonEmptyString(fields.val, 'data.val', issues),
    hrPatchSize,
  };
}

function validateTrain(value: unknown, arch: ArchConfig, issues: Issues): TrainConfig {
  const fields = fieldsOf(value, 'train', issues, [
    'iterations', 'batchSize', 'lr', 'lrHalvingSteps', 'seed', 'backend', 'workers',
    'logEvery', 'validateEvery', 'checkpointEvery', 'keepCheckpoints',
  ]);
  const iterations = integer(fields.iterations, 'train.iterations', issues, 1);
  const lrHalvingSteps = arrayOf(fields.lrHalvingSteps, 'train.lrHalvingSteps', issues, 0, (entry, path) =>
    integer(entry, path, issues, 1, Number.isInteger(iterations) ? iterations : undefined),
  );
  if (lrHalvingSteps.some((step, i) => i > 0 && step <= lrHalvingSteps[i - 1]!)) {
    issues.push(`train.lrHalvingSteps: expected strictly increasing iterations, got ${JSON.stringify(lrHalvingSteps)}`);
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
    seed: integer(fields.seed, 'train.seed', issues, 0, MAX_SEED),
    backend,
    workers,
    logEvery: integer(fields.logEvery, 'train.logEvery', issues, 1),
    validateEvery: integer(fields.validateEvery, 'train.validateEvery', issues, 0),
    checkpointEvery: integer(fields.checkpointEvery, 'train.checkpointEvery', issues, 1),
    keepCheckpoints: integer(fields.keepCheckpoints, 'train.keepCheckpoints', issues, 1),
  };
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
    for (const name of floatConvs.filter((conv) => !convs.has(conv))) issues.push(`quantization.floatConvs: ${JSON.stringify(name)} is not a conv of this architecture`);
  }
  return {
    from: nonEmptyString(fields.from, 'quantization.from', issues),
    calibration,
    calibrationPatches: integer(fields.calibrationPatches, 'quantization.calibrationPatches', issues, 1),
    floatConvs,
  };
}
