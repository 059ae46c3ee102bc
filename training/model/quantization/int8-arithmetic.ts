/**
 * The arithmetic of static int8 quantization in onnxruntime's U8S8 form: activations
 * per-tensor asymmetric uint8, weights per-output-channel symmetric int8, biases int32
 * at scale input_scale * weight_scale (what QLinearConv accumulates in).
 */

export interface ActivationRange {
  readonly min: number;
  readonly max: number;
}

/**
 * `round(x / scale)` as onnxruntime's QuantizeLinear and tfjs compute it: the quotient in
 * float32, rounded half to even. The fake quantization of training (./fake-quant.ts) does
 * the same in tfjs ops, so a value trained at a level is exported at that level.
 */
function quantizedLevel(x: number, scale: number): number {
  const quotient = Math.fround(x / scale);
  const floor = Math.floor(quotient);
  const fraction = quotient - floor;
  if (fraction !== 0.5) return fraction < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** uint8 parameters for a range; the range is widened to contain 0 so zero is exact (padding). */
export function quantizeActivation(range: ActivationRange): { scale: number; zeroPoint: number } {
  const min = Math.min(0, range.min);
  const max = Math.max(0, range.max);
  if (!(max > min)) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((max - min) / 255);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  return { scale, zeroPoint };
}

/** Symmetric int8 per output channel of an OIHW weight, in [-127, 127] (no -128, as ORT recommends). */
export function quantizeWeightsPerChannel(weight: Float32Array, outChannels: number): { values: Int8Array; scales: Float32Array } {
  const perChannel = weight.length / outChannels;
  const values = new Int8Array(weight.length);
  const scales = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let maxAbs = 0;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) maxAbs = Math.max(maxAbs, Math.abs(weight[i]!));
    const scale = maxAbs > 0 ? Math.fround(maxAbs / 127) : 1;
    scales[o] = scale;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) values[i] = Math.max(-127, Math.min(127, quantizedLevel(weight[i]!, scale)));
  }
  return { values, scales };
}

export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: Float32Array } {
  const scales = new Float32Array(bias.length);
  const values = new Int32Array(bias.length);
  for (let o = 0; o < bias.length; o++) {
    scales[o] = Math.fround(inputScale * weightScales[o]!);
    values[o] = quantizedLevel(bias[o]!, scales[o]!);
  }
  return { values, scales };
}
