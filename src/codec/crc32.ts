/** CRC-32 lookup tables for slicing-by-8: `TABLES[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes. */
let tables: Uint32Array | undefined;

function crcTables(): Uint32Array {
  if (tables) return tables;
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  tables = t;
  return t;
}

/**
 * CRC-32 (ISO 3309 / ITU-T V.42, the one PNG chunks and gzip carry) of `bytes`. Pass a previous
 * result as `crc` to continue it over more bytes, as zlib's `crc32(crc, buf)` does.
 *
 * @example
 * const crc = crc32(data, crc32(typeBytes)); // a PNG chunk's CRC over type and data
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTables();
  let c = ~crc;
  let i = 0;
  const length = bytes.length;
  for (const end = length - 8; i <= end; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
