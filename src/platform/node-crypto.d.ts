/**
 * The part of `node:crypto` the pipeline uses, for the Worker's type check (which leaves out
 * Node's types): workerd provides the module under the `nodejs_compat` flag, as Node does.
 */
declare module 'node:crypto' {
  interface Hash {
    update(data: Uint8Array): Hash;
    digest(encoding: 'hex'): string;
  }
  export function createHash(algorithm: 'sha256'): Hash;
}
