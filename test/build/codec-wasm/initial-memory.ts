/*
 * Rewrites the initial size of the memory a WebAssembly module defines. Emscripten builds start
 * their heap at INITIAL_MEMORY (16 MiB in Squoosh's libwebp builds) whatever the image, and a
 * WebAssembly memory never shrinks; with memory growth on, a smaller start only means the heap
 * grows to what a call needs. Pure, on the module's bytes: the binary format's section layout
 * (WebAssembly core spec 5.5) and LEB128 integers.
 */

const WASM_PAGE = 65_536;
const SECTION = { global: 6, memory: 5, data: 11 } as const;

interface Cursor {
  offset: number;
}

function readUnsigned(bytes: Uint8Array, at: Cursor): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at.offset++]!;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7;
  }
}

function readSigned(bytes: Uint8Array, at: Cursor): number {
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[at.offset++]!;
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return byte & 0x40 ? result - 2 ** shift : result;
}

/** `value` as unsigned LEB128 in exactly `length` bytes (padding with continuation bytes, which the format allows up to 5). */
function unsignedOfLength(value: number, length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) {
    const byte = value % 128;
    value = Math.floor(value / 128);
    out.push(i < length - 1 ? byte | 0x80 : byte);
  }
  if (value !== 0) throw new RangeError(`${value} does not fit in ${length} LEB128 bytes`);
  return out;
}

/** A constant expression's value when it is one `i32.const` (anything else: undefined), the cursor past its `end`. */
function constantI32(bytes: Uint8Array, at: Cursor): number | undefined {
  const opcode = bytes[at.offset++]!;
  const value = opcode === 0x41 ? readSigned(bytes, at) : undefined;
  while (bytes[at.offset] !== 0x0b) at.offset++; // only simple expressions occur in these places
  at.offset++;
  return value;
}

/**
 * Where the module's static data and stack end: the largest end of an active data segment and the
 * largest `i32.const` a global starts at (Emscripten's stack pointer starts at the top of its stack).
 */
function staticEnd(bytes: Uint8Array, sections: ReadonlyMap<number, { start: number; end: number }>): number {
  let end = 0;
  const globals = sections.get(SECTION.global);
  if (globals !== undefined) {
    const at = { offset: globals.start };
    for (let count = readUnsigned(bytes, at); count > 0; count--) {
      at.offset += 2; // value type, mutability
      end = Math.max(end, constantI32(bytes, at) ?? 0);
    }
  }
  const data = sections.get(SECTION.data);
  if (data !== undefined) {
    const at = { offset: data.start };
    for (let count = readUnsigned(bytes, at); count > 0; count--) {
      const kind = readUnsigned(bytes, at);
      if (kind === 2) readUnsigned(bytes, at); // explicit memory index
      const offset = kind === 1 ? undefined : constantI32(bytes, at);
      const length = readUnsigned(bytes, at);
      at.offset += length;
      end = Math.max(end, (offset ?? 0) + length);
    }
  }
  return end;
}

/**
 * The module with the memory it defines starting at `pages` 64 KiB pages instead of its own
 * initial size (the maximum kept), the same length as before. Throws when the module defines no
 * memory, when `pages` is not below its start or leaves no room to grow, or when `pages` would not
 * hold its static data and stack.
 *
 * @example
 * const smaller = withInitialMemory(readFileSync('webp_enc_simd.wasm'), 32); // 2 MiB instead of 16
 */
export function withInitialMemory(module: Uint8Array, pages: number): Uint8Array {
  const sections = new Map<number, { start: number; end: number }>();
  const at = { offset: 8 }; // magic and version
  while (at.offset < module.length) {
    const id = module[at.offset++]!;
    const size = readUnsigned(module, at);
    sections.set(id, { start: at.offset, end: at.offset + size });
    at.offset += size;
  }
  const memory = sections.get(SECTION.memory);
  if (memory === undefined) throw new Error('the module defines no memory (an imported one is sized by its importer)');
  const cursor = { offset: memory.start };
  if (readUnsigned(module, cursor) !== 1) throw new Error('expected one memory');
  const flags = readUnsigned(module, cursor);
  const minimumAt = cursor.offset;
  const minimum = readUnsigned(module, cursor);
  const minimumLength = cursor.offset - minimumAt;
  // Without a declared maximum, up to 4 GiB; Emscripten declares one when built to grow.
  const maximum = flags & 1 ? readUnsigned(module, cursor) : 65_536;
  if (maximum <= pages) throw new RangeError(`${pages} pages leave the memory no room to grow (maximum ${maximum})`);
  if (pages >= minimum) throw new RangeError(`the memory already starts at ${minimum} pages`);
  const needed = staticEnd(module, sections);
  if (pages * WASM_PAGE < needed) throw new RangeError(`${pages} pages do not hold the module's static data and stack (${needed} bytes)`);
  const out = new Uint8Array(module);
  out.set(unsignedOfLength(pages, minimumLength), minimumAt);
  return out;
}
