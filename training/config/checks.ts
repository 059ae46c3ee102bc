/**
 * Validation primitives for hand-written config schemas. Each check records a precise
 * message (`train.batchSize: expected integer >= 1, got "16"`) instead of throwing, so
 * one run reports every problem in a config at once.
 */
export type Issues = string[];

/** A value as the user wrote it, for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** The fields of an object, reporting any key outside `allowed` (typos fail at load, not mid-run). */
export function fieldsOf(value: unknown, path: string, issues: Issues, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push(`${path}: expected an object, got ${describeValue(value)}`);
    return {};
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.push(`${path}.${key}: unknown key (allowed: ${allowed.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

export function integer(value: unknown, path: string, issues: Issues, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    issues.push(`${path}: expected integer ${range}, got ${describeValue(value)}`);
  }
  return value as number;
}

/** A finite number in (0, max]. */
export function positiveNumber(value: unknown, path: string, issues: Issues, max = Number.MAX_VALUE): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    issues.push(`${path}: expected number in (0, ${max === Number.MAX_VALUE ? 'inf' : max}], got ${describeValue(value)}`);
  }
  return value as number;
}

export function nonEmptyString(value: unknown, path: string, issues: Issues): string {
  if (typeof value !== 'string' || value.length === 0) issues.push(`${path}: expected a non-empty string, got ${describeValue(value)}`);
  return value as string;
}

export function oneOf<T extends string | number>(value: unknown, path: string, issues: Issues, options: readonly T[]): T {
  if (!options.includes(value as T)) {
    issues.push(`${path}: expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

export function arrayOf<T>(value: unknown, path: string, issues: Issues, minLength: number, item: (value: unknown, path: string) => T): T[] {
  if (!Array.isArray(value) || value.length < minLength) {
    issues.push(`${path}: expected an array of at least ${minLength} item(s), got ${describeValue(value)}`);
    return [];
  }
  return value.map((entry, i) => item(entry, `${path}[${i}]`));
}
