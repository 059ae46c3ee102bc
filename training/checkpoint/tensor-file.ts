import type { NamedWeights } from '../model/weights';
import type { TensorEntry, TensorGroup } from './format';

/** Lays out named tensor groups back to back as float32 little-endian, with the index describing them. */
export function packTensors(groups: ReadonlyArray<[TensorGroup, NamedWeights]>): { bytes: Uint8Array; entries: TensorEntry[] } {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [group, tensors] of groups) {
    for (const [name, { shape, data }] of tensors) {
      entries.push({ group, name, shape: [...shape], offset, length: data.length });
      offset += data.length * 4;
    }
  }
  const bytes = new Uint8Array(offset);
  const view = new DataView(bytes.buffer);
  let index = 0;
  for (const [, tensors] of groups) {
    for (const { data } of tensors.values()) {
      for (const value of data) view.setFloat32(4 * index++, value, true);
    }
  }
  return { bytes, entries };
}

/** Reads one group back out of a packed file, checking every entry lies inside it. */
export function unpackGroup(bytes: Uint8Array, entries: readonly TensorEntry[], group: TensorGroup): NamedWeights {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: NamedWeights = new Map();
  for (const entry of entries) {
    if (entry.group !== group) continue;
    const expected = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.length !== expected) throw new Error(`tensor ${group}:${entry.name}: length ${entry.length} does not match shape [${entry.shape.join(', ')}]`);
    if (entry.offset % 4 !== 0 || entry.offset + 4 * entry.length > bytes.byteLength) {
      throw new Error(`tensor ${group}:${entry.name} lies outside the ${bytes.byteLength}-byte tensor file`);
    }
    const data = new Float32Array(entry.length);
    for (let i = 0; i < entry.length; i++) data[i] = view.getFloat32(entry.offset + 4 * i, true);
    tensors.set(entry.name, { shape: [...entry.shape], data });
  }
  return tensors;
}
