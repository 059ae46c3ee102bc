import { convVariableShapes } from '../../../training/archs/index';
import type { ArchGraph } from '../../../training/archs/graph';
import type { NamedWeights } from '../../../training/model/weights';

/**
 * Deterministic weights for every variable of a graph, scaled like a default conv init
 * (uniform +-1/sqrt(fan_in)) so activations stay in a realistic range; batch-norm
 * statistics get non-trivial values so folding them is actually exercised.
 */
export function seededWeights(graph: ArchGraph, seed: number): NamedWeights {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const weights: NamedWeights = new Map();
  for (const node of graph.nodes) {
    if (node.op !== 'conv') continue;
    const bound = 1 / Math.sqrt(node.inChannels * node.kernelSize ** 2);
    const shapes = convVariableShapes(node);
    if (node.normalization === 'batch') {
      shapes.set(`${node.name}/bn/movingMean`, [node.outChannels]);
      shapes.set(`${node.name}/bn/movingVariance`, [node.outChannels]);
    }
    for (const [name, shape] of shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      const positive = name.endsWith('/g') || name.endsWith('Variance') || name.endsWith('gamma');
      const data = Float32Array.from({ length: size }, () => (positive ? 0.5 + random() : (random() * 2 - 1) * bound));
      weights.set(name, { shape, data });
    }
  }
  return weights;
}

/** A smooth synthetic NCHW image in [0, 1] with some texture, for calibration and parity checks. */
export function syntheticImage(height: number, width: number, seed: number): Float32Array {
  const data = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const value = 0.5 + 0.3 * Math.sin((x * (seed + 1) + y * (c + 2)) / 5) + 0.15 * Math.cos((x * y) / (11 + seed + c));
        data[(c * height + y) * width + x] = Math.min(1, Math.max(0, value));
      }
    }
  }
  return data;
}
