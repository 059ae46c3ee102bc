import { arrayOf, describeValue, fieldsOf, integer, nonEmptyString, oneOf, positiveNumber, type Issues } from '../config/checks';
import { parseCalibrationMethod } from '../config/calibration-method';
import { PICK_SET, pickSize, type SizeComparison, type SizeResult } from './size-comparison';

/** A size comparison file that does not follow the schema, with every problem found, one per line. */
class SizeComparisonError extends Error {
  override readonly name = 'SizeComparisonError';
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid size comparison ${source}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

// Every key an ArchConfig may have (training/archs/config.ts); the report reads nFeats and nBlocks.
const ARCH_KEYS = ['arch', 'scale', 'nFeats', 'nBlocks', 'resScale', 'normalization', 'expansion', 'lowRank', 'blockFeats'];
const SET_KEYS = ['psnr', 'ssim', 'bicubicPsnr', 'bicubicSsim'];

/**
 * Checks parsed model/size-comparison.json against the schema `npm run compare:sizes` writes
 * (unknown keys, missing or out-of-range values, sizes scored on different sets, and a `pick`
 * the budget rule would not make are all errors) and returns it unchanged.
 *
 * @example
 * const comparison = parseSizeComparison(JSON.parse(await readFile(path, 'utf8')), path);
 */
export function parseSizeComparison(json: unknown, source: string): SizeComparison {
  const issues: Issues = [];
  const root = fieldsOf(json, '$', issues, ['schemaVersion', 'command', 'measuredAt', 'machine', 'scale', 'export', 'timing', 'budget', 'sizes', 'pick']);
  oneOf(root.schemaVersion, 'schemaVersion', issues, [1]);
  for (const key of ['command', 'measuredAt', 'machine']) nonEmptyString(root[key], key, issues);
  oneOf(root.scale, 'scale', issues, [2, 3, 4]);
  const exported = fieldsOf(root.export, 'export', issues, ['calibration', 'floatConvs']);
  const calibration = fieldsOf(exported.calibration, 'export.calibration', issues, ['kind', 'percentile', 'samples']);
  if (parseCalibrationMethod(calibration.kind === 'minmax' ? 'minmax' : `${String(calibration.kind)}:${String(calibration.percentile)}`) === undefined) {
    issues.push(`export.calibration: expected { kind: "minmax" } or { kind: "percentile", percentile: (50, 100] }, got ${describeValue(exported.calibration)}`);
  }
  integer(calibration.samples, 'export.calibration.samples', issues, 1);
  arrayOf(exported.floatConvs, 'export.floatConvs', issues, 0, (value, path) => nonEmptyString(value, path, issues));
  const timing = fieldsOf(root.timing, 'timing', issues, ['inputSize', 'repeats', 'method', 'autogroupNice']);
  integer(timing.autogroupNice, 'timing.autogroupNice', issues, -20, 19);
  integer(timing.inputSize, 'timing.inputSize', issues, 1);
  integer(timing.repeats, 'timing.repeats', issues, 1);
  nonEmptyString(timing.method, 'timing.method', issues);
  const budget = fieldsOf(root.budget, 'budget', issues, ['secondsPerMegapixel', 'rule']);
  positiveNumber(budget.secondsPerMegapixel, 'budget.secondsPerMegapixel', issues);
  nonEmptyString(budget.rule, 'budget.rule', issues);
  const sizes = arrayOf(root.sizes, 'sizes', issues, 1, (value, path) => checkSize(value, path, issues));
  fieldsOf(root.pick, 'pick', issues, ['withinBudget', 'name', 'fastest']);
  // Across sizes, once each one is well-formed.
  if (issues.length === 0) {
    const names = sizes.map((size) => size.name);
    if (new Set(names).size !== names.length) issues.push(`sizes: run names must be unique, got ${describeValue(names)}`);
    const setNames = sizes.map((size) => Object.keys(size.sets).join(', '));
    if (new Set(setNames).size > 1) issues.push(`sizes: every size must be scored on the same sets, got ${setNames.map((s) => `[${s}]`).join(' and ')}`);
    const expected = pickSize(sizes, budget.secondsPerMegapixel as number);
    if (JSON.stringify(root.pick) !== JSON.stringify(expected))
      issues.push(`pick: the budget rule picks ${JSON.stringify(expected)}, the file says ${describeValue(root.pick)}`);
  }
  if (issues.length > 0) throw new SizeComparisonError(source, issues);
  return json as SizeComparison;
}

function checkSize(value: unknown, path: string, issues: Issues): SizeResult {
  const size = fieldsOf(value, path, issues, [
    'name',
    'run',
    'checkpoint',
    'arch',
    'parameters',
    'iterations',
    'trainingSeconds',
    'int8Bytes',
    'sets',
    'workerd',
  ]);
  for (const key of ['name', 'run', 'checkpoint']) nonEmptyString(size[key], `${path}.${key}`, issues);
  const arch = fieldsOf(size.arch, `${path}.arch`, issues, ARCH_KEYS);
  for (const key of ['nFeats', 'nBlocks']) integer(arch[key], `${path}.arch.${key}`, issues, 1);
  for (const key of ['parameters', 'iterations', 'int8Bytes']) integer(size[key], `${path}.${key}`, issues, 1);
  positiveNumber(size.trainingSeconds, `${path}.trainingSeconds`, issues);
  const sets = fieldsOf(size.sets, `${path}.sets`, issues, typeof size.sets === 'object' && size.sets !== null ? Object.keys(size.sets) : []);
  if (!(PICK_SET in sets)) issues.push(`${path}.sets: the rule ranks by ${PICK_SET}, which is missing`);
  for (const [set, scores] of Object.entries(sets)) {
    const fields = fieldsOf(scores, `${path}.sets.${set}`, issues, SET_KEYS);
    for (const key of SET_KEYS) positiveNumber(fields[key], `${path}.sets.${set}.${key}`, issues, key.toLowerCase().endsWith('ssim') ? 1 : Number.MAX_VALUE);
  }
  const workerd = fieldsOf(size.workerd, `${path}.workerd`, issues, ['secondsPerMegapixel', 'medianSeconds', 'seconds', 'loadAverage']);
  positiveNumber(workerd.secondsPerMegapixel, `${path}.workerd.secondsPerMegapixel`, issues);
  positiveNumber(workerd.medianSeconds, `${path}.workerd.medianSeconds`, issues);
  arrayOf(workerd.seconds, `${path}.workerd.seconds`, issues, 1, (entry, entryPath) => positiveNumber(entry, entryPath, issues));
  if (typeof workerd.loadAverage !== 'number' || !(workerd.loadAverage >= 0) || !Number.isFinite(workerd.loadAverage)) {
    issues.push(`${path}.workerd.loadAverage: expected a number >= 0, got ${describeValue(workerd.loadAverage)}`);
  }
  return value as SizeResult;
}
