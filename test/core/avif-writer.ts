/*
 * A minimal AVIF container writer for tests: the ISOBMFF boxes readImageHeader reads (ftyp, and in
 * meta: pitm, iprp with ipco and ipma), no image data. Enough to vary what real encoders vary (the
 * alpha item's properties first, ipma version 1 with 15-bit indices, 64-bit box sizes) and to damage
 * each box in turn.
 */

export interface AvifBoxOptions {
  readonly majorBrand?: string;
  readonly compatibleBrands?: readonly string[];
  /** The primary item's ID (pitm); 1 unless set. */
  readonly primary?: number;
  /** An alpha item (ID 2) whose own `ispe`, of this size, comes first in ipco. */
  readonly alpha?: { readonly width: number; readonly height: number };
  /** ipma version 1 (32-bit item IDs) with 15-bit property indices (flags bit 0). */
  readonly wideIpma?: boolean;
  /** The meta box written with a 64-bit size (size field 1). */
  readonly largeSizeMeta?: boolean;
  /** Boxes left out of meta, to test their absence. */
  readonly omit?: readonly ('pitm' | 'iprp' | 'ispe')[];
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));
const u16 = (value: number) => [value >>> 8, value & 0xff];
const u32 = (value: number) => [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

/** An ISOBMFF box: 32-bit size, four-character type, payload. */
export function box(type: string, payload: readonly number[], largeSize = false): number[] {
  if (largeSize) return [...u32(1), ...ascii(type), ...u32(0), ...u32(16 + payload.length), ...payload];
  return [...u32(8 + payload.length), ...ascii(type), ...payload];
}

/** A full box: version and 24-bit flags, then the payload. */
function fullBox(type: string, version: number, flags: number, payload: readonly number[]): number[] {
  return box(type, [version, (flags >>> 16) & 0xff, (flags >>> 8) & 0xff, flags & 0xff, ...payload]);
}

const ispe = (width: number, height: number) => fullBox('ispe', 0, 0, [...u32(width), ...u32(height)]);

/**
 * An AVIF file of `width` x `height` as its header declares it (no pixels).
 *
 * @example
 * readImageHeader(avifBoxes(640, 480, { alpha: { width: 640, height: 480 } })); // 640x480
 */
export function avifBoxes(width: number, height: number, options: AvifBoxOptions = {}): Uint8Array<ArrayBuffer> {
  const omit = new Set(options.omit ?? []);
  const brands = options.compatibleBrands ?? ['avif', 'mif1', 'miaf'];
  const ftyp = box('ftyp', [...ascii(options.majorBrand ?? 'avif'), ...u32(0), ...brands.flatMap(ascii)]);
  // ipco: [alpha ispe], primary ispe, av1C-like filler; indices are 1-based.
  const properties = [
    ...(options.alpha ? [ispe(options.alpha.width, options.alpha.height)] : []),
    ...(omit.has('ispe') ? [] : [ispe(width, height)]),
    box('pixi', [0, 3, 8, 8, 8]),
  ];
  const primaryIspe = options.alpha ? 2 : 1;
  const pixi = properties.length;
  const entries: [number, number[]][] = [[1, omit.has('ispe') ? [pixi] : [primaryIspe, pixi]]];
  if (options.alpha) entries.push([2, [1, pixi]]);
  const wide = options.wideIpma === true;
  const ipma = fullBox('ipma', wide ? 1 : 0, wide ? 1 : 0, [
    ...u32(entries.length),
    ...entries.flatMap(([id, indices]) => [
      ...(wide ? u32(id) : u16(id)),
      indices.length,
      ...indices.flatMap((index) => (wide ? u16(0x8000 | index) : [0x80 | index])),
    ]),
  ]);
  const iprp = box('iprp', [...box('ipco', properties.flat()), ...ipma]);
  const hdlr = fullBox('hdlr', 0, 0, [...u32(0), ...ascii('pict'), ...u32(0), ...u32(0), ...u32(0), 0]);
  const pitm = fullBox('pitm', 0, 0, u16(options.primary ?? 1));
  const metaPayload = [0, 0, 0, 0, ...hdlr, ...(omit.has('pitm') ? [] : pitm), ...(omit.has('iprp') ? [] : iprp)];
  const meta = box('meta', metaPayload, options.largeSizeMeta === true);
  return new Uint8Array([...ftyp, ...meta, ...box('mdat', [])]);
}
