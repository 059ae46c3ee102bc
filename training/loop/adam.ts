import * as tf from '@tensorflow/tfjs-core';
import type { AdamHyperparameters, AdamState } from '../checkpoint/format';
import type { NamedWeights } from '../model/weights';

/** The paper's optimiser settings (Section 4.1): beta1 0.9, beta2 0.999, epsilon 1e-8. */
export const PAPER_ADAM: AdamHyperparameters = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * Adam (Kingma & Ba) with PyTorch's update rule,
 * `w -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`. Written here rather
 * than taken from `tf.train.adam` because training needs what that class keeps private:
 * a learning rate that changes per step and a state that round-trips through checkpoints.
 *
 * @example
 * const adam = new Adam(model.trainableNames, model.trainableVariables, PAPER_ADAM);
 * adam.apply(gradients, 1e-3);
 */
export class Adam {
  private step = 0;
  private readonly first: tf.Variable[];
  private readonly second: tf.Variable[];

  constructor(
    private readonly names: readonly string[],
    private readonly variables: readonly tf.Variable[],
    readonly hyperparameters: AdamHyperparameters = PAPER_ADAM,
  ) {
    if (names.length !== variables.length) throw new Error('Adam: one name per variable');
    const zeroSlots = (): tf.Variable[] => tf.tidy(() => variables.map((variable) => tf.variable(tf.zerosLike(variable), false)));
    this.first = zeroSlots();
    this.second = zeroSlots();
  }

  get stepsTaken(): number {
    return this.step;
  }

  /** One update; `gradients[i]` is the gradient of `variables[i]`. */
  apply(gradients: readonly tf.Tensor[], learningRate: number): void {
    if (gradients.length !== this.variables.length) throw new Error('Adam: one gradient per variable');
    this.step += 1;
    const { beta1, beta2, epsilon } = this.hyperparameters;
    const stepSize = learningRate / (1 - beta1 ** this.step);
    const secondCorrection = Math.sqrt(1 - beta2 ** this.step);
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const gradient = gradients[i]!;
        const m = tf.add(tf.mul(this.first[i]!, beta1), tf.mul(gradient, 1 - beta1));
        const v = tf.add(tf.mul(this.second[i]!, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        this.first[i]!.assign(m);
        this.second[i]!.assign(v);
        const denominator = tf.add(tf.div(tf.sqrt(v), secondCorrection), epsilon);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, denominator), stepSize)));
      });
    });
  }

  state(): AdamState {
    const copy = (slots: tf.Variable[]): NamedWeights =>
      new Map(slots.map((slot, i) => [this.names[i]!, { shape: [...slot.shape], data: Float32Array.from(slot.dataSync()) }]));
    return { step: this.step, firstMoments: copy(this.first), secondMoments: copy(this.second) };
  }

  /** Restores a state saved by `state()` for the same variables. */
  restore(state: AdamState): void {
    const load = (slots: tf.Variable[], saved: NamedWeights, kind: string): void => {
      slots.forEach((slot, i) => {
        const name = this.names[i]!;
        const entry = saved.get(name);
        if (entry === undefined) throw new Error(`optimizer state lacks the ${kind} moment of ${name}`);
        if (entry.data.length !== slot.size)
          throw new Error(`optimizer state: ${kind} moment of ${name} has ${entry.data.length} values, expected ${slot.size}`);
        slot.assign(tf.tensor(entry.data, slot.shape));
      });
    };
    tf.tidy(() => {
      load(this.first, state.firstMoments, 'first');
      load(this.second, state.secondMoments, 'second');
    });
    this.step = state.step;
  }

  dispose(): void {
    for (const slot of [...this.first, ...this.second]) slot.dispose();
  }
}
