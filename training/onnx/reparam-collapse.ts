import type { ArchConfig } from '../archs/config';
import type { ConvNode, LinearBlockSpec } from '../archs/graph';
import { buildArch, convParts, convVariableShapes, withoutReparam, type ConvPart } from '../archs/index';
import { setConvPart } from '../model/init';
import type { NamedWeights } from '../model/weights';

/** A plain conv's weights: HWIO kernel `[k, k, in, out]` and bias `[out]`, float32 as tfjs holds them. */
export interface PlainConv {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/** A collapsible linear block's trained weights, weight norm already folded (see `weightNormKernel`). */
export interface LinearBlockWeights extends LinearBlockSpec {
  readonly kernelSize: number;
  readonly inChannels: number;
  readonly outChannels: number;
  /** The kxk conv, in -> hidden: HWIO `[k, k, in, hidden]`, bias `[hidden]`. */
  readonly first: PlainConv;
  /** The 1x1 conv, hidden -> out: HWIO `[1, 1, hidden, out]` (a `[hidden, out]` matrix), bias `[out]`. */
  readonly second: PlainConv;
}

/**
 * The kernel a weight-normalized conv applies: `g[o] * v[..., o] / ||v[..., o]||` (HWIO, the
 * output channel fastest), in float64 then rounded once; what `effectiveKernel` computes in tfjs.
 */
export function weightNormKernel(v: Float32Array, g: Float32Array): Float32Array {
  const out = g.length;
  if (v.length % out !== 0) throw new Error(`weightNormKernel: ${v.length} values are not a whole number of ${out} output channels`);
  const sums = new Float64Array(out);
  for (let i = 0; i < v.length; i++) sums[i % out] = sums[i % out]! + v[i]! * v[i]!;
  const scale = Float64Array.from(sums, (sum, o) => g[o]! / Math.sqrt(sum));
  return Float32Array.from(v, (value, i) => value * scale[i % out]!);
}

/**
 * The one conv a collapsible linear block computes. With E the kxk conv (bias b1), P the 1x1
 * conv as a `[hidden, out]` matrix (bias b2) and 'same' zero padding, for every pixel
 * `P^T (E * x + b1) + b2 (+ x) = (E P) * x + (P^T b1 + b2) (+ x)`: the kernel is `E P` (HWIO
 * `[k, k, in, out]`), plus 1 at the centre tap of channel i -> i for the identity, and the bias is
 * `P^T b1 + b2`. Exact, borders included: the 1x1 conv mixes channels within a pixel, so it
 * commutes with the kxk conv's padding. Sums in float64, rounded once to float32.
 */
export function collapseLinearBlock(block: LinearBlockWeights): PlainConv {
  const { kernelSize: k, inChannels, hidden, outChannels, first, second } = block;
  const rows = k * k * inChannels;
  if (first.kernel.length !== rows * hidden || first.bias.length !== hidden)
    throw new Error(`collapseLinearBlock: the kxk conv is not [${k}, ${k}, ${inChannels}, ${hidden}]`);
  if (second.kernel.length !== hidden * outChannels || second.bias.length !== outChannels)
    throw new Error(`collapseLinearBlock: the 1x1 conv is not [1, 1, ${hidden}, ${outChannels}]`);
  if (block.identity && inChannels !== outChannels)
    throw new Error(`collapseLinearBlock: an identity branch needs as many input as output channels, got ${inChannels} -> ${outChannels}`);
  const kernel = new Float32Array(rows * outChannels);
  const sum = new Float64Array(outChannels);
  for (let row = 0; row < rows; row++) {
    sum.fill(0);
    for (let h = 0; h < hidden; h++) {
      const e = first.kernel[row * hidden + h]!;
      if (e === 0) continue;
      for (let o = 0; o < outChannels; o++) sum[o] = sum[o]! + e * second.kernel[h * outChannels + o]!;
    }
    kernel.set(sum, row * outChannels);
  }
  if (block.identity) {
    const centre = Math.floor(k / 2) * k + Math.floor(k / 2);
    for (let c = 0; c < inChannels; c++) {
      const index = (centre * inChannels + c) * outChannels + c;
      kernel[index] = kernel[index]! + 1;
    }
  }
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let b = second.bias[o]!;
    for (let h = 0; h < hidden; h++) b += first.bias[h]! * second.kernel[h * outChannels + o]!;
    bias[o] = b;
  }
  return { kernel, bias };
}

/**
 * The plain conv a conv node applies, from its trained weights: weight norm folded first (each conv
 * of a linear block is normalized on its own, as the forward pass does), then the block collapsed.
 * A batch norm after the node is not part of it (see `foldConv`).
 */
export function nodeConv(node: ConvNode, weights: NamedWeights): PlainConv {
  const [first, second] = convParts(node).map((part) => partConv(part, weights));
  if (node.linearBlock === undefined) return first!;
  const { kernelSize, inChannels, outChannels } = node;
  return collapseLinearBlock({ kernelSize, inChannels, outChannels, ...node.linearBlock, first: first!, second: second! });
}

function partConv(part: ConvPart, weights: NamedWeights): PlainConv {
  const bias = get(weights, `${part.prefix}/bias`);
  if (part.normalization === 'weight') return { kernel: weightNormKernel(get(weights, `${part.prefix}/v`), get(weights, `${part.prefix}/g`)), bias };
  return { kernel: get(weights, `${part.prefix}/kernel`), bias };
}

/** A trained network and the one it is exported as. */
export interface CollapsedModel {
  /** `arch` without `reparam`. */
  readonly arch: ArchConfig;
  /** Exactly the variables of the plain arch's graph, computing what the trained network computes. */
  readonly weights: NamedWeights;
}

/**
 * Folds a re-parameterized network into the plain one it stands for: every conv trained as a
 * collapsible linear block becomes the node's single conv, stored as the plain arch stores it
 * (under weight norm as `v = W`, `g = ||W||` per output channel, so `g v / ||v|| = W`; otherwise
 * `kernel = W`), its batch norm, if any, kept as it is. Every other variable is copied. Without
 * `reparam`, returns the inputs unchanged.
 *
 * @example
 * const { arch, weights } = collapseReparam(checkpoint.config.arch, checkpoint.weights);
 * archToOnnx(buildArch(arch), weights); // the plain WDSR-B graph
 */
export function collapseReparam(arch: ArchConfig, weights: NamedWeights): CollapsedModel {
  const plainArch = withoutReparam(arch);
  if (plainArch === arch) return { arch, weights };
  const trained = buildArch(arch);
  const plain = buildArch(plainArch);
  const collapsed: NamedWeights = new Map();
  const used = new Set<string>();
  trained.nodes.forEach((node, index) => {
    if (node.op !== 'conv') return;
    const target = plain.nodes[index];
    if (target?.op !== 'conv' || target.name !== node.name || target.linearBlock !== undefined)
      throw new Error(`collapseReparam: node ${index} of the plain graph is not conv ${node.name}`);
    const own = [
      ...convVariableShapes(node).keys(),
      ...(node.normalization === 'batch' ? [`${node.name}/bn/movingMean`, `${node.name}/bn/movingVariance`] : []),
    ];
    for (const name of own) used.add(name);
    if (node.linearBlock === undefined) {
      for (const name of own) collapsed.set(name, copy(weights, name));
      return;
    }
    const { kernel, bias } = nodeConv(node, weights);
    setConvPart(collapsed, convParts(target)[0]!, kernel, bias);
    for (const name of own.filter((n) => n.startsWith(`${node.name}/bn/`))) collapsed.set(name, copy(weights, name));
  });
  const extra = [...weights.keys()].filter((name) => !used.has(name));
  if (extra.length > 0) throw new Error(`collapseReparam: weights hold variables the network does not have: ${extra.join(', ')}`);
  return { arch: plainArch, weights: collapsed };
}

function copy(weights: NamedWeights, name: string): { shape: number[]; data: Float32Array } {
  const entry = weights.get(name);
  if (entry === undefined) throw new Error(`collapseReparam: weights lack variable ${name}`);
  return { shape: [...entry.shape], data: Float32Array.from(entry.data) };
}

function get(weights: NamedWeights, name: string): Float32Array {
  const entry = weights.get(name);
  if (entry === undefined) throw new Error(`weights lack variable ${name}`);
  return entry.data;
}

/**
 * The inverse direction, for continuing a plain network as a re-parameterized one: weights of the
 * re-parameterized `arch` whose collapse (see `collapseReparam`) is `plain` (weights of the plain
 * arch, as an exported fp32 model holds them), so training starts from exactly the function the
 * plain network computes. For each collapsible linear block with plain kernel W (rows `k k in`,
 * columns `out`) and bias b, minus the identity when the block has one: when `hidden >= out`, the
 * kxk conv is `[W | free]` and the 1x1 conv `[I; 0]`; otherwise (then `hidden >= k k in`) the kxk
 * conv is `[I | free]` and the 1x1 conv `[W; 0]`. The free columns are taken from `seeded` (the
 * run's initial weights of `arch`), so the zero rows they meet learn from the first step; the kxk
 * conv's bias is 0 and the 1x1 conv's is b. Under weight norm each part stores `v` as its matrix and
 * `g` its column norms. Every other variable is copied from `plain`.
 *
 * @example
 * const weights = expandReparam(reparamArch, plainWeights, initialWeights(buildArch(reparamArch), new Rng(seed)));
 * collapseReparam(reparamArch, weights).weights; // plainWeights, within float32 rounding
 */
export function expandReparam(arch: ArchConfig, plain: NamedWeights, seeded: NamedWeights): NamedWeights {
  const plainArch = withoutReparam(arch);
  if (plainArch === arch) return plain;
  const expanded: NamedWeights = new Map();
  const plainNodes = buildArch(plainArch).nodes;
  buildArch(arch).nodes.forEach((node, index) => {
    if (node.op !== 'conv') return;
    const target = plainNodes[index];
    if (target?.op !== 'conv' || target.name !== node.name) throw new Error(`expandReparam: node ${index} of the plain graph is not conv ${node.name}`);
    if (node.linearBlock === undefined) {
      for (const name of convVariableShapes(node).keys()) expanded.set(name, copy(plain, name));
      return;
    }
    if (node.normalization === 'batch') throw new Error(`expandReparam: conv ${node.name} has batch norm, which a linear block does not expand`);
    const { kernel, bias } = nodeConv(target, plain);
    const [firstPart, secondPart] = convParts(node);
    const { first, second } = expandLinearBlock(node, kernel, partConv(firstPart!, seeded).kernel);
    setConvPart(expanded, firstPart!, first, new Float32Array(node.linearBlock.hidden));
    setConvPart(expanded, secondPart!, second, Float32Array.from(bias));
  });
  return expanded;
}

/** The two factors of a linear block whose product (plus the identity) is `kernel`; see `expandReparam`. */
function expandLinearBlock(node: ConvNode, kernel: Float32Array, seededFirst: Float32Array): { first: Float32Array; second: Float32Array } {
  const { kernelSize: k, inChannels, outChannels, linearBlock } = node;
  const { hidden, identity } = linearBlock!;
  const rows = k * k * inChannels;
  const residual = Float32Array.from(kernel);
  if (identity) {
    const centre = Math.floor(k / 2) * k + Math.floor(k / 2);
    for (let c = 0; c < inChannels; c++) residual[(centre * inChannels + c) * outChannels + c]! -= 1;
  }
  const first = Float32Array.from(seededFirst);
  const second = new Float32Array(hidden * outChannels);
  if (hidden >= outChannels) {
    for (let row = 0; row < rows; row++) for (let o = 0; o < outChannels; o++) first[row * hidden + o] = residual[row * outChannels + o]!;
    for (let o = 0; o < outChannels; o++) second[o * outChannels + o] = 1;
  } else if (hidden >= rows) {
    for (let row = 0; row < rows; row++) for (let h = 0; h < rows; h++) first[row * hidden + h] = row === h ? 1 : 0;
    second.set(residual);
  } else {
    throw new Error(`expandReparam: conv ${node.name} has ${hidden} hidden channels, fewer than both its ${rows} rows and ${outChannels} outputs`);
  }
  return { first, second };
}
