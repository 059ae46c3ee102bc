import { onceEnded } from './ending';

/**
 * Concatenates byte arrays into one fresh buffer (an ordinary `ArrayBuffer`, as `Response` bodies
 * and Web Crypto require).
 *
 * @example
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/**
 * A file read as it arrives: the bytes read so far, and the rest chunk by chunk. A chunk may be
 * reused by the next read, so a consumer copies what it keeps before asking for the next.
 */
export interface StreamedBytes {
  readonly head: Uint8Array;
  readonly rest: AsyncIterator<Uint8Array>;
}

/**
 * The whole of a {@link StreamedBytes}, for the decoders that need it.
 *
 * @example
 * const bytes = await readStreamed({ head, rest }); // head followed by every chunk
 */
export async function readStreamed(file: StreamedBytes): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [file.head];
  for (let next = await file.rest.next(); next.done !== true; next = await file.rest.next()) parts.push(next.value.slice());
  return concatBytes(parts);
}

/**
 * `buffer`'s bytes in a buffer of `byteLength` (cut or zero-filled), the old one detached at once
 * where the runtime can transfer (ES2024's `transfer`, as in workerd), so growing or trimming a
 * large buffer never leaves its old copy for V8 to collect; elsewhere (Node 20) a copy.
 *
 * @example
 * buffer = resizeBuffer(buffer, 2 * buffer.byteLength); // the old `buffer` is detached
 */
export function resizeBuffer(buffer: ArrayBuffer, byteLength: number): ArrayBuffer {
  // ES2024's member, typed here because the project's lib is ES2023.
  const transfer = (buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer;
  if (transfer !== undefined) return transfer.call(buffer, byteLength);
  const resized = new ArrayBuffer(byteLength);
  new Uint8Array(resized).set(new Uint8Array(buffer, 0, Math.min(byteLength, buffer.byteLength)));
  return resized;
}

/**
 * Frees the memory behind `view` now, by detaching its `ArrayBuffer` (`transfer(0)`), instead of
 * when V8 next collects. V8 collects array buffers late (only once tens of MiB of them have
 * gone unreferenced since its last collection), and the isolate has 128 MB, so the megabyte-sized buffers a request
 * makes per tile or strip must be freed by design (docs/benchmarks.md, "Streaming"). Every view of
 * the buffer reads as empty afterwards: call it only on buffers nothing else will read. A view
 * of part of a buffer, which may share it with others, a buffer that cannot be detached (a
 * WebAssembly memory's), and any buffer where `transfer` is missing (Node 20), are left alone.
 *
 * @example
 * const sr = await runner.run(tile);
 * copyOut(sr);
 * releaseBuffer(sr.data); // sr.data.length === 0 from here on
 */
export function releaseBuffer(view: ArrayBufferView): void {
  // ES2024's members, typed here because the project's lib is ES2023.
  const buffer = view.buffer as ArrayBuffer & { readonly detached?: boolean; transfer?: (length: number) => ArrayBuffer };
  const whole = view.byteOffset === 0 && view.byteLength === buffer.byteLength;
  if (!(buffer instanceof ArrayBuffer) || !whole || buffer.detached === true) return;
  try {
    buffer.transfer?.(0);
  } catch {
    // Not detachable (a WebAssembly memory's buffer): its owner keeps it, as it should.
  }
}

/**
 * `items`, then `buffer` released, however the iteration ends ({@link onceEnded}): a request's large
 * buffers (the source's bytes and whole-decoded pixels, up to tens of MiB) are freed as soon as the
 * request is done with them, not when V8 next collects.
 *
 * @example
 * const bands = releasingAfter(upscaled.bands, source.data); // source.data is detached once the bands end
 */
export function releasingAfter<T>(items: AsyncIterable<T>, buffer: ArrayBufferView): AsyncGenerator<T, void, undefined> {
  return onceEnded(items, () => releaseBuffer(buffer));
}
