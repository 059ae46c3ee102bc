import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArchConfig } from '../../training/archs/config';
import { loadExperimentConfig, REPO_ROOT } from '../../training/config/load';
import type { ModelPrecision } from '../../training/onnx/manifest';
import { modelFileStem } from '../../training/onnx/model-file-name';

const T91_BSD200 = ['../shared/datasets/T91/HR', '../shared/datasets/BSD200/HR'];
const run = (name: string, [scale, nFeats, nBlocks]: [ArchConfig['scale'], number, number], train = T91_BSD200, arch: ArchConfig['arch'] = 'wdsr_b') => ({
  name,
  arch: { arch, scale, nFeats, nBlocks },
  data: { train },
});

describe('modelFileStem', () => {
  it.each<[string, ReturnType<typeof run>, ModelPrecision, string]>([
    // The committed configs' names (training/configs/**).
    ['a served run', run('WDSR-B_x2_f16b8_T91+BSD200_decay20k', [2, 16, 8]), 'int8-weights', 'wdsr-b-x2-f16b8-decay20k-int8-weights'],
    ['its fp32 reference', run('WDSR-B_x2_f16b8_T91+BSD200_decay20k', [2, 16, 8]), 'fp32', 'wdsr-b-x2-f16b8-decay20k-fp32'],
    ['a quantization-aware run', run('WDSR-B_x2_f16b8_T91+BSD200_qat', [2, 16, 8]), 'int8', 'wdsr-b-x2-f16b8-qat-int8'],
    ['a run with no tags', run('WDSR-B_x2_f24b8_T91+BSD200', [2, 24, 8]), 'fp32', 'wdsr-b-x2-f24b8-fp32'],
    ['x3', run('WDSR-B_x3_f24b8_T91+BSD200_restart12k', [3, 24, 8]), 'int8-weights', 'wdsr-b-x3-f24b8-restart12k-int8-weights'],
    ['x4', run('WDSR-B_x4_f24b8_T91+BSD200_restart16k', [4, 24, 8]), 'fp32', 'wdsr-b-x4-f24b8-restart16k-fp32'],
    ['a tag before the data sets', run('WDSR-B_x2_f16b8_distill-f24b8_T91+BSD200', [2, 16, 8]), 'fp32', 'wdsr-b-x2-f16b8-distill-f24b8-fp32'],
    ['a size-comparison run', run('WDSR-B_x2_f32b16_i1000_T91+BSD200', [2, 32, 16]), 'int8', 'wdsr-b-x2-f32b16-i1000-int8'],
    ['a reparam run', run('WDSR-B_x2_f16b8_reparam_T91+BSD200', [2, 16, 8]), 'fp32', 'wdsr-b-x2-f16b8-reparam-fp32'],
    ['the smoke run, on one set', run('smoke_WDSR-B_x2_f8b2_T91', [2, 8, 2], ['../shared/datasets/T91/HR']), 'fp32', 'wdsr-b-x2-f8b2-smoke-fp32'],
    ['the reproduction base', run('repro_base_WDSR-B_x2_f64b1_T91+BSD200', [2, 64, 1]), 'fp32', 'wdsr-b-x2-f64b1-repro-base-fp32'],
    // Names the reproduction suites derive (training/repro/experiment.ts): the size token carries more.
    ['a reproduction run', run('WDSR-B_x2_f64b1e6r0.8_wn_lr1e-3_s1_i2000', [2, 64, 1]), 'fp32', 'wdsr-b-x2-f64b1-e6r0.8-wn-lr1e-3-s1-i2000-fp32'],
    ['another architecture', run('EDSR_x2_f64b1_nonorm_lr1e-4_s2_i1000', [2, 64, 1], T91_BSD200, 'edsr'), 'fp32', 'edsr-x2-f64b1-nonorm-lr1e-4-s2-i1000-fp32'],
    // Names that do not follow the pattern still give a stem, from what they do say.
    ['a name without the usual tokens', run('float', [2, 6, 1], ['../data/train']), 'int8', 'wdsr-b-x2-f6b1-float-int8'],
    ['a scale the config does not have', run('WDSR-B_x3_f24b8_T91+BSD200', [2, 24, 8]), 'fp32', 'wdsr-b-x2-f24b8-x3-fp32'],
    ['other training sets', run('WDSR-B_x2_f16b8_T91+BSD200', [2, 16, 8], ['../shared/datasets/DIV2K/HR']), 'fp32', 'wdsr-b-x2-f16b8-t91-bsd200-fp32'],
    ['a wider size that starts like the size', run('WDSR-B_x2_f16b80_T91+BSD200', [2, 16, 8]), 'fp32', 'wdsr-b-x2-f16b8-f16b80-fp32'],
    ['characters a file name should not carry', run('My Run/β__', [2, 16, 8]), 'fp32', 'wdsr-b-x2-f16b8-my-run-fp32'],
    ['an empty name', run('', [2, 16, 8]), 'fp32', 'wdsr-b-x2-f16b8-fp32'],
  ])('%s', (_, config, precision, stem) => {
    expect(modelFileStem(config, precision)).toBe(stem);
    // The Worker's manifest check (src/core/manifest.ts) accepts the file name.
    expect(`${stem}.onnx`).toMatch(/^[\w.-]+\.onnx$/);
  });

  it("gives every committed config's run a stem of the scheme", async () => {
    const dir = join(REPO_ROOT, 'training', 'configs');
    const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const config = await loadExperimentConfig(join(dir, file), { checkData: false });
      const { arch } = config;
      const stem = modelFileStem(config, 'int8-weights');
      expect(stem, file).toMatch(
        new RegExp(`^${arch.arch.replace('_', '-')}-x${arch.scale}-f${arch.nFeats}b${arch.nBlocks}(-[a-z0-9][a-z0-9.]*)*-int8-weights$`),
      );
    }
  });
});
