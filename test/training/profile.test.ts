import { beforeAll, describe, expect, it } from 'vitest';
import { buildArch } from '../../training/archs/index';
import { initBackend } from '../../training/backend/init';
import { Adam } from '../../training/loop/adam';
import { profileTrainingStep } from '../../training/reports/training-profile';
import { TfjsModel } from '../../training/model/tfjs-model';

describe('profileTrainingStep', () => {
  beforeAll(() => initBackend('wasm'));

  it('counts each conv once per phase, and the kernels nested inside the composite ones not at all', async () => {
    const graph = buildArch({ arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 2, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' });
    const convs = graph.nodes.filter((node) => node.op === 'conv').length;
    const model = TfjsModel.create(graph, 1);
    const adam = new Adam(model.trainableNames, model.trainableVariables);
    const [batchSize, lrPatchSize, scale] = [2, 6, 2];
    const batch = {
      lr: new Float32Array(batchSize * lrPatchSize * lrPatchSize * 3).fill(0.5),
      hr: new Float32Array(batchSize * (lrPatchSize * scale) ** 2 * 3).fill(0.25),
      batchSize,
      lrPatchSize,
      scale,
    };
    const profile = await profileTrainingStep(model, adam, batch, 1e-3);
    const calls = (phase: typeof profile.forward, kernel: string) => phase.find((entry) => entry.kernel === kernel)?.calls ?? 0;
    // In training, the head and skip convs (which read the image) add their bias unfused.
    expect(calls(profile.forward, 'FusedConv2D')).toBe(convs - 2);
    expect(calls(profile.forward, 'Conv2D')).toBe(2);
    expect(calls(profile.backward, 'Conv2DBackpropFilter')).toBe(convs);
    // Nor do they compute the image's gradient, which nothing needs.
    expect(calls(profile.backward, 'Conv2DBackpropInput')).toBe(convs - 2);
    expect(calls(profile.backward, 'PadV2')).toBe(0); // only inside the 3x3 filter gradients
    expect(calls(profile.backward, 'FusedConv2D')).toBe(0);
    expect(profile.optimizer.length).toBeGreaterThan(0);
    for (const entry of [...profile.forward, ...profile.backward, ...profile.optimizer]) expect(entry.ms).toBeGreaterThanOrEqual(0);
    model.dispose();
  });
});
