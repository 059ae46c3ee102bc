/**
 * The model contract (`model/manifest.json`): everything the service knows about a model
 * comes from here, never from the model file itself.
 */

/** How a tensor crosses the model boundary; the only layout we run is NCHW float32 RGB. */
export interface TensorSpec {
  readonly name: string;
  readonly layout: 'NCHW';
  readonly channels: 'RGB';
  readonly dtype: 'float32';
  /** The values that stand for black and white: 8-bit 0 maps to `range[0]`, 255 to `range[1]`. */
  readonly range: readonly [number, number];
}

export interface ModelEntry {
  readonly id: string;
  /** File name inside `model/`. */
  readonly file: string;
  /** Lower-case hex SHA-256 of the file; part of every cache key, checked before a session starts. */
  readonly sha256: string;
  readonly bytes: number;
  readonly scale: number;
  readonly input: TensorSpec;
  readonly output: TensorSpec;
  /** Source pixels of context an output pixel depends on in each direction. */
  readonly receptiveField: number;
}

export interface ModelManifest {
  readonly schemaVersion: 1;
  readonly models: readonly ModelEntry[];
}

/** A manifest that does not follow the contract; `path` points at the offending field. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`model manifest ${path}: ${problem}`);
  }
}

/**
 * Validates parsed `manifest.json` content. Unknown fields (arch, metrics, ...) are allowed and
 * ignored; every field the service relies on must be present and well-formed, and each scale may
 * have one model only, because requests choose a model by scale.
 *
 * @example
 * import manifestJson from '../../model/manifest.json';
 * const manifest = parseManifest(manifestJson);
 * manifest.models.map((m) => m.scale); // [2]
 */
export function parseManifest(json: unknown): ModelManifest {
  const root = record(json, '$');
  if (root.schemaVersion !== 1) throw new ManifestError('$.schemaVersion', `expected 1, got ${JSON.stringify(root.schemaVersion)}`);
  if (!Array.isArray(root.models) || root.models.length === 0) throw new ManifestError('$.models', 'expected a non-empty array');
  const models = root.models.map((model: unknown, i: number) => parseEntry(model, `$.models[${i}]`));
  const scales = new Set<number>();
  models.forEach((model, i) => {
    if (scales.has(model.scale)) throw new ManifestError(`$.models[${i}].scale`, `scale ${model.scale} is listed twice`);
    scales.add(model.scale);
  });
  return { schemaVersion: 1, models };
}

function parseEntry(json: unknown, path: string): ModelEntry {
  const entry = record(json, path);
  const file = text(entry.file, `${path}.file`);
  if (!/^[\w.-]+\.onnx$/.test(file)) throw new ManifestError(`${path}.file`, `expected a plain *.onnx file name, got ${JSON.stringify(file)}`);
  const sha256 = text(entry.sha256, `${path}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ManifestError(`${path}.sha256`, 'expected 64 lower-case hex digits');
  return {
    id: text(entry.id, `${path}.id`),
    file,
    sha256,
    bytes: integer(entry.bytes, `${path}.bytes`, 1),
    scale: integer(entry.scale, `${path}.scale`, 2),
    input: parseTensor(entry.input, `${path}.input`),
    output: parseTensor(entry.output, `${path}.output`),
    receptiveField: integer(entry.receptiveField, `${path}.receptiveField`, 0),
  };
}

function parseTensor(json: unknown, path: string): TensorSpec {
  const tensor = record(json, path);
  const fixed = { layout: 'NCHW', channels: 'RGB', dtype: 'float32' } as const;
  for (const [key, expected] of Object.entries(fixed)) {
    if (tensor[key] !== expected) throw new ManifestError(`${path}.${key}`, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(tensor[key])}`);
  }
  const range = tensor.range;
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
    throw new ManifestError(`${path}.range`, 'expected [low, high] with low < high');
  }
  return { ...fixed, name: text(tensor.name, `${path}.name`), range: [range[0], range[1]] };
}

function record(json: unknown, path: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ManifestError(path, 'expected an object');
  return json as Record<string, unknown>;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new ManifestError(path, 'expected a non-empty string');
  return value;
}

function integer(value: unknown, path: string, min: number): number {
  if (!Number.isInteger(value) || (value as number) < min) throw new ManifestError(path, `expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  return value as number;
}
