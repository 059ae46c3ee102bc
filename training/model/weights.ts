/** Trained variables by name (see training/archs/graph.ts for names and layouts). */
export type NamedWeights = Map<string, { shape: number[]; data: Float32Array }>;
