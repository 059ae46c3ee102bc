const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;

/** Markers without a length field: RST0..RST7, TEM. */
function isStandalone(marker: number): boolean {
  return (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01;
}

/**
 * Counts the scans (SOS segments) of a JPEG by walking its marker segments and skipping each
 * scan's entropy-coded data (ITU T.81 B.1.1.5: there a 0xFF byte is followed by 0x00 stuffing or
 * a restart marker, so the next other marker ends the scan). Segment payloads, such as an EXIF
 * thumbnail's own SOS, are stepped over, not searched. A truncated file counts the scans it has.
 *
 * Progressive JPEGs decode every scan over the whole coefficient buffer, and one scan can cost a
 * few bytes (an end-of-band run covers thousands of blocks), so a small file with many scans is a
 * CPU bomb; libjpeg's own tools cap scans for the same reason.
 *
 * @example
 * countJpegScans(baseline); // 1
 * countJpegScans(progressive); // 10 (libjpeg's default progression for colour)
 */
export function countJpegScans(bytes: Uint8Array): number {
  let scans = 0;
  let offset = 2; // past SOI
  while (offset + 1 < bytes.length) {
    if (bytes[offset] !== 0xff) return scans; // not a marker: damaged, the decoder will say so
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === END_OF_IMAGE) return scans;
    if (isStandalone(marker)) {
      offset += 2;
      continue;
    }
    if (offset + 3 >= bytes.length) return scans;
    offset += 2 + ((bytes[offset + 2]! << 8) | bytes[offset + 3]!);
    if (marker === START_OF_SCAN) {
      scans++;
      offset = endOfEntropyData(bytes, offset);
    }
  }
  return scans;
}

/** The offset of the first marker after entropy-coded data that starts at `offset`. */
function endOfEntropyData(bytes: Uint8Array, offset: number): number {
  for (let i = offset; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const next = bytes[i + 1]!;
    if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return i;
  }
  return bytes.length;
}
