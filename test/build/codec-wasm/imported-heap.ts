/*
 * Rewrites a WebAssembly module that defines its memory into one that imports it, so that every
 * codec module the Worker bundles runs in one shared heap (src/codec/emscripten.ts,
 * `createCodecHeap`): a WebAssembly memory never shrinks and V8 collects dropped ones late, so
 * separate heaps per codec add up, where one shared heap is only ever as large as the largest call
 * needed. Pure, on the module's bytes: the binary format's section layout (WebAssembly core spec
 * 5.5) and LEB128 integers.
 */
import { CODEC_HEAP } from '../../../src/codec/emscripten';
import { concatBytes } from '../../../src/core/bytes';
import { name, section, uleb } from '../../../training/backend/wasm-module-bytes';

const WASM_PAGE = 65_536;
const SECTION = { import: 2, global: 6, memory: 5, data: 11 } as const;
const IMPORT_KIND_MEMORY = 0x02;

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
 * The module with the memory it defined turned into an import of {@link CODEC_HEAP}'s `module` and
 * `field`, at least `CODEC_HEAP.initialPages` pages and with no maximum (any heap that large links),
 * every other section as it was. The memory keeps index 0, so its export, data segments and
 * instructions still name it. Throws when the module defines no memory or more than one, when the
 * heap's initial size would not hold its static data and stack, or when the module could not grow
 * its memory as large as the heap may grow.
 *
 * @example
 * const shared = withImportedHeap(readFileSync('webp_enc_simd.wasm'));
 * new WebAssembly.Instance(new WebAssembly.Module(shared), { ...emscriptenImports, wdsr: { heap } });
 */
export function withImportedHeap(module: Uint8Array): Uint8Array {
  const sections = new Map<number, { start: number; end: number }>();
  const order: { id: number; from: number; to: number }[] = [];
  const at = { offset: 8 }; // magic and version
  while (at.offset < module.length) {
    const from = at.offset;
    const id = module[at.offset++]!;
    const size = readUnsigned(module, at);
    if (id !== 0) sections.set(id, { start: at.offset, end: at.offset + size });
    at.offset += size;
    order.push({ id, from, to: at.offset });
  }
  const memory = sections.get(SECTION.memory);
  if (memory === undefined) throw new Error('the module defines no memory (it imports one already, or has none)');
  const cursor = { offset: memory.start };
  if (readUnsigned(module, cursor) !== 1) throw new Error('expected one memory');
  const flags = readUnsigned(module, cursor);
  readUnsigned(module, cursor); // its own initial size: the heap's replaces it
  // Without a declared maximum, up to 4 GiB; Emscripten declares one when built to grow.
  const maximum = flags & 1 ? readUnsigned(module, cursor) : 65_536;
  if (maximum < CODEC_HEAP.maximumPages) throw new RangeError(`the module's memory grows to ${maximum} pages, less than the heap's ${CODEC_HEAP.maximumPages}`);
  const needed = staticEnd(module, sections);
  if (CODEC_HEAP.initialPages * WASM_PAGE < needed)
    throw new RangeError(`${CODEC_HEAP.initialPages} pages do not hold the module's static data and stack (${needed} bytes)`);
  const imports = sections.get(SECTION.import);
  const importCursor = { offset: imports?.start ?? 0 };
  const count = imports === undefined ? 0 : readUnsigned(module, importCursor);
  const entries = imports === undefined ? [] : [...module.subarray(importCursor.offset, imports.end)];
  const heapImport = [...name(CODEC_HEAP.module), ...name(CODEC_HEAP.field), IMPORT_KIND_MEMORY, 0x00, ...uleb(CODEC_HEAP.initialPages)];
  const importSection = section(SECTION.import, [...uleb(count + 1), ...entries, ...heapImport]);
  const parts: Uint8Array[] = [module.subarray(0, 8)];
  let placed = false;
  for (const { id, from, to } of order) {
    // Known sections come in id order (custom ones, id 0, anywhere): the import section goes where it was, or before the first section after it.
    if (!placed && (id === SECTION.import || (id > SECTION.import && id !== 0))) {
      parts.push(new Uint8Array(importSection));
      placed = true;
    }
    if (id === SECTION.import || id === SECTION.memory) continue;
    parts.push(module.subarray(from, to));
  }
  if (!placed) parts.push(new Uint8Array(importSection));
  return concatBytes(parts);
}
