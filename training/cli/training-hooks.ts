import type { TrainingHooks } from '../loop/hooks';
import { loadInitialization, loadStartingPoint } from '../onnx/starting-point';

/**
 * The training hooks of the commands that train (train, repro, bench:train). Calibration and
 * the teacher run in onnxruntime-node, which is loaded only by the runs that need it.
 */
export const trainingHooks: TrainingHooks = {
  loadStartingPoint,
  loadInitialization,
  quantizationAwareStart: async (config) => (await import('../quant/start')).quantizationAwareStart(config),
  loadTeacher: async (config, scale) => (await import('../distill/teacher')).loadTeacher(config, scale),
};
